#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's rust-httpserver workload: the server on a free port; the body
# must be right and wrk's load complete.
. "$(dirname "$0")/../lib.sh"
port=$(free_port) || wl_fail "no free port"
wl_start "$CORPUS_DATA/server" "$port" >"$wl_tmp/out.log" 2>&1
server=$wl_pid
wl_logs+=("$wl_tmp/out.log")
wl_http_says "$port" "Hello, World!" "$server"
echo "$wl_rps"
