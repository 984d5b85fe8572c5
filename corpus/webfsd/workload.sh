#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# webfsd in the foreground on a free port; the page and wrk's load
# (wl_http).
. "$(dirname "$0")/../lib.sh"
port=$(free_port) || wl_fail "no free port"
wl_docroot "$wl_tmp/html"
wl_start webfsd -F -i 127.0.0.1 -p "$port" -r "$wl_tmp/html" -f index.html \
	-L "$wl_tmp/access.log" >"$wl_tmp/out.log" 2>&1
server=$wl_pid
wl_logs+=("$wl_tmp/out.log")
wl_http "$port" "$wl_tmp/html" "$server"
echo "$wl_rps"
