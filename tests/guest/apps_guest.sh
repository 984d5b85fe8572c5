#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The real-program matrix of issue 3, inside the guest as root with
# kbridge.ko loaded: redis, nginx, memcached, sqlite3, python3 threads and
# multiprocessing, sh, make, perl and tar run under `kblaunch --report`,
# each compared with its native run (stdout and exit status; for servers
# the client-side results, with zero errors). The reports then show that
# the syscalls of every thread, forked child and exec'd program went
# through kbridge. Prints TAP.
#
# Workload files are in tests/apps/. Servers listen on loopback ports 7777
# (redis, fixed by the issue), 8088 (nginx) and 11311 (memcached); every
# wait is bounded and whatever this script started is killed on exit.
# KBOPT=--no-module runs it on a machine without the module (the checks
# that need the module's session then skip).
set -u
KBOPT=${KBOPT-}
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"

A=$PWD/tests/apps
# Some programs run from other directories; KBLAUNCH=PATH tests another
# build.
K=$(realpath "${KBLAUNCH:-$K}")
# nginx's workers (user nobody) serve files from under it.
chmod 711 "$kb_tmp"
# How long one server may take to come up or go down (TCG is slow).
WAIT_S=30

# Everything started in the background, killed (with its descendants)
# on exit if it is still there.
bg_pids=()
kill_tree() {
	local c
	# Stopped first, so that it cannot fork again (an nginx master
	# replaces a killed worker at once).
	kill -STOP "$1" 2>/dev/null
	for c in $(pgrep -P "$1"); do
		kill_tree "$c"
	done
	kill -KILL "$1" 2>/dev/null
}
# reap PID: collect a background PID's exit status into st and stop
# tracking it (its number may be reused afterwards).
reap() {
	local p keep=()
	wait "$1" 2>/dev/null
	st=$?
	for p in "${bg_pids[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	bg_pids=("${keep[@]}")
}
cleanup() {
	local p
	for p in "${bg_pids[@]}"; do
		kill -0 "$p" 2>/dev/null && kill_tree "$p"
	done
	rm -rf "$kb_tmp"
}
trap cleanup EXIT

if [ ! -x "$K" ]; then
	not_ok "kblaunch is built (make userland)"
	kb_done
	exit 1
fi
if [ -z "$KBOPT" ] && [ ! -c /dev/kbridge ]; then
	not_ok "/dev/kbridge exists (insmod kbridge.ko first)"
	kb_done
	exit 1
fi

# secs_since START: seconds since date +%s.%N printed START.
secs_since() {
	awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}

# vs_native NAME REPORT CMD...: run CMD natively and under kblaunch
# --report REPORT; ok when stdout and exit status agree.
vs_native() {
	local name=$1 rep=$2 nrc krc
	shift 2
	rm -f "$rep"
	timeout -k 5 "$KB_TIMEOUT" "$@" >"$kb_tmp/native.out" 2>"$kb_tmp/native.err"
	nrc=$?
	kb --report "$rep" -- "$@" >"$kb_tmp/kb.out" 2>"$kb_tmp/kb.err"
	krc=$?
	if [ "$nrc" -eq "$krc" ] && cmp -s "$kb_tmp/native.out" "$kb_tmp/kb.out"; then
		ok "$name: same stdout and exit status ($krc) as native"
		return 0
	fi
	not_ok "$name: differs from native (exit status $krc, native $nrc)"
	diff "$kb_tmp/native.out" "$kb_tmp/kb.out" | head -20 | sed 's/^/# diff: /'
	show "$kb_tmp/kb.err" "kblaunch stderr"
	show "$kb_tmp/native.err" "native stderr"
	return 1
}

# show_report REPORT: its busiest syscalls, as TAP diagnostics.
show_report() {
	[ -s "$1" ] && kb_report_text "$1" | sort -k2 -nr | head -25 | sed 's/^/# report: /'
}

# at_least NAME REPORT SYSCALL MIN [WHY]: the report counts SYSCALL at
# least MIN times.
at_least() {
	local got
	got=$(count "$2" "$3")
	if [ "$got" -ge "$4" ]; then
		ok "$1: $3 counted $got times (>= $4)${5:+: $5}"
	else
		not_ok "$1: $3 counted $got times, expected >= $4${5:+: $5}"
		show_report "$2"
	fi
}

