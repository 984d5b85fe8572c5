#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The application rows of `make bench`: one throughput measurement of
# redis-server under redis-benchmark (SET and GET) or of nginx under wrk,
# with the SERVER run natively or under an interposer; the client always
# runs natively. Prints one line of KEY=VALUE pairs; rps= is the
# requests per second the row reads. See bench/README.md.
#
# usage: bench/app_bench.sh redis|nginx MODE [-P N] [-c N] [-n N] [-d SECS]
#   MODE     native     the server as is
#            kblaunch   kblaunch --profile passthrough.profile: every
#                       syscall passed, decided in the kernel's fast path
#                       when the module is loaded
#            ioctl      the same with --no-fastpath: every syscall raises
#                       SIGSYS and is decided by the module's ioctl
#            no-module  kblaunch --no-module: decided in the process (what
#                       runs without the module, e.g. on the build machine)
#            strace     strace -f -qq -o /dev/null, the ptrace peer
#   -P N     redis: pipelined requests per client (redis-benchmark -P), 1
#   -c N     client connections: redis-benchmark -c (default 16: even
#            strace's short run is a few rounds of 16 x 16 pipelined
#            requests), wrk -c (default 1)
#   -n N     redis: requests per test (SET, then GET); default 2000 with
#            -P 1, 15000 with -P 2 or more (1-3 s per run natively in the
#            TCG guest). strace mode takes a tenth of the default, a
#            fifteenth with -P 2 or more (the figure is a rate, so it stays
#            comparable; the line says n_auto=); an -n given is kept
#   -d SECS  nginx: wrk's duration, default 2
#
# Steps: the server starts on a free loopback port with a private config
# in a temp dir, pinned to one CPU with its interposer; once it answers
# (redis: PING; nginx: the page, byte for byte) the measured client runs,
# pinned to another CPU; then the server is told to stop (redis: SHUTDOWN
# NOSAVE; nginx: SIGQUIT to the master) and must exit 0. Anything else
# fails (exit status 1, the reason and the server's log on stderr): a
# server that dies or never answers, a client that fails or reports
# errors (redis-benchmark must give both rates and the keys must be
# there; wrk must see no socket error and no non-2xx answer). Every
# process started is killed on every way out (the EXIT, TERM, INT and HUP
# traps of tests/workloads/lib.sh).
#
# Under TCG every exec costs 0.1-0.3 s and a python start a second, and a
# row runs 5 times: besides the server and the client this script runs
# only a handful of programs (no python, no redis-cli or curl, no sleep).
#
# env: KBLAUNCH, PROFILES (default: the repo's .output/kblaunch and
#      bench/profiles); REPORT: kblaunch's --report file (run-guest.sh
#      checks it; default a temp file); APP_BENCH_WAIT: seconds the server
#      gets to start and to stop (60); APP_BENCH_TIMEOUT: seconds the
#      measured client gets (redis; 300); APP_BENCH_PIN=0: no CPU
#      pinning; APP_BENCH_VERBOSE=1: the time of each step on stderr
set -u
t_start=${EPOCHREALTIME//[.,]/}
me=app_bench
usage() {
	echo "usage: $0 redis|nginx native|kblaunch|ioctl|no-module|strace [-P N] [-c N] [-n N] [-d SECS]" >&2
	exit 64
}
[ $# -ge 2 ] || usage
app=$1 mode=$2
shift 2
case $app in redis|nginx) ;; *) echo "$me: unknown application '$app'" >&2; usage ;; esac
case $mode in native|kblaunch|ioctl|no-module|strace) ;; *) echo "$me: unknown mode '$mode'" >&2; usage ;; esac
pipeline=1 clients='' n='' secs=2
while getopts P:c:n:d: opt; do
	case $opt in
	P) pipeline=$OPTARG ;;
	c) clients=$OPTARG ;;
	n) n=$OPTARG ;;
	d) secs=$OPTARG ;;
	*) usage ;;
	esac
