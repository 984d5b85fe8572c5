#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's gccgo workload: gccgo hello.go; a.out must print its line.
. "$(dirname "$0")/../lib.sh"
cd "$wl_tmp" || exit 1
wl_run 30 gccgo "$(dirname "$0")/hello.go"
out=$(./a.out) && [ "$out" = "Hello from gccgo" ] || wl_fail "a.out says '$out'"