# native_exits CMD...: how many processes of CMD's native run end with
# exit_group (strace -f); every one of them must also be counted under
# kblaunch, exec'd programs included. Prints nothing without strace.
native_exits() {
	command -v strace >/dev/null || return 0
	timeout -k 5 "$KB_TIMEOUT" strace -f -qq -e trace=exit_group \
		-o "$kb_tmp/strace.out" "$@" >/dev/null 2>&1
	grep -c 'exit_group(' "$kb_tmp/strace.out"
}

# exits_followed NAME REPORT NATIVE_EXITS: every process that exits
# natively (exec'd children included) exited under kbridge's eyes.
exits_followed() {
	local got
	if [ -z "$3" ]; then
		skip "$1: exec'd children intercepted" "strace not installed"
		return
	fi
	got=$(count "$2" exit_group)
	if [ "$got" -eq "$3" ]; then
		ok "$1: exec'd children intercepted: exit_group counted $got times, $3 processes natively"
	else
		not_ok "$1: exec'd children not all intercepted: exit_group counted $got times, $3 processes exit natively"
		show_report "$2"
	fi
}

# wait_until SECS CMD...: run CMD every 0.2 s until it succeeds; 1 if it
# never did within SECS.
wait_until() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# wait_exit PID: wait (bounded) for a background PID to end; sets st to
# its exit status, or to "hung" after killing it.
wait_exit() {
	local end=$(($(date +%s) + WAIT_S))
	while kill -0 "$1" 2>/dev/null; do
		if [ "$(date +%s)" -ge "$end" ]; then
			kill_tree "$1"
			reap "$1"
			st=hung
			return 1
		fi
		sleep 0.1
	done
	reap "$1"
}

# start MODE LOG REPORT CMD...: start a server in the background natively
# (MODE native) or under kblaunch -v --report REPORT (MODE kb), with
# --profile $KBPROF when KBPROF is set. Sets
# spid to the process started and prog_pid to the program's own pid
# (kblaunch's child under kblaunch).
start() {
	local mode=$1 log=$2 rep=$3 i
	shift 3
	if [ "$mode" = native ]; then
		"$@" >"$log" 2>&1 &
		spid=$!
		prog_pid=$spid
	else
		rm -f "$rep"
		# shellcheck disable=SC2086
		"$K" $KBOPT ${KBPROF:+--profile "$KBPROF"} -v --report "$rep" \
			-- "$@" >"$log" 2>&1 &
		spid=$!
		prog_pid=
		for i in $(seq 50); do
			prog_pid=$(pgrep -P "$spid" | head -1)
			[ -n "$prog_pid" ] && break
			sleep 0.1
		done
	fi
	bg_pids+=("$spid")
}

# tasks PID: the number of threads PID has now.
tasks() {
	ls "/proc/$1/task" 2>/dev/null | wc -l
}

# port_free PORT NAME: fail the server's check if something else already
# listens there (then its results would not be ours).
port_free() {
	if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
		not_ok "$2: port $1 is already in use on 127.0.0.1"
		return 1
	fi
}

# joined LOG: "N" from kblaunch -v's "N tasks joined" line.
joined() {
	sed -n 's/.* \([0-9]*\) tasks joined, .*/\1/p' "$1" | tail -1
}

# tasks_joined NAME LOG NATIVE_TASKS: kblaunch -v says at least as many
# tasks joined the session as the program had threads natively.
tasks_joined() {
	local j
	if [ -n "$KBOPT" ]; then
		skip "$1: every thread joined the session" "no module ($KBOPT)"
		return
	fi
	j=$(joined "$2")
	if [ -n "$j" ] && [ "$j" -ge "$3" ]; then
		ok "$1: $j tasks joined the session (natively $3 threads)"
	else
		not_ok "$1: '${j}' tasks joined the session, natively $3 threads"
		show "$2" log
	fi
}

section() {
	echo "# ---- $1 ($(secs_since "$t0")s so far)"
}
t0=$(date +%s.%N)

# ---- sh: a pipeline of exec'd programs ----
section "sh pipeline"
rep=$kb_tmp/sh.rep
vs_native "sh -c 'ls / | sort | wc -l'" "$rep" sh -c 'ls / | sort | wc -l'
exits_followed "sh -c 'ls / | sort | wc -l'" "$rep" \
	"$(native_exits sh -c 'ls / | sort | wc -l')"
# Only ls reads a directory.
at_least "sh pipeline: ls ran under kbridge" "$rep" getdents64 1 "only ls reads directories"

