#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# httpd in the foreground (event MPM, its own minimal config, a free
# port); the page and wrk's load (wl_http), then a graceful stop.
. "$(dirname "$0")/../lib.sh"
port=$(free_port) || wl_fail "no free port"
wl_docroot "$wl_tmp/html"
m=/usr/lib/apache2/modules
cat >"$wl_tmp/httpd.conf" <<CONF
ServerRoot "$wl_tmp"
ServerName localhost
Listen 127.0.0.1:$port
PidFile "$wl_tmp/httpd.pid"
ErrorLog "$wl_tmp/error.log"
LoadModule mpm_event_module $m/mod_mpm_event.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule dir_module $m/mod_dir.so
LoadModule mime_module $m/mod_mime.so
DocumentRoot "$wl_tmp/html"
<Directory "$wl_tmp/html">
	Require all granted
</Directory>
DirectoryIndex index.html
TypesConfig /etc/mime.types
StartServers 1
ServerLimit 1
ThreadsPerChild 8
MaxRequestWorkers 8
CONF
wl_start apache2 -f "$wl_tmp/httpd.conf" -DFOREGROUND >"$wl_tmp/out.log" 2>&1
server=$wl_pid
wl_logs+=("$wl_tmp/out.log" "$wl_tmp/error.log")
wl_http "$port" "$wl_tmp/html" "$server"
kill -TERM "$server"
wl_wait_exit "$server"
[ "$wl_status" = 0 ] || wl_fail "httpd exit status $wl_status after SIGTERM"
echo "$wl_rps"
