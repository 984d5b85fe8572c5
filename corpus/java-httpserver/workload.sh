#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's java-httpserver workload: java HttpServerApp on a free port;
# the text must be right and wrk's load complete.
. "$(dirname "$0")/../lib.sh"
port=$(free_port) || wl_fail "no free port"
WL_WAIT=10
wl_start java -cp "$CORPUS_DATA" HttpServerApp "$port" >"$wl_tmp/out.log" 2>&1
server=$wl_pid
wl_logs+=("$wl_tmp/out.log")
wl_http_says "$port" "Hello from the JVM" "$server"
echo "$wl_rps"
