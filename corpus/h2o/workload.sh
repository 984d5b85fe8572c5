#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# h2o (one thread, its own config, a free port) serving a directory; the
# page and wrk's load (wl_http), then a stop (SIGTERM).
. "$(dirname "$0")/../lib.sh"
port=$(free_port) || wl_fail "no free port"
wl_docroot "$wl_tmp/html"
cat >"$wl_tmp/h2o.conf" <<CONF
listen:
  host: 127.0.0.1
  port: $port
num-threads: 1
# As root, h2o switches to nobody, who may not write in the temp dir.
user: root
pid-file: $wl_tmp/h2o.pid
error-log: $wl_tmp/error.log
hosts:
  default:
    paths:
      /:
        file.dir: $wl_tmp/html
CONF
wl_start h2o -c "$wl_tmp/h2o.conf" >"$wl_tmp/out.log" 2>&1
server=$wl_pid
wl_logs+=("$wl_tmp/out.log" "$wl_tmp/error.log")
wl_http "$port" "$wl_tmp/html" "$server"
kill -TERM "$server"
wl_wait_exit "$server"
echo "$wl_rps"
