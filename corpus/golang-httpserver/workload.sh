#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's golang-httpserver workload: go run server.go on a free port;
# the answer must be right and wrk's load complete.
. "$(dirname "$0")/../golang-example/lib.sh"
port=$(free_port) || wl_fail "no free port"
WL_WAIT=20
wl_start go run "$(dirname "$0")/server.go" "$port" >"$wl_tmp/out.log" 2>&1
server=$wl_pid
wl_logs+=("$wl_tmp/out.log")
wl_http_says "$port" "Hello, 7" "$server"
echo "$wl_rps"
