# SPDX-License-Identifier: GPL-2.0
# Shared by tests/kblaunch_host.sh and tests/kblaunch_guest.sh (sourced,
# not run): TAP helpers and the checks both run, with and without the
# module. The caller sets KBOPT ("--no-module" or "") before sourcing and
# ends with kb_done.

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
K=.output/kblaunch
P=.output/tests/progs
KB_TIMEOUT=${KB_TIMEOUT:-120}
kb_n=0
kb_failed=0
kb_tmp=$(mktemp -d)
trap 'rm -rf "$kb_tmp"' EXIT

# The real python3 binary: a PATH entry may be a wrapper script (pyenv)
# that execs it, and exec is not followed yet.
if [ -x /usr/bin/python3 ]; then
	PY=/usr/bin/python3
else
	PY=$(command -v python3 || echo python3)
fi

ok() { kb_n=$((kb_n + 1)); echo "ok $kb_n - $*"; }
not_ok() { kb_n=$((kb_n + 1)); kb_failed=$((kb_failed + 1)); echo "not ok $kb_n - $*"; }
skip() { kb_n=$((kb_n + 1)); echo "ok $kb_n - $1 # SKIP $2"; }
# Show a file as TAP comments (why a test failed).
show() { [ -s "$1" ] && sed -e "s/^/# $2: /" "$1" | head -40; }

kb_done() {
	echo "1..$kb_n"
	[ "$kb_failed" -eq 0 ]
}

# kb [kblaunch options] -- PROGRAM...: kblaunch in this file's mode.
kb() {
	# shellcheck disable=SC2086
	timeout -k 5 "$KB_TIMEOUT" "$K" $KBOPT "$@"
}

need() { # name command: skip the test when a program is missing
	command -v "$2" >/dev/null 2>&1 && return 0
	skip "$1" "$2 not installed"
	return 1
}

# run_both CMD...: native and kblaunch runs into $kb_tmp; 0 if they agree.
run_both() {
	timeout -k 5 "$KB_TIMEOUT" "$@" >"$kb_tmp/native.out" 2>"$kb_tmp/native.err"
	nrc=$?
	kb -- "$@" >"$kb_tmp/kb.out" 2>"$kb_tmp/kb.err"
	krc=$?
	if [ -n "${KB_FILTER:-}" ]; then
		sed -i -E "$KB_FILTER" "$kb_tmp/native.out" "$kb_tmp/kb.out"
	fi
	[ "$nrc" -eq "$krc" ] && cmp -s "$kb_tmp/native.out" "$kb_tmp/kb.out"
}

# same_as_native NAME CMD...: stdout and exit status under kblaunch are
# those of the native run. KB_FILTER, if set, is a sed script applied to
# both outputs first (for what differs between any two runs). A mismatch
# is tried once more: other activity on the machine can change what
# `ls -la /` shows between two runs, a kblaunch bug shows up twice.
same_as_native() {
	local name=$1 nrc krc
	shift
	if run_both "$@" || { echo "# $name: differed once, trying again"; run_both "$@"; }; then
		ok "$name: same stdout and exit status ($krc) as native"
	else
		not_ok "$name: differs from native (exit status $krc, native $nrc)"
		diff "$kb_tmp/native.out" "$kb_tmp/kb.out" | head -20 | sed 's/^/# diff: /'
		show "$kb_tmp/kb.err" stderr
	fi
}

# count FILE NAME: the count of NAME in a --report file (0 if absent).
count() {
	awk -v n="$2" '$1 == n { c = $2 } END { print c + 0 }' "$1"
}

# expect_count NAME FILE SYSCALL N
expect_count() {
	local got
	got=$(count "$2" "$3")
	if [ "$got" -eq "$4" ]; then
		ok "$1: $3 counted $4 times"
	else
		not_ok "$1: $3 counted $got times, expected $4"
		show "$2" report
	fi
}

