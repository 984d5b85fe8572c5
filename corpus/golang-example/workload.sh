#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's golang-example workload: go run hello.go; passes if exactly one
# line has the word test.
. "$(dirname "$0")/lib.sh"
wl_run 30 go run "$(dirname "$0")/hello.go"
[ "$(grep -c test <<<"$wl_out")" = 1 ] || wl_fail "got '$wl_out'"
