#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbctl analyze workload: redis-server, no persistence, on a free loopback
# port, under redis-benchmark (SET, GET and INCR, REDIS_N requests each,
# default 1000, from 4 clients). It succeeds when the clients' checks pass
# (redis_client.sh) and the server, told SHUTDOWN NOSAVE, exits 0. The last line of stdout is the benchmark's requests/s (all
# three commands together).
#   kbctl analyze --app "$(command -v redis-server)" -- tests/workloads/redis.sh
# (redis-server is a symlink to redis-check-rdb: kblaunch --only resolves
# both sides, so either name works.)
set -u
# shellcheck source=tests/workloads/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/workloads/redis_client.sh
. "$(dirname "$0")/redis_client.sh"
n=${REDIS_N:-1000}

port=$(free_port) || wl_fail "no free port"
wl_start redis-server --port "$port" --bind 127.0.0.1 --save '' \
	--appendonly no --daemonize no --dir "$wl_tmp" \
	--logfile "$wl_tmp/redis.log" >"$wl_tmp/redis.out" 2>&1
server=$wl_pid
wl_logs+=("$wl_tmp/redis.log" "$wl_tmp/redis.out")
wl_wait_port "$port" "$server" || wl_fail "redis-server not listening on $port"
wl_step listening
redis_client "$port" "$n"

timeout -k 1 "$WL_QUICK" redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1
wl_wait_exit "$server"
[ "$wl_status" = 0 ] || wl_fail "redis-server exit status $wl_status after SHUTDOWN NOSAVE"
echo "$rps"
