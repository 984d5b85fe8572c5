#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbctl analyze workload: redis-server, no persistence, on a free loopback
# port, under redis-benchmark (SET, GET and INCR, REDIS_N requests each,
# default 1000, from 4 clients). It succeeds when the benchmark ran without
# an error, the data are there (INCR counted every request, the SET value
# reads back through redis-cli) and the server, told SHUTDOWN NOSAVE,
# exits 0. The last line of stdout is the benchmark's requests/s (all
# three commands together).
#   kbctl analyze --app "$(command -v redis-server)" -- tests/workloads/redis.sh
# (redis-server is a symlink to redis-check-rdb: kblaunch --only resolves
# both sides, so either name works.)
set -u
# shellcheck source=tests/workloads/lib.sh
. "$(dirname "$0")/lib.sh"
n=${REDIS_N:-1000}

port=$(free_port) || wl_fail "no free port"
wl_start redis-server --port "$port" --bind 127.0.0.1 --save '' \
	--appendonly no --daemonize no --dir "$wl_tmp" \
	--logfile "$wl_tmp/redis.log" >"$wl_tmp/redis.out" 2>&1
server=$wl_pid
wl_logs+=("$wl_tmp/redis.log" "$wl_tmp/redis.out")
wl_wait_port "$port" "$server" || wl_fail "redis-server not listening on $port"
wl_step listening
# A server that cannot answer fails here, in WL_QUICK seconds rather
# than in the benchmark's WL_LONG.
got=$(wl_ask "$port" PING)
[ "$got" = +PONG ] || wl_fail "PING: '$got'"
wl_step answered

timeout -k 1 "$WL_LONG" redis-benchmark -h 127.0.0.1 -p "$port" -c 4 -n "$n" \
	-t set,get,incr --csv >"$wl_tmp/bench" 2>&1 ||
	{ cat "$wl_tmp/bench" >&2; wl_fail "redis-benchmark failed"; }
wl_step benchmarked
# "SET","29702.97","0.098",...: one line per command, nothing else (an
# error the server answered would show on its own line).
rps=$(awk -F'"' '
	NR == 1 && $2 == "test" { next }
	$2 ~ /^(SET|GET|INCR)$/ && $4 + 0 > 0 { got[$2] = 1; inv += 1 / $4; next }
	{ bad = 1 }
	END {
		if (bad || length(got) != 3) exit 1
		printf "%.0f\n", 3 / inv
	}' "$wl_tmp/bench") ||
	{ cat "$wl_tmp/bench" >&2; wl_fail "benchmark output is not SET, GET and INCR rates"; }
# Not a measurement of 4 clients of an in-memory server on loopback.
if [ "$rps" -lt 100 ] || [ "$rps" -gt 1000000 ]; then
	wl_fail "implausible throughput: $rps requests/s"
fi

# Without -r, every INCR hit one key and every SET wrote 3 bytes to one key.
got=$(printf 'GET counter:__rand_int__\nSTRLEN key:__rand_int__\nSET wl:check %s\nGET wl:check\nDBSIZE\n' "$port" |
	timeout -k 1 "$WL_QUICK" redis-cli -h 127.0.0.1 -p "$port" | tr '\n' ' ')
want="$n 3 OK $port 3 "
[ "$got" = "$want" ] || wl_fail "redis-cli: '$got', expected '$want'"
wl_step checked

timeout -k 1 "$WL_QUICK" redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1
wl_wait_exit "$server"
[ "$wl_status" = 0 ] || wl_fail "redis-server exit status $wl_status after SHUTDOWN NOSAVE"
echo "$rps"
