#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's golang-pie-httpserver workload: the PIE server on a free port;
# the answer must be right and wrk's load complete.
. "$(dirname "$0")/../lib.sh"
port=$(free_port) || wl_fail "no free port"
wl_start "$CORPUS_DATA/server" "$port" >"$wl_tmp/out.log" 2>&1
server=$wl_pid
wl_logs+=("$wl_tmp/out.log")
wl_wait_port "$port" "$server" || wl_fail "the server is not listening on $port"
wl_step listening
body=$(timeout -k 1 "$WL_QUICK" curl -sSf "http://127.0.0.1:$port/")
[ "$body" = "Hello, 7" ] || wl_fail "body '$body'"
wl_step served
wl_wrk "http://127.0.0.1:$port/"
echo "$wl_rps"
