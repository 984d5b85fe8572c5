#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's lighttpd workload: lighttpd -D with a small config on a free
# port; the page and wrk's load (wl_http).
. "$(dirname "$0")/../lib.sh"
port=$(free_port) || wl_fail "no free port"
wl_docroot "$wl_tmp/html"
cat >"$wl_tmp/lighttpd.conf" <<CONF
server.modules = ("mod_access", "mod_alias", "mod_redirect")
server.document-root = "$wl_tmp/html"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$wl_tmp/error.log"
index-file.names = ("index.html")
mimetype.assign = (".html" => "text/html")
alias.url = ("/alias/" => "$wl_tmp/html/")
url.redirect = ("^/old/(.*)" => "/\$1")
CONF
wl_start lighttpd -D -f "$wl_tmp/lighttpd.conf" >"$wl_tmp/out.log" 2>&1
server=$wl_pid
wl_logs+=("$wl_tmp/out.log" "$wl_tmp/error.log")
wl_http "$port" "$wl_tmp/html" "$server"
wl_get "http://127.0.0.1:$port/alias/index.html" "$wl_tmp/html/index.html"
kill -TERM "$server"
wl_wait_exit "$server"
[ "$wl_status" = 0 ] || wl_fail "lighttpd exit status $wl_status after SIGTERM"
echo "$wl_rps"