# ---- the real programs of issue 2, compared with their native runs ----
kb_real_programs() {
	same_as_native "/bin/true" /bin/true
	# /proc's link count is the number of processes at that moment.
	KB_FILTER='s/^(d[^ ]+ +)[0-9]+( .* proc)$/\1N\2/' \
		same_as_native "ls -la /" ls -la /
	if need "busybox sh -c 'echo hi'" busybox; then
		same_as_native "busybox sh -c 'echo hi' (static)" busybox sh -c 'echo hi'
	fi
	if need "python3 hashlib" "$PY"; then
		same_as_native "python3 json+hashlib" "$PY" -c \
			'import json,hashlib; print(hashlib.sha256(json.dumps(list(range(1000))).encode()).hexdigest())'
		same_as_native "python3: first open() returns fd 3" "$PY" -c \
			'import os; print(os.open("/dev/null", os.O_RDONLY))'
		same_as_native "python3 subprocess + threads" "$PY" -c \
			'import subprocess,threading; print(subprocess.run(["echo","x"],capture_output=True).stdout); t=threading.Thread(target=print,args=("t",)); t.start(); t.join()'
		kb --report "$kb_tmp/py.rep" -- "$PY" -c \
			'import os; [os.getppid() for _ in range(100)]'
		expect_count "python3 itself ran under kbridge" "$kb_tmp/py.rep" getppid 100
	fi
	if need "sqlite3" sqlite3; then
		same_as_native "sqlite3 :memory:" sqlite3 :memory: \
			'create table t(x); insert into t values(1),(2); select sum(x) from t;'
	fi
	same_as_native "sh pipeline and subshells" sh -c \
		'echo a | cat; x=$(echo b); echo $x; (exit 3); echo $?'
}

# ---- exit status and signals pass through ----
kb_passthrough() {
	local rc pid start child

	kb -- sh -c 'exit 42'
	rc=$?
	[ "$rc" -eq 42 ] && ok "exit code 42 passed through" ||
		not_ok "exit code: got $rc, expected 42"

	# The supervisor must die of the same signal, not just exit 143.
	rc=$("$PY" -c 'import subprocess,sys; print(subprocess.run(sys.argv[1:]).returncode)' \
		"$K" $KBOPT -- sh -c 'kill -TERM $$' 2>"$kb_tmp/err")
	[ "$rc" = "-15" ] && ok "killed by SIGTERM: kblaunch dies of SIGTERM too" ||
		not_ok "killed by SIGTERM: kblaunch's status is '$rc', expected -15"

	kb -- sh -c 'kill -TERM $$' 2>/dev/null
	rc=$?
	[ "$rc" -eq 143 ] && ok "the shell sees 143 for SIGTERM" ||
		not_ok "SIGTERM: the shell sees $rc, expected 143"

	# A signal sent to kblaunch reaches the program: kblaunch run
	# directly (no wrapper in between), its child must be gone too.
	start=$(date +%s)
	"$K" $KBOPT -- sleep 30 &
	pid=$!
	sleep 1
	child=$(pgrep -P "$pid")
	kill -TERM "$pid"
	for _ in $(seq 150); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" $child
	wait "$pid"
	rc=$?
	sleep 0.2
	if [ "$rc" -eq 143 ] && [ -n "$child" ] && ! kill -0 "$child" 2>/dev/null &&
	   [ $(($(date +%s) - start)) -lt 15 ]; then
		ok "SIGTERM to kblaunch is forwarded to the program"
	else
		not_ok "SIGTERM to kblaunch: status $rc after $(($(date +%s) - start))s, child '$child' $(kill -0 "$child" 2>/dev/null && echo still alive)"
	fi

	rc=$(kb -- "$PY" -c 'import os,signal,sys; signal.signal(signal.SIGUSR1, lambda s,f: sys.exit(7)); os.kill(os.getppid(), signal.SIGUSR1); signal.pause()'; echo $?)
	[ "$rc" = 7 ] && ok "SIGUSR1 to kblaunch is forwarded to the program" ||
		not_ok "SIGUSR1 forwarding: status '$rc', expected 7"
}