done
[ $OPTIND -gt $# ] || { echo "$me: unexpected argument '${!OPTIND}'" >&2; usage; }
for v in "$pipeline" "${clients:-1}" "${n:-1}" "$secs"; do
	case $v in ''|*[!0-9]*|0*) echo "$me: -P, -c, -n and -d take positive integers, not '$v'" >&2; exit 64 ;; esac
done

repo=$(cd "$(dirname "$0")/.." && pwd) || exit 2
KBLAUNCH=${KBLAUNCH:-$repo/.output/kblaunch}
PROFILES=${PROFILES:-$repo/bench/profiles}

# lib.sh's bounds are for an analysis, where a server that hangs is the
# common case; here a slow start (strace, TCG) is normal, a hang is not.
WL_WAIT=${APP_BENCH_WAIT:-60}
WL_QUICK=10
client_limit=${APP_BENCH_TIMEOUT:-300}
for v in "$WL_WAIT" "$client_limit"; do
	case $v in ''|*[!0-9]*|0*) echo "$me: APP_BENCH_WAIT and APP_BENCH_TIMEOUT take positive integers, not '$v'" >&2; exit 64 ;; esac
done
# shellcheck source=tests/workloads/lib.sh
. "$repo/tests/workloads/lib.sh"

# fail MSG: say why on stderr and exit 1 (lib.sh's EXIT trap then shows
# the end of the server's log and kills what is left)
fail() {
	echo "$me: $*" >&2
	exit 1
}

# On a failure, the server's process group goes first: the server, its
# interposer and everything they started, also what the death of its
# parent left to init (an nginx worker whose master died is no child of
# anything here, nor does its environment tell, nginx overwrites it).
server_pg=''
app_exit() {
	local st=$?
	if [ "$st" -ne 0 ] && [ -n "$server_pg" ]; then
		kill -STOP -- "-$server_pg" 2>/dev/null
		kill -KILL -- "-$server_pg" 2>/dev/null
	fi
	# lib.sh's handler: the servers' logs on a failure, the remaining
	# children killed and reaped, the temp dir removed.
	(exit "$st")
	wl_exit
}
trap app_exit EXIT

# lib.sh's waits poll with `sleep 0.01`: here a read that times out on a
# pipe nobody writes (opened read-write, so it never reads an end of
# file), the same pause without an exec each round.
exec {tick}<> <(:) || fail "no pipe for the waits"
sleep() {
	read -r -t "$1" -u "$tick" _ 2>/dev/null
	return 0
}

# step WHAT: with APP_BENCH_VERBOSE=1, the time since the script started
# on stderr (where a slow run spends it)
step() {
	[ "${APP_BENCH_VERBOSE:-0}" = 1 ] || return 0
	local t=${EPOCHREALTIME//[.,]/}
	printf '%s: %6.2fs %s\n' "$me" "$(((t - t_start) / 10000))e-2" "$1" >&2
}

need() {
	local p
	for p; do
		command -v "$p" >/dev/null 2>&1 || fail "$p not found (tests/run/install-deps.sh installs it)"
	done
}
need taskset timeout
case $app in
redis) need redis-server redis-benchmark ;;
nginx) need nginx wrk ;;
esac

# The interposer, in front of the server only.
report=${REPORT:-$wl_tmp/report.json}
rm -f "$report"
kb=("$KBLAUNCH" --report "$report" --profile "$PROFILES/passthrough.profile")
case $mode in
native) wrap=() ;;
kblaunch) wrap=("${kb[@]}" --) ;;
ioctl) wrap=("${kb[@]}" --no-fastpath --) ;;
no-module) wrap=("${kb[@]}" --no-module --) ;;
strace) need strace; wrap=(strace -f -qq -o /dev/null --) ;;
esac
if [ "${wrap[0]:-}" = "$KBLAUNCH" ] && [ ! -x "$KBLAUNCH" ]; then
	fail "$KBLAUNCH missing (make userland)"
