#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's wrk workload: wrk -v prints its banner; then wrk loads a local
# server for 1 s (wl_wrk: 10 requests or more, no errors).
. "$(dirname "$0")/../lib.sh"
out=$(timeout -k 1 4 wrk -v 2>&1)
grep -q '^wrk debian/4\.' <<<"$out" || wl_fail "banner: '$out'"
port=$(free_port) || wl_fail "no free port"
wl_docroot "$wl_tmp/html"
wl_start "$WL_PY" -m http.server -b 127.0.0.1 -d "$wl_tmp/html" "$port" >"$wl_tmp/server.log" 2>&1
wl_wait_port "$port" "$wl_pid" || wl_fail "no server on $port"
wl_step listening
wl_wrk "http://127.0.0.1:$port/index.html"
echo "$wl_rps"