# ---- counters: every syscall went through kbridge, exactly once ----
kb_counters() {
	local n=1000 rep=$kb_tmp/report out rc prog

	for prog in static_getppid static_pie_getppid; do
		rm -f "$rep"
		out=$(kb --report "$rep" -- "$P/$prog" "$n")
		rc=$?
		if [ "$rc" -eq 3 ] && [ "$out" = done ]; then
			ok "$prog $n: output 'done', exit status 3"
		else
			not_ok "$prog $n: output '$out', exit status $rc"
		fi
		expect_count "$prog" "$rep" getppid "$n"
		expect_count "$prog" "$rep" write 1
		expect_count "$prog" "$rep" exit_group 1
		expect_count "$prog" "$rep" total $((n + 2))
		expect_count "$prog" "$rep" out_of_range 0
		[ "$(grep -vc -e '^total ' -e '^out_of_range ' "$rep")" -eq 3 ] &&
			ok "$prog: no syscall but those three" ||
			{ not_ok "$prog: other syscalls in the report"; show "$rep" report; }
	done

	rm -f "$rep"
	out=$(kb --report "$rep" -- "$P/dyn_getppid" "$n")
	rc=$?
	[ "$rc" -eq 3 ] && [ "$out" = done ] && ok "dyn_getppid $n runs" ||
		not_ok "dyn_getppid: output '$out', exit status $rc"
	expect_count dyn_getppid "$rep" getppid "$n"

	# Threads (clone3 on new stacks) and a forked child stay intercepted.
	rm -f "$rep"
	out=$(kb --report "$rep" -- "$P/threads_fork" 300 200)
	rc=$?
	[ "$rc" -eq 0 ] && [[ $out == "threads_fork ok"* ]] &&
		ok "threads_fork: 4 threads, fork, vfork, posix_spawn" ||
		not_ok "threads_fork: '$out', exit status $rc"
	expect_count "threads_fork (4 x 300 + 200)" "$rep" getppid 1400

	# glibc clone() on a new stack, and CLONE_VM | CLONE_VFORK without one.
	rm -f "$rep"
	out=$(kb --report "$rep" -- "$P/clone_vm" 500)
	rc=$?
	[ "$rc" -eq 0 ] && grep -qx "clone_vm ok" <<<"$out" &&
		ok "clone_vm: shared-memory children, MXCSR inherited" ||
		{ not_ok "clone_vm: exit status $rc"; sed 's/^/# out: /' <<<"$out"; }
	expect_count "clone_vm (child on its own stack)" "$rep" getppid 500
}

# ---- programs that poke at what the runtime relies on ----
kb_runtime_edges() {
	local out rc l

	out=$(kb -- "$P/signals" 2>"$kb_tmp/err")
	rc=$?
	if [ "$rc" -eq 0 ] && ! grep -q FAILED <<<"$out" &&
	   grep -qx 'signals done' <<<"$out"; then
		ok "signals: full sa_mask, all blocked, altstack, sigsuspend, own SIGSYS action"
	else
		not_ok "signals: exit status $rc"
		sed 's/^/# out: /' <<<"$out"
		show "$kb_tmp/err" stderr
	fi
	l=$(grep '^prctl' <<<"$out")
	[ "$l" = "prctl(PR_SET_SYSCALL_USER_DISPATCH, OFF): EPERM" ] &&
		ok "the program cannot turn SUD off (EPERM)" ||
		not_ok "prctl SUD off: '$l'"

	out=$(kb -- "$P/closefds" 2>"$kb_tmp/err")
	rc=$?
	[ "$rc" -eq 0 ] && grep -qx 'closefds ok' <<<"$out" &&
		ok "closing every fd and close_range(3, ~0) leave kblaunch working" ||
		{ not_ok "closefds: exit status $rc"; sed 's/^/# out: /' <<<"$out"; show "$kb_tmp/err" stderr; }

	out=$(kb -- sh -c 'kill -SYS $$' 2>/dev/null; echo $?)
	[ "$out" = 159 ] && ok "a SIGSYS the program sends itself kills it as natively (159)" ||
		not_ok "kill -SYS: status '$out', expected 159"

	out=$(kb -- readlink /proc/self/exe)
	[ "$out" = "$(readlink -f "$(command -v readlink)")" ] &&
		ok "/proc/self/exe names the program" ||
		not_ok "/proc/self/exe: '$out'"
}
