# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced after lib.sh by the workloads that exercise a redis server (the
# kbctl analyze workload redis.sh, and the test script bench/loupe/ gives
# Loupe's engine): the same requests and checks for both.
#
# redis_client PORT N: PING, then redis-benchmark (SET, GET and INCR, N
# requests each, from 4 clients), then the data read back (INCR counted
# every request, the SET value reads back through redis-cli); wl_fail at
# the first that does not hold. The benchmark's requests/s (all three
# commands together) in rps.
# shellcheck disable=SC2034 # rps is for the caller
redis_client() {
	local got want
	# A server that cannot answer fails here, in WL_QUICK seconds rather
	# than in the benchmark's WL_LONG.
	got=$(wl_ask "$1" PING)
	[ "$got" = +PONG ] || wl_fail "PING: '$got'"
	wl_step answered

	timeout -k 1 "$WL_LONG" redis-benchmark -h 127.0.0.1 -p "$1" -c 4 -n "$2" \
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
	got=$(printf 'GET counter:__rand_int__\nSTRLEN key:__rand_int__\nSET wl:check %s\nGET wl:check\nDBSIZE\n' "$1" |
		timeout -k 1 "$WL_QUICK" redis-cli -h 127.0.0.1 -p "$1" | tr '\n' ' ')
	want="$2 3 OK $1 3 "
	[ "$got" = "$want" ] || wl_fail "redis-cli: '$got', expected '$want'"
	wl_step checked
}