# ---- perl: computation and file I/O, no exec ----
section perl
if need "perl -e" perl; then
	# shellcheck disable=SC2016
	perl_prog='
		use strict; use Digest::MD5 qw(md5_hex);
		my $f = $ARGV[0]; my @p; my $n = 2;
		while (@p < 500) { push @p, $n unless grep { $n % $_ == 0 } grep { $_ * $_ <= $n } @p; $n++ }
		open(my $o, ">", $f) or die "open: $!"; print $o "$_\n" for @p; close $o;
		open(my $i, "<", $f) or die "open: $!"; my @back = <$i>; close $i; unlink $f or die;
		my %h; $h{length $_}++ for @p;
		printf "%d primes, last %d, md5 %s\n", scalar @back, $p[-1], md5_hex(join "", @back);
		print join(",", map { "$_:$h{$_}" } sort keys %h), "\n";
		exit 3;'
	vs_native "perl -e (primes, file I/O, exit 3)" "$kb_tmp/perl.rep" \
		perl -e "$perl_prog" "$kb_tmp/perl.txt"
fi

# ---- sqlite3 on a file database ----
section sqlite3
if need "sqlite3 file database" sqlite3; then
	{
		echo 'create table t(id integer primary key, x integer, s text);'
		echo 'begin;'
		for i in $(seq 1000); do
			echo "insert into t(x, s) values($((i * i % 977)), 'row $i');"
		done
		echo 'commit;'
		echo 'create index tx on t(x);'
		echo 'select count(*), sum(x), max(s) from t;'
		echo 'select x, count(*) from t group by x order by 2 desc, 1 limit 5;'
		echo 'delete from t where id % 3 = 0;'
		echo 'select count(*), total(x) from t;'
	} >"$kb_tmp/sql"
	rep=$kb_tmp/sqlite.rep
	timeout -k 5 "$KB_TIMEOUT" sqlite3 "$kb_tmp/n.db" <"$kb_tmp/sql" >"$kb_tmp/sq.n" 2>&1
	nrc=$?
	kb --report "$rep" -- sqlite3 "$kb_tmp/k.db" <"$kb_tmp/sql" >"$kb_tmp/sq.k" 2>&1
	krc=$?
	if [ "$nrc" -eq "$krc" ] && cmp -s "$kb_tmp/sq.n" "$kb_tmp/sq.k"; then
		ok "sqlite3 file db: 1000 inserts in a transaction, queries: same output and exit status ($krc) as native"
	else
		not_ok "sqlite3 file db: differs from native (exit status $krc, native $nrc)"
		diff "$kb_tmp/sq.n" "$kb_tmp/sq.k" | head -20 | sed 's/^/# diff: /'
	fi
	at_least "sqlite3: the transaction was synced through kbridge" "$rep" fdatasync 1
	out=$(sqlite3 "$kb_tmp/k.db" 'pragma integrity_check; select count(*) from t;' 2>&1)
	[ "$out" = "$(printf 'ok\n667')" ] &&
		ok "sqlite3: the database written under kblaunch reads natively (integrity_check ok, 667 rows)" ||
		{ not_ok "sqlite3: natively reading the database written under kblaunch"; sed 's/^/# /' <<<"$out"; }
fi

# ---- python3: threads and multiprocessing ----
section python3
if need "python3 threads" "$PY"; then
	rep=$kb_tmp/py.rep
	vs_native "python3: 8 threads, file I/O, joined" "$rep" "$PY" "$A/threads.py" 200
	expect_count "python3 threads (8 x 200, every thread)" "$rep" getppid 1600
	for m in default spawn forkserver; do
		vs_native "python3 multiprocessing Pool(4).map, $m" "$rep" "$PY" "$A/pool.py" "$m"
		# Every worker's getppid, exec'd python included for spawn and
		# forkserver.
		expect_count "python3 Pool $m: the workers' syscalls (40 x 10)" "$rep" getppid 400
	done
fi

