#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's golang-netiterate workload: go run netiterate.go; passes if
# exactly one line shows the loopback address 127.0.0.1/8.
. "$(dirname "$0")/../golang-example/lib.sh"
wl_run 30 go run "$(dirname "$0")/netiterate.go"
[ "$(grep -c '^127\.0\.0\.1/8 ' <<<"$wl_out")" = 1 ] || wl_fail "got '$wl_out'"
