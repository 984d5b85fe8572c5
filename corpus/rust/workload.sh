#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's rust workload: rustc hello.rs; the binary must print its line.
. "$(dirname "$0")/../lib.sh"
export HOME=$wl_tmp
wl_run 60 /usr/bin/rustc -o "$wl_tmp/hello" "$(dirname "$0")/hello.rs"
out=$("$wl_tmp/hello") && [ "$out" = "Hello, world! 55" ] || wl_fail "the binary says '$out'"