# ---- make: a tiny build that execs sh, coreutils, cc (cc1, as, ld) ----
section make
if need "make" make && need "make (cc)" cc; then
	for d in native kb strace; do
		mkdir -p "$kb_tmp/mk-$d"
		cp "$A/Makefile" "$A/words.in" "$A/hello.c" "$kb_tmp/mk-$d/"
	done
	rep=$kb_tmp/make.rep
	(cd "$kb_tmp/mk-native" && timeout -k 5 "$KB_TIMEOUT" make) >"$kb_tmp/mk.n" 2>&1
	nrc=$?
	(cd "$kb_tmp/mk-kb" && kb --report "$rep" -- make) >"$kb_tmp/mk.k" 2>&1
	krc=$?
	if [ "$nrc" -eq "$krc" ] && cmp -s "$kb_tmp/mk.n" "$kb_tmp/mk.k" &&
	   cmp -s "$kb_tmp/mk-native/out/hello.out" "$kb_tmp/mk-kb/out/hello.out"; then
		ok "make: same output, exit status ($krc) and built program as native"
	else
		not_ok "make: differs from native (exit status $krc, native $nrc)"
		diff "$kb_tmp/mk.n" "$kb_tmp/mk.k" | head -20 | sed 's/^/# diff: /'
	fi
	exits_followed make "$rep" "$(cd "$kb_tmp/mk-strace" && native_exits make)"
fi

