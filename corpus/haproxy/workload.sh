#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# haproxy -db (foreground) in front of a static backend, on free ports;
# the page through the proxy and wrk's load (wl_http), then a stop.
. "$(dirname "$0")/../lib.sh"
port=$(free_port) || wl_fail "no free port"
back=$(free_port) || wl_fail "no free port"
wl_docroot "$wl_tmp/html"
wl_start "$WL_PY" -m http.server -b 127.0.0.1 -d "$wl_tmp/html" "$back" >"$wl_tmp/backend.log" 2>&1
wl_wait_port "$back" "$wl_pid" || wl_fail "no backend on $back"
cat >"$wl_tmp/haproxy.cfg" <<CONF
global
	maxconn 64
	nbthread 1
defaults
	mode http
	timeout connect 1s
	timeout client 5s
	timeout server 5s
frontend web
	bind 127.0.0.1:$port
	default_backend pages
backend pages
	server static 127.0.0.1:$back
CONF
wl_start haproxy -db -f "$wl_tmp/haproxy.cfg" >"$wl_tmp/out.log" 2>&1
server=$wl_pid
wl_logs+=("$wl_tmp/out.log")
wl_http "$port" "$wl_tmp/html" "$server"
kill -USR1 "$server"
wl_wait_exit "$server"
[ "$wl_status" = 0 ] || wl_fail "haproxy exit status $wl_status after SIGUSR1"
echo "$wl_rps"