fi

# The server and its interposer on one CPU, the client on another: the
# client's own work does not compete with the server's, and every mode
# gives the server side the same single CPU (redis serves from one
# thread, nginx runs one worker). A tracer (strace) shares that CPU with
# its tracee, as kblaunch's runtime shares it with the program.
pin_server=() pin_client=() cpus="server_cpu=any client_cpu=any"
if [ "${APP_BENCH_PIN:-1}" != 0 ]; then
	# The first two CPUs this process may run on ("0-1", "0,2-5", ...).
	list=''
	while IFS=$'\t' read -r k v; do
		[ "$k" = Cpus_allowed_list: ] && list=$v
	done </proc/self/status
	two=()
	IFS=, read -ra ranges <<<"$list"
	for r in "${ranges[@]}"; do
		for ((c = ${r%-*}; c <= ${r#*-} && ${#two[@]} < 2; c++)); do
			two+=("$c")
		done
	done
	if [ ${#two[@]} -eq 2 ]; then
		pin_server=(taskset -c "${two[0]}") pin_client=(taskset -c "${two[1]}")
		cpus="server_cpu=${two[0]} client_cpu=${two[1]}"
	fi
fi

# pick_port: a loopback port nobody accepts connections on, in $port,
# below the ephemeral range (so that no client socket holds it). Not
# lib.sh's free_port: that starts python.
pick_port() {
	local lo _ i
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range || lo=32768
	if [ "$lo" -le 11000 ]; then
		port=$(free_port) || fail "no free port"
		return
	fi
	for i in 1 2 3 4 5 6 7 8; do
		port=$((10000 + (RANDOM * 32768 + RANDOM) % (lo - 10000)))
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || return 0
	done
	fail "no free port below $lo"
}

# start_server CMD...: CMD (under the interposer, on the server's CPU) in
# the background as $server, in a process group of its own (job control
# on for that one start), its output in $wl_tmp/server.out; then wait
# until it accepts connections on $port
start_server() {
	set -m
	wl_start "${pin_server[@]}" "${wrap[@]}" "$@" </dev/null >"$wl_tmp/server.out" 2>&1 {tick}>&-
	set +m
	server=$wl_pid server_pg=$wl_pid
	wl_logs+=("$wl_tmp/server.out")
	step "server started"
	if ! wl_wait_port "$port" "$server"; then
		wl_ours "$server" && kill -0 "$server" 2>/dev/null &&
			fail "$app ($mode) not listening on port $port after ${WL_WAIT}s"
		wait "$server"
		fail "$app ($mode) exited (status $?) before listening on port $port"
	fi
	step "listening"
}

# stop_server: the server, told to stop by the caller, exits 0 in time
stop_server() {
	wl_wait_exit "$server" || fail "$app ($mode) did not exit within ${WL_WAIT}s of being told to stop"
	[ "$wl_status" = 0 ] || fail "$app ($mode) exit status $wl_status after being told to stop"
	step "server stopped"
}

# alive WHAT: the server (and the interposer) still runs after WHAT
alive() {
	kill -0 "$server" 2>/dev/null || fail "$app ($mode) died during $1"
}

# client LOG LIMIT CMD...: the measured client, on its CPU, bounded in
# time; it must exit 0. In the background, so that a TERM is handled at
# once (bash runs traps only between commands).
client() {
	local log=$1 limit=$2 rc
	shift 2
	wl_start timeout -k 5 "$limit" "${pin_client[@]}" "$@" >"$log" 2>&1 {tick}>&-
	wait "$wl_pid"
	rc=$?
	wl_forget "$wl_pid"
	if [ "$rc" -ne 0 ]; then
		cat "$log" >&2
		fail "$1 failed (exit status $rc$([ "$rc" = 124 ] && echo ": took more than ${limit}s"))"
	fi
	step "client done"
	alive "$1"
}

# report_stats: what kblaunch's report counted, as KEY=VALUE pairs in
# $stats (the row's check column judges them)
report_stats() {
	local json key re
	stats=''
	[ "${wrap[0]:-}" = "$KBLAUNCH" ] || return 0
	[ -s "$report" ] || fail "kblaunch wrote no report ($report)"
	json=$(<"$report")
	# The first of each key: "path" and the totals come before the
	# syscalls' own keys.
	for key in path total fastpath; do
		re="\"$key\":[[:space:]]*\"?([a-z0-9-]+)"
		[[ $json =~ $re ]] || fail "kblaunch's report $report has no \"$key\""
		stats+="${stats:+ }${key/#total/syscalls}=${BASH_REMATCH[1]}"
	done
}

run_redis() {
	local fd got a b out rps div
	if [ -z "$n" ]; then
		n=2000
		[ "$pipeline" -gt 1 ] && n=15000
		# strace slows redis about 10 times, 20-60 times with pipelining
		# (measured in the TCG guest): fewer requests, the rate stays a
		# rate. Still a few rounds of every client's pipeline.
		if [ "$mode" = strace ]; then
			div=10
			[ "$pipeline" -gt 1 ] && div=15
			n=$((n / div)) note=" n_auto=default/$div"
		fi
	fi
	clients=${clients:-16}
	pick_port
	step "options read, port chosen"
	start_server redis-server --port "$port" --bind 127.0.0.1 --save '' \
		--appendonly no --daemonize no --dir "$wl_tmp" --logfile ''
	got=$(wl_ask "$port" PING)
	[ "$got" = +PONG ] || fail "redis-server ($mode): PING answered '$got'"

	out=$wl_tmp/bench
	client "$out" "$client_limit" redis-benchmark -h 127.0.0.1 -p "$port" \
		-c "$clients" -n "$n" -P "$pipeline" -t set,get --csv
	# "SET","29702.97",...: a header, then one line per test, nothing else.
	rps=$(awk -F'"' '
		NR == 1 && $2 == "test" { next }
		($2 == "SET" || $2 == "GET") && $4 + 0 > 0 && !($2 in r) { r[$2] = $4 + 0; next }
		{ bad = 1 }
		END {
			if (bad || !("SET" in r) || !("GET" in r)) exit 1
			# n SETs then n GETs: all requests over the time of both
			printf "set_rps=%.2f get_rps=%.2f rps=%.2f\n", r["SET"], r["GET"], 2 / (1 / r["SET"] + 1 / r["GET"])
		}' "$out") ||
		{ cat "$out" >&2; fail "redis-benchmark did not report both a SET and a GET rate"; }

	# Without -r every SET wrote the same 3-byte key: the writes landed.
	# Then the clean stop, on the same connection (inline commands).
	exec {fd}<>"/dev/tcp/127.0.0.1/$port" || fail "redis-server ($mode): no connection after the benchmark"
	printf 'DBSIZE\r\nSTRLEN key:__rand_int__\r\n' >&"$fd"
	read -r -t "$WL_QUICK" a <&"$fd"
	read -r -t "$WL_QUICK" b <&"$fd"
	got="${a%$'\r'} ${b%$'\r'}"
	[ "$got" = ":1 :3" ] || fail "redis-server ($mode): DBSIZE and STRLEN answered '$got', expected ':1 :3'"
	printf 'SHUTDOWN NOSAVE\r\n' >&"$fd"
	stop_server
	exec {fd}>&-
	result="app=redis mode=$mode P=$pipeline clients=$clients n=$n$note $rps iters=$((2 * n))"
}

run_nginx() {
	local pre line page resp fd i reqs='' rps='' errors=''
	clients=${clients:-1}
	pick_port
	step "options read, port chosen"
	pre=$wl_tmp/nginx
	mkdir -p "$pre/html" "$pre/tmp" || exit 1
	# A small static page (64 lines, 4 KiB), new each run.
	page=''
	for ((i = 0; i < 64; i++)); do
		printf -v line '%05d %05d %052d\n' "$i" "$RANDOM" "$RANDOM"
		page+=$line
	done
	printf '%s' "$page" >"$pre/html/index.html" || exit 1
	# As tests/workloads/nginx.sh: a master and one worker (as root, so
	# that the private temp dir needs no opening up), no access log.
	# Keep-alive connections are never closed by the server during a run:
	# wrk's connections are the ones measured, not reconnections.
	cat >"$pre/nginx.conf" <<-EOF
	worker_processes 1;
	master_process on;
	user root;
	pid nginx.pid;
	error_log stderr warn;
	events {
		worker_connections 1024;
	}
	http {
		access_log off;
		keepalive_requests 100000000;
		keepalive_timeout 300s;
		client_body_temp_path tmp/body;
		proxy_temp_path tmp/proxy;
		fastcgi_temp_path tmp/fastcgi;
		uwsgi_temp_path tmp/uwsgi;
		scgi_temp_path tmp/scgi;
		default_type text/html;
		server {
			listen 127.0.0.1:$port;
			root html;
		}
	}
	EOF
	# -e stderr: the compiled-in error log is opened before the config is read.
	start_server nginx -p "$pre/" -c "$pre/nginx.conf" -e stderr -g 'daemon off;'
	# The page, byte for byte (HTTP/1.0: the server closes, read to the end).
	exec {fd}<>"/dev/tcp/127.0.0.1/$port" || fail "nginx ($mode): no connection"
	printf 'GET /index.html HTTP/1.0\r\nHost: localhost\r\n\r\n' >&"$fd"
	IFS= read -r -d '' -t "$WL_QUICK" resp <&"$fd"
	exec {fd}>&-
	case ${resp%%$'\r'*} in
	"HTTP/1.1 200 "*) ;;
	*) fail "nginx ($mode): GET /index.html answered '${resp%%$'\r'*}'" ;;
	esac
	[ "${resp#*$'\r\n\r\n'}" = "$page" ] || fail "nginx ($mode) served a different index.html"
	step "page checked"

	client "$wl_tmp/wrk" $((secs + 60)) wrk -t 1 -c "$clients" -d "${secs}s" --timeout 10s \
		"http://127.0.0.1:$port/index.html"
	while IFS= read -r line; do
		case $line in
		*" requests in "*) reqs=${line%% requests in *} reqs=${reqs##* } ;;
		Requests/sec:*) rps=${line#Requests/sec:} rps=${rps//[[:space:]]/} ;;
		*"Socket errors"*|*"Non-2xx"*) errors=1 ;;
		esac
	done <"$wl_tmp/wrk"
	if [[ ! $reqs =~ ^[0-9]+$ ]] || [ "$reqs" -lt 1 ] || [[ ! $rps =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
		cat "$wl_tmp/wrk" >&2
		fail "wrk reported no requests or no rate"
	fi
	if [ -n "$errors" ]; then
		cat "$wl_tmp/wrk" >&2
		fail "wrk saw socket errors or non-2xx answers"
	fi

	# The master (its own pid, whatever runs it) stops its worker and exits.
	line=$(<"$pre/nginx.pid") || fail "nginx ($mode) wrote no pid file"
	[[ $line =~ ^[0-9]+$ ]] || fail "nginx ($mode): pid file holds '$line'"
	kill -QUIT "$line" || fail "nginx master $line: no such process"
	stop_server
	[ ! -e "$pre/nginx.pid" ] || fail "nginx ($mode) left its pid file"
	result="app=nginx mode=$mode connections=$clients secs=$secs rps=$rps iters=$reqs"
}

note='' result=''
"run_$app"
report_stats
echo "$me $result $cpus${stats:+ $stats}"
