#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# iperf -s under a client's load: 1 s of TCP from another copy of iperf;
# passes if the server reports a transfer.
. "$(dirname "$0")/../lib.sh"
port=$(free_port) || wl_fail "no free port"
wl_start iperf -s -p "$port" -y C >"$wl_tmp/server.log" 2>&1
server=$wl_pid
wl_logs+=("$wl_tmp/server.log")
wl_wait_port "$port" "$server" || wl_fail "iperf not listening on $port"
wl_step listening
wl_run 10 "$CORPUS_DATA/iperf-client" -c 127.0.0.1 -p "$port" -t 1 -y C
wl_step sent
for _ in $(seq 100); do
	grep -q , "$wl_tmp/server.log" && break
	sleep 0.02
done
bps=$(awk -F, 'NF > 5 { print $NF; exit }' "$wl_tmp/server.log")
awk -v b="$bps" 'BEGIN { exit !(b + 0 > 0) }' || wl_fail "server's report: '$bps'"