# ---- tar czf + tar xzf (tar execs sh -c gzip) ----
section tar
src=$kb_tmp/tsrc
mkdir -p "$src/sub/deeper" "$src/empty"
seq 1 20000 >"$src/numbers"
printf 'hello\n' >"$src/sub/hello"
head -c 65536 /dev/urandom >"$src/sub/deeper/random.bin"
: >"$src/sub/zero"
ln -s ../numbers "$src/sub/link"
chmod 640 "$src/sub/hello"
chmod 711 "$src/sub/deeper"
touch -h -d '2021-02-03 04:05:06' "$src" "$src"/* "$src"/sub/* "$src"/sub/deeper/*
rep=$kb_tmp/tarc.rep
(cd "$kb_tmp" && timeout -k 5 "$KB_TIMEOUT" tar czvf n.tgz tsrc) >"$kb_tmp/tc.n" 2>&1
nrc=$?
(cd "$kb_tmp" && kb --report "$rep" -- tar czvf k.tgz tsrc) >"$kb_tmp/tc.k" 2>&1
krc=$?
if [ "$nrc" -eq "$krc" ] && cmp -s "$kb_tmp/tc.n" "$kb_tmp/tc.k" &&
   cmp -s <(gzip -dc "$kb_tmp/n.tgz") <(gzip -dc "$kb_tmp/k.tgz"); then
	ok "tar czvf: same listing, exit status ($krc) and archive contents as native"
else
	not_ok "tar czvf: differs from native (exit status $krc, native $nrc)"
	diff "$kb_tmp/tc.n" "$kb_tmp/tc.k" | head -20 | sed 's/^/# diff: /'
fi
exits_followed "tar czf" "$rep" "$(cd "$kb_tmp" && native_exits tar czf s.tgz tsrc)"

rep=$kb_tmp/tarx.rep
mkdir -p "$kb_tmp/xn" "$kb_tmp/xk" "$kb_tmp/xs"
timeout -k 5 "$KB_TIMEOUT" tar xzvf "$kb_tmp/n.tgz" -C "$kb_tmp/xn" >"$kb_tmp/tx.n" 2>&1
nrc=$?
kb --report "$rep" -- tar xzvf "$kb_tmp/k.tgz" -C "$kb_tmp/xk" >"$kb_tmp/tx.k" 2>&1
krc=$?
tree() { (cd "$1" && find . -printf '%P %y %m %s %T@ %l\n' | sort); }
if [ "$nrc" -eq "$krc" ] && cmp -s "$kb_tmp/tx.n" "$kb_tmp/tx.k" &&
   diff -r "$src" "$kb_tmp/xk/tsrc" >"$kb_tmp/diff" 2>&1 &&
   cmp -s <(tree "$src") <(tree "$kb_tmp/xk/tsrc"); then
	ok "tar xzvf: same listing and exit status ($krc) as native, diff -r and modes/mtimes identical"
else
	not_ok "tar xzvf: differs (exit status $krc, native $nrc)"
	show "$kb_tmp/diff" "diff -r"
	diff <(tree "$src") <(tree "$kb_tmp/xk/tsrc") | head -10 | sed 's/^/# tree: /'
fi
exits_followed "tar xzf" "$rep" "$(native_exits tar xzf "$kb_tmp/n.tgz" -C "$kb_tmp/xs")"

# ---- redis ----
section redis
# redis_run MODE REQUESTS: one redis-server life: PING, redis-benchmark
# -n REQUESTS, a few commands, shutdown. Sets r_up r_tasks r_bench r_brc
# r_cli st.
redis_run() {
	local log=$kb_tmp/redis.$1.log
	r_up=0 r_tasks=0 r_bench='' r_brc='' r_cli='' st=''
	start "$1" "$log" "$kb_tmp/redis.rep" \
		redis-server --port 7777 --save '' --appendonly no
	if ! wait_until "$WAIT_S" sh -c 'redis-cli -p 7777 ping | grep -qx PONG'; then
		kill_tree "$spid"
		reap "$spid"
		show "$log" "redis $1"
		return
	fi
	r_up=1
	timeout -k 5 "$(kb_t 180)" redis-benchmark -p 7777 -n "$2" -t set,get,incr,lpush -q \
		>"$kb_tmp/bench.$1" 2>&1
	r_brc=$?
	r_bench=$(tr '\r' '\n' <"$kb_tmp/bench.$1" |
		grep -E '^[A-Z]+: [0-9.]+ requests per second' | cut -d, -f1)
	r_tasks=$(tasks "$prog_pid")
	r_cli=$(for c in "set k v" "get k" "llen mylist" "get counter:__rand_int__"; do
			# shellcheck disable=SC2086
			timeout "$(kb_t 10)" redis-cli -p 7777 $c
		done | tr '\n' ' ')
	timeout "$(kb_t 10)" redis-cli -p 7777 shutdown nosave >/dev/null 2>&1
	wait_exit "$spid"
	[ "$st" = 0 ] || show "$log" "redis $1"
}
if need redis redis-server && need redis redis-benchmark && port_free 7777 redis; then
	# Natively only what is compared (exit status, threads): a tenth of
	# the requests, to save time under TCG.
	redis_run native 2000
	n_st=$st n_tasks=$r_tasks n_up=$r_up
	echo "# redis native (-n 2000): $(tr '\n' ';' <<<"$r_bench") $n_tasks threads, exit status $n_st"
	redis_run kb 20000
	rep=$kb_tmp/redis.rep
	if [ "$r_up" = 1 ]; then
		ok "redis under kblaunch answers PING (native: $([ "$n_up" = 1 ] && echo yes || echo no))"
	else
		not_ok "redis under kblaunch never answered PING within ${WAIT_S}s"
	fi
	errs=$(tr '\r' '\n' <"$kb_tmp/bench.kb" 2>/dev/null | grep -ci error)
	if [ "$r_brc" = 0 ] && [ "$(wc -l <<<"$r_bench")" -eq 4 ] && [ "$errs" -eq 0 ]; then
		ok "redis-benchmark -n 20000 set,get,incr,lpush: no errors: $(tr '\n' ';' <<<"$r_bench")"
	else
		not_ok "redis-benchmark: exit status '$r_brc', $errs error lines, results: $(tr '\n' ';' <<<"$r_bench")"
		tr '\r' '\n' <"$kb_tmp/bench.kb" 2>/dev/null | grep -v 'rps=' | tail -10 | sed 's/^/# bench: /'
	fi
	[ "$r_cli" = "OK v 20000 20000 " ] &&
		ok "redis-cli: set/get, llen mylist = 20000, INCR counter = 20000" ||
		not_ok "redis-cli: set k v, get k, llen mylist, get counter: '$r_cli', expected 'OK v 20000 20000'"
	[ "$st" = "$n_st" ] &&
		ok "redis: shutdown nosave, exit status $st as native" ||
		not_ok "redis: exit status after shutdown '$st', native '$n_st'"
	# Two syscalls (read and write) per request at least.
	at_least "redis report" "$rep" total 160000 "80000 requests"
	at_least "redis report" "$rep" epoll_wait 1
	at_least "redis report" "$rep" futex 1 "the background threads"
	# Every thread (glibc's start_thread) registers its robust list once.
	at_least "redis: every thread started under kbridge" "$rep" set_robust_list "$n_tasks" \
		"natively $n_tasks threads"
	tasks_joined redis "$kb_tmp/redis.kb.log" "$n_tasks"
fi

# ---- nginx: master + 2 forked workers ----
section nginx
# nginx_run MODE: serve PREFIX/html, fetch it with curl, load it with
# wrk, stop it with SIGQUIT. Sets g_up g_body g_404 g_workers g_wrk
# g_wrc st.
nginx_run() {
	local log=$kb_tmp/nginx.$1.log pre=$kb_tmp/ng-$1 pid
	g_up=0 g_body=1 g_404='' g_workers=0 g_wrk='' g_wrc='' st=''
	mkdir -p "$pre/html" "$pre/tmp"
	cp "$kb_tmp/index.html" "$pre/html/"
	# The workers run as nobody.
	chmod -R a+rX "$pre"
	start "$1" "$log" "$kb_tmp/nginx.rep" \
		nginx -p "$pre/" -c "$A/nginx.conf" -e stderr -g 'daemon off;'
	if ! wait_until "$WAIT_S" curl -sf -o /dev/null http://127.0.0.1:8088/ ||
	   ! wait_until 5 test -s "$pre/nginx.pid"; then
		kill_tree "$spid"
		reap "$spid"
		show "$log" "nginx $1"
		return
	fi
	g_up=1
	timeout "$(kb_t 30)" curl -s http://127.0.0.1:8088/ | cmp -s - "$kb_tmp/index.html"
	g_body=$?
	g_404=$(timeout "$(kb_t 30)" curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8088/missing)
	pid=$(cat "$pre/nginx.pid")
	g_workers=$(pgrep -P "$pid" | wc -l)
	timeout -k 5 "$(kb_t 60)" wrk -t2 -c8 -d3s --timeout 10s http://127.0.0.1:8088/ \
		>"$kb_tmp/wrk.$1" 2>&1
	g_wrc=$?
	g_wrk=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$kb_tmp/wrk.$1")
	kill -QUIT "$pid"
	wait_exit "$spid"
	[ "$st" = 0 ] || show "$log" "nginx $1"
}
if need nginx nginx && need nginx curl && need nginx wrk && port_free 8088 nginx; then
	head -c 30000 /dev/urandom | base64 >"$kb_tmp/index.html"
	nginx_run native
	n_st=$st n_workers=$g_workers
	echo "# nginx native: wrk $g_wrk requests, $n_workers workers, exit status $n_st"
	nginx_run kb
	rep=$kb_tmp/nginx.rep
	if [ "$g_up" = 1 ] && [ "$g_body" = 0 ] && [ "$g_404" = 404 ]; then
		ok "nginx under kblaunch: curl gets index.html byte-identical, /missing is 404"
	else
		not_ok "nginx under kblaunch: up '$g_up', body differs '$g_body', /missing '$g_404'"
	fi
	[ "$g_workers" -eq "$n_workers" ] && [ "$g_workers" -eq 2 ] &&
		ok "nginx: master forked $g_workers workers as natively" ||
		not_ok "nginx: $g_workers workers, natively $n_workers"
	if [ "$g_wrc" = 0 ] && [ "${g_wrk:-0}" -gt 0 ] &&
	   ! grep -qE 'Socket errors|Non-2xx' "$kb_tmp/wrk.kb"; then
		ok "wrk -t2 -c8 -d3s: $g_wrk requests, no socket errors, no non-2xx"
	else
		not_ok "wrk: exit status '$g_wrc', '$g_wrk' requests"
		show "$kb_tmp/wrk.kb" wrk
	fi
	[ "$st" = "$n_st" ] &&
		ok "nginx: SIGQUIT to the master, exit status $st as native" ||
		not_ok "nginx: exit status after SIGQUIT '$st', native '$n_st'"
	# Only the workers answer clients (one writev per response at least).
	at_least "nginx: the forked workers ran under kbridge" "$rep" writev "${g_wrk:-1}" \
		"wrk's $g_wrk requests"
	tasks_joined nginx "$kb_tmp/nginx.kb.log" $((1 + n_workers))
fi

# ---- memcached: worker threads ----
section memcached
# mc_run MODE: set/get through a python client, SIGTERM. Sets m_up
# m_tasks m_out m_crc st.
mc_run() {
	local log=$kb_tmp/mc.$1.log
	m_up=0 m_tasks=0 m_out='' m_crc='' st=''
	start "$1" "$log" "$kb_tmp/mc.rep" \
		memcached -p 11311 -U 0 -l 127.0.0.1 -u root
	if ! wait_until "$WAIT_S" bash -c 'exec 3<>/dev/tcp/127.0.0.1/11311'; then
		kill_tree "$spid"
		reap "$spid"
		show "$log" "memcached $1"
		return
	fi
	m_up=1
	m_out=$(timeout "$(kb_t 60)" "$PY" "$A/memcache_client.py" 11311 400 2>&1)
	m_crc=$?
	m_tasks=$(tasks "$prog_pid")
	# To kblaunch under kblaunch: it forwards the signal.
	kill -TERM "$spid"
	wait_exit "$spid"
	[ "$st" = 0 ] || show "$log" "memcached $1"
}
if need memcached memcached && port_free 11311 memcached; then
	mc_run native
	n_st=$st n_tasks=$m_tasks n_out=$m_out n_crc=$m_crc
	mc_run kb
	rep=$kb_tmp/mc.rep
	if [ "$m_up" = 1 ] && [ "$m_crc" = 0 ] && [ "$m_out" = "$n_out" ] && [ "$n_crc" = 0 ]; then
		ok "memcached: client results as native: $m_out"
	else
		not_ok "memcached: client '$m_out' (exit status $m_crc), native '$n_out' ($n_crc)"
	fi
	[ "$st" = "$n_st" ] &&
		ok "memcached: SIGTERM, exit status $st as native" ||
		not_ok "memcached: exit status after SIGTERM '$st', native '$n_st'"
	at_least "memcached: every thread started under kbridge" "$rep" set_robust_list "$n_tasks" \
		"natively $n_tasks threads"
	# The worker threads answer the 506 requests of the client.
	at_least "memcached: the worker threads ran under kbridge" "$rep" sendmsg 500
	tasks_joined memcached "$kb_tmp/mc.kb.log" "$n_tasks"
fi

# ---- real programs under profiles (tiers 2 and 3) ----
section profiles
PR=$A/profiles
# all_decided_by NAME REPORT SYSCALL ACTION: the report has SYSCALL with
# that action, called at least once, and its rules' hits add up to its
# count: every call was decided by the profile, none escaped it.
all_decided_by() {
	local got
	got=$(report_py "$2" "(lambda s: 'absent' if s is None else '%s %d %d' % (s['action'], s['count'], sum(x['hits'] for x in s['rules'])))(sc('$3'))" 2>&1)
	set -- "$1" "$2" "$3" "$4" $got
	if [ "$#" -eq 7 ] && [ "$5" = "$4" ] && [ "$6" -ge 1 ] && [ "$6" -eq "$7" ]; then
		ok "$1: $3 $4 for all $6 calls"
	else
		not_ok "$1: $3: action/count/hits '${*:5}', expected $4 for every call"
		show_counts "$2"
	fi
}
if [ -n "$KBOPT" ]; then
	skip "programs under profiles" "stubs and fakes need the module ($KBOPT)"
else
	# brk stubbed: glibc's malloc falls back to mmap.
	py_prog='import json; print(sum(len(json.dumps(list(range(i)))) for i in range(3000)))'
	rep=$kb_tmp/brk.rep
	timeout -k 5 "$KB_TIMEOUT" "$PY" -c "$py_prog" >"$kb_tmp/brk.n" 2>&1
	kb --profile "$PR/brk-stub.profile" --report "$rep" -- "$PY" -c "$py_prog" \
		>"$kb_tmp/brk.k" 2>&1
	krc=$?
	[ "$krc" = 0 ] && cmp -s "$kb_tmp/brk.n" "$kb_tmp/brk.k" &&
		ok "python3 with brk stubbed (ENOMEM): same output as native ($(cat "$kb_tmp/brk.k"))" ||
		{ not_ok "python3 with brk stubbed: exit status $krc, output differs"; show "$kb_tmp/brk.k" out; }
	all_decided_by "brk stubbed" "$rep" brk stub

	# A stubbed unlink does not run, on the fast path and through SIGSYS.
	for fp in "" --no-fastpath; do
		f=$kb_tmp/keep.me
		: >"$f"
		rep=$kb_tmp/unlink.rep
		kb $fp --profile "$PR/no-unlink.profile" --report "$rep" -- rm -f "$f" \
			>"$kb_tmp/rm.out" 2>&1
		krc=$?
		if [ "$krc" -ne 0 ] && [ -e "$f" ] && grep -q 'Operation not permitted' "$kb_tmp/rm.out"; then
			ok "rm under 'unlinkat stub EPERM'${fp:+ ($fp)}: fails with EPERM, the file is still there"
		else
			not_ok "rm under 'unlinkat stub EPERM'${fp:+ ($fp)}: exit status $krc, file $([ -e "$f" ] && echo kept || echo removed)"
			show "$kb_tmp/rm.out" out
		fi
		all_decided_by "unlinkat stubbed${fp:+ ($fp)}" "$rep" unlinkat stub
	done

	# Path rules: decided on the path the program passed.
	rep=$kb_tmp/path.rep
	out=$(kb --profile "$PR/hide-etc.profile" --report "$rep" -- "$PY" -c '
import os
for p in ("/etc/hostname", "/etc/hosts", "/proc/self/status", "/etc/passwd"):
    try:
        os.close(os.open(p, os.O_RDONLY)); print(p, "ok")
    except OSError as e:
        print(p, e.strerror)
print("/dev/null", os.open("/dev/null", os.O_RDONLY))' 2>&1)
	exp='/etc/hostname No such file or directory
/etc/hosts No such file or directory
/proc/self/status Permission denied
/etc/passwd ok
/dev/null 99'
	[ "$out" = "$exp" ] &&
		ok "path rules on openat: /etc/host* ENOENT, /proc/self/status EACCES, /dev/null faked fd 99, /etc/passwd opens" ||
		{ not_ok "path rules on openat"; sed 's/^/# got: /' <<<"$out"; }
	hits=$(report_py "$rep" "' '.join(str(x['hits']) for x in sc('openat')['rules'])" 2>&1)
	# Rule order: the partial rule itself (the rest), then the three globs.
	set -- $hits
	if [ "$#" -eq 4 ] && [ "$2" -eq 2 ] && [ "$3" -eq 1 ] && [ "$4" -eq 1 ] && [ "$1" -ge 1 ]; then
		ok "openat rule hits in the report: others $1, /etc/host* 2, /proc/self/status 1, /dev/null 1"
	else
		not_ok "openat rule hits '$hits', expected 'N 2 1 1'"
		show_counts "$rep"
	fi

	# prctl(PR_SET_KEEPCAPS) faked: it succeeds and does nothing.
	rep=$kb_tmp/keepcaps.rep
	out=$(kb --profile "$PR/nginx-keepcaps.profile" --report "$rep" -- "$PY" -c '
import ctypes
c = ctypes.CDLL(None, use_errno=True)
print(c.prctl(8, 1, 0, 0, 0), c.prctl(7, 0, 0, 0, 0))' 2>&1)
	[ "$out" = "0 0" ] &&
		ok "prctl(PR_SET_KEEPCAPS, 1) faked: returns 0, PR_GET_KEEPCAPS still says 0" ||
		not_ok "prctl(PR_SET_KEEPCAPS) faked: set/get returned '$out', expected '0 0' (natively '0 1')"

	# Redis with its resource-limit and memory-advice calls stubbed.
	if need "redis under a profile" redis-server && port_free 7777 redis; then
		KBPROF=$PR/redis-stubs.profile redis_run kb 5000
		rep=$kb_tmp/redis.rep
		errs=$(tr '\r' '\n' <"$kb_tmp/bench.kb" 2>/dev/null | grep -ci error)
		if [ "$r_up" = 1 ] && [ "$r_brc" = 0 ] && [ "$(wc -l <<<"$r_bench")" -eq 4 ] &&
		   [ "$errs" -eq 0 ] && [ "$r_cli" = "OK v 5000 5000 " ]; then
			ok "redis with sysinfo, getrlimit, prlimit64, madvise stubbed serves redis-benchmark -n 5000: $(tr '\n' ';' <<<"$r_bench")"
		else
			not_ok "redis under redis-stubs.profile: up '$r_up', bench exit '$r_brc', $errs errors, cli '$r_cli'"
			show "$kb_tmp/redis.kb.log" log
		fi
		all_decided_by "redis" "$rep" prlimit64 stub
		stubbed=$(report_py "$rep" "' '.join('%s=%d' % (n, (sc(n) or {'count': 0})['count']) for n in ('sysinfo', 'getrlimit', 'prlimit64', 'madvise'))")
		echo "# redis stubbed calls: $stubbed"
	fi

	# Nginx with prctl(PR_SET_KEEPCAPS) faked.
	if need "nginx under a profile" nginx && port_free 8088 nginx; then
		KBPROF=$PR/nginx-keepcaps.profile nginx_run kb
		if [ "$g_up" = 1 ] && [ "$g_body" = 0 ] && [ "$g_404" = 404 ] && [ "$g_wrc" = 0 ] &&
		   [ "${g_wrk:-0}" -gt 0 ] && ! grep -qE 'Socket errors|Non-2xx' "$kb_tmp/wrk.kb"; then
			ok "nginx with prctl(PR_SET_KEEPCAPS) faked: serves index.html, 404, wrk $g_wrk requests without errors"
		else
			not_ok "nginx under nginx-keepcaps.profile: up '$g_up', body '$g_body', 404 '$g_404', wrk '$g_wrc' '$g_wrk'"
		fi
	fi
fi

section "done"
kb_done
