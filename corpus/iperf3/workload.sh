#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's iperf3 workloads: iperf3 -s, verbose, must print its banner;
# a client (another copy, not under analysis) sends to it for 1 s with
# JSON output; passes if the throughput is above 0.
. "$(dirname "$0")/../lib.sh"
port=$(free_port) || wl_fail "no free port"
wl_start iperf3 -s -V -1 --forceflush -p "$port" >"$wl_tmp/server.log" 2>&1
server=$wl_pid
wl_logs+=("$wl_tmp/server.log")
# A probe of the port would be the one client of -1.
wl_wait_log "$wl_tmp/server.log" "Server listening on $port" "$server" ||
	wl_fail "iperf3 not listening on $port"
wl_step listening
grep -q 'iperf 3\.' "$wl_tmp/server.log" || wl_fail "no iperf 3 banner"
wl_run 10 "$CORPUS_DATA/iperf3-client" -c 127.0.0.1 -p "$port" -t 1 -J
bps=$("$WL_PY" -c 'import json, sys; print(json.loads(sys.stdin.read())["end"]["sum_received"]["bits_per_second"])' <<<"$wl_out")
awk -v b="$bps" 'BEGIN { exit !(b + 0 > 0) }' || wl_fail "throughput '$bps'"
wl_wait_exit "$server"
[ "$wl_status" = 0 ] || wl_fail "server exit status $wl_status"
