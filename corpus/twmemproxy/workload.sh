#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's twmemproxy workload: wrk on nutcracker's stats port. It answers
# each connection with its JSON stats and closes it, not HTTP, so wrk
# counts read errors; it passes if wrk ran and the stats are JSON.
. "$(dirname "$0")/lib.sh"
wl_wait_port "$stats" "$server" || wl_fail "no stats port $stats"
s=$(timeout -k 1 "$WL_QUICK" "$WL_PY" -c 'import json, socket, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
b = b""
while True:
    d = c.recv(65536)
    if not d:
        break
    b += d
print(json.loads(b)["service"])' "$stats") || wl_fail "no JSON stats"
[ "$s" = nutcracker ] || wl_fail "stats: service '$s'"
wl_step stats
timeout -k 1 $((WL_WAIT + 1)) wrk -t 1 -c 2 -d 1s "http://127.0.0.1:$stats/" >"$wl_tmp/wrk" 2>&1 ||
	wl_fail "wrk failed"
