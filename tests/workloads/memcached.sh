#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbctl analyze workload: memcached (2 worker threads, TCP only, on a free
# loopback port) under tests/workloads/memcached_client.py: MC_KEYS keys
# (default 200, up to 40 KiB each) set, read back alone and by multi-get,
# a counter incremented, a delete. It succeeds when every answer was
# right. The last line of stdout is the client's requests/s. The server
# is then killed, not stopped: memcached notices a "shutdown" or a
# SIGTERM only at the next tick of its 1-second clock, which would double
# the time of every run of an analysis.
#   kbctl analyze --app /usr/bin/memcached -- tests/workloads/memcached.sh
set -u
# shellcheck source=tests/workloads/lib.sh
. "$(dirname "$0")/lib.sh"

port=$(free_port) || wl_fail "no free port"
# -u root: memcached refuses to run as root without it.
wl_start memcached -l 127.0.0.1 -p "$port" -U 0 -t 2 -m 16 -c 64 -u root \
	>"$wl_tmp/mc.log" 2>&1
server=$wl_pid
wl_logs+=("$wl_tmp/mc.log")
wl_wait_port "$port" "$server" || wl_fail "memcached not listening on $port"
wl_step listening
# A server that cannot answer fails here, in WL_QUICK seconds.
got=$(wl_ask "$port" version)
[[ $got == "VERSION "* ]] || wl_fail "version: '$got'"
wl_step answered

rps=$(timeout -k 1 "$WL_LONG" "$WL_PY" -S "$(dirname "$0")/memcached_client.py" \
	"$port" "${MC_KEYS:-200}" "$WL_QUICK") || wl_fail "the client failed"
# Still there: a server that died after answering did not do its work.
kill -0 "$server" 2>/dev/null || wl_fail "memcached ended during the run"
echo "$rps"
