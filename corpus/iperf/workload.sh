#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's iperf workload: iperf -s; passes if the server's log mentions
# TCP (its listening banner). Startup only.
. "$(dirname "$0")/../lib.sh"
port=$(free_port) || wl_fail "no free port"
wl_start iperf -s -p "$port" >"$wl_tmp/server.log" 2>&1
server=$wl_pid
wl_logs+=("$wl_tmp/server.log")
wl_wait_port "$port" "$server" || wl_fail "iperf not listening on $port"
wl_step listening
grep -q TCP "$wl_tmp/server.log" || wl_fail "no TCP in the log"
