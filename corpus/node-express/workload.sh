#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's node-express workload: node app.js on a free port; the body
# must be right and wrk's load complete.
# node reads 100 MB before it listens: under kblaunch without the module
# (every syscall a SIGSYS) on a loaded machine, the baseline's took 3.7 s.
WL_WAIT=${WL_WAIT:-10}
. "$(dirname "$0")/../lib.sh"
port=$(free_port) || wl_fail "no free port"
# Debian's node modules, where the machine's node may not look.
export NODE_PATH=/usr/share/nodejs
wl_start node "$(dirname "$0")/app.js" "$port" >"$wl_tmp/out.log" 2>&1
server=$wl_pid
wl_logs+=("$wl_tmp/out.log")
wl_http_says "$port" "Hello World!" "$server"
echo "$wl_rps"
