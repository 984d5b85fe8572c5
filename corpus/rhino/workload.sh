#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's rhino workload: rhino runs hello.js; passes if it says hello.
. "$(dirname "$0")/../lib.sh"
echo 'print("Hello!");' >"$wl_tmp/hello.js"
wl_run 10 rhino "$wl_tmp/hello.js"
wl_has '^Hello!$'
