#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbctl analyze workload: nginx (its own config and document root in a
# temp dir, no daemon, on a free loopback port) serving one static file.
# It succeeds when curl gets the file byte for byte and a 404 for a
# missing one, wrk (1 s, 2 connections) completes requests without a
# socket error or a non-2xx answer, and the master, sent SIGQUIT (the
# graceful stop), exits 0. The last line of stdout is wrk's requests/s.
#   kbctl analyze --app /usr/sbin/nginx -- tests/workloads/nginx.sh
set -u
# shellcheck source=tests/workloads/lib.sh
. "$(dirname "$0")/lib.sh"

port=$(free_port) || wl_fail "no free port"
pre=$wl_tmp/nginx
mkdir -p "$pre/html" "$pre/tmp" || exit 1
# 30 KiB of text, new each run: what curl gets must be this file.
head -c 22500 /dev/urandom | base64 >"$pre/html/index.html"
# A master and one worker, as nginx is deployed: the analysis then sees
# what a production profile must allow (the fork of the worker, its
# channel to the master, the switch to the configured user, the signals
# that stop it), which master_process off would skip. The worker runs as
# root ("user root"), so that the temp dir (mode 0700, root's) needs no
# opening up and the workload runs as the root it is started as.
cat >"$pre/nginx.conf" <<EOF
worker_processes 1;
master_process on;
user root;
pid nginx.pid;
error_log stderr warn;
events {
	worker_connections 64;
}
http {
	access_log off;
	client_body_temp_path tmp/body;
	proxy_temp_path tmp/proxy;
	fastcgi_temp_path tmp/fastcgi;
	uwsgi_temp_path tmp/uwsgi;
	scgi_temp_path tmp/scgi;
	default_type application/octet-stream;
	server {
		listen 127.0.0.1:$port;
		root html;
	}
}
EOF
# -e stderr: the compiled-in error log (/var/log/nginx) is opened before
# the config is read.
wl_start nginx -p "$pre/" -c "$pre/nginx.conf" -e stderr -g 'daemon off;' \
	>"$wl_tmp/nginx.log" 2>&1
master=$wl_pid
wl_logs+=("$wl_tmp/nginx.log")
wl_wait_port "$port" "$master" || wl_fail "nginx not listening on $port"
wl_step listening

url=http://127.0.0.1:$port
wl_get "$url/index.html" "$pre/html/index.html"
wl_step served
code=$(timeout -k 1 "$WL_QUICK" curl -s -o /dev/null -w '%{http_code}' "$url/missing")
[ "$code" = 404 ] || wl_fail "/missing: HTTP '$code', expected 404"
wl_step not-found

wl_wrk "$url/index.html"
wl_step loaded

# The master stops its worker, removes its pid file and exits.
kill -QUIT "$master"
wl_wait_exit "$master"
[ "$wl_status" = 0 ] || wl_fail "nginx exit status $wl_status after SIGQUIT"
[ ! -e "$pre/nginx.pid" ] || wl_fail "nginx left its pid file"
printf '%.0f\n' "$wl_rps"
