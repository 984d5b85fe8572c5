#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's caddy workload: caddy run --config JSON (a static response on a
# free port, no admin endpoint); the body must be right and wrk's load
# complete.
. "$(dirname "$0")/../lib.sh"
port=$(free_port) || wl_fail "no free port"
cat >"$wl_tmp/caddy.json" <<CONF
{"admin": {"disabled": true},
 "storage": {"module": "file_system", "root": "$wl_tmp/data"},
 "apps": {"http": {"servers": {"hello": {
   "listen": ["127.0.0.1:$port"],
   "routes": [{"handle": [{"handler": "static_response", "body": "Hello, world!"}]}]}}}}}
CONF
export HOME=$wl_tmp XDG_DATA_HOME=$wl_tmp/data XDG_CONFIG_HOME=$wl_tmp/config
wl_start caddy run --config "$wl_tmp/caddy.json" >"$wl_tmp/out.log" 2>&1
server=$wl_pid
wl_logs+=("$wl_tmp/out.log")
wl_http_says "$port" "Hello, world!" "$server"
echo "$wl_rps"
