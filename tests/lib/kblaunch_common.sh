# SPDX-License-Identifier: GPL-2.0
# Shared by tests/host/kblaunch_host.sh and tests/guest/kblaunch_guest.sh (sourced,
# not run): TAP helpers and the checks both run, with and without the
# module. The caller sets KBOPT ("--no-module" or "") before sourcing and
# ends with kb_done.

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
# kb_ver: the release, as dkms.conf writes it.
# shellcheck source=tests/lib/pkg_common.sh
. tests/lib/pkg_common.sh
K=.output/kblaunch
P=.output/tests/progs
KB_TIMEOUT=${KB_TIMEOUT:-120}
kb_n=0
kb_failed=0
kb_tmp=$(mktemp -d)
trap 'umount "$kb_tmp/x/noexec_mount" 2>/dev/null; rm -rf "$kb_tmp"' EXIT

# The real python3 binary: a PATH entry may be a wrapper script (pyenv)
# that execs it, and the counting checks want python3 itself.
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
# path_name KBLAUNCH-OPTION: the decision path it selects, for test names.
path_name() {
	case $1 in
	"") echo "fast path" ;;
	--no-fastpath) echo "SIGSYS + ioctl" ;;
	--no-module) echo "in-process" ;;
	esac
}

# expect_fail NAME STATUS MESSAGE-REGEX [OPTION...] -- CMD...: kblaunch,
# with $KBOPT and the OPTIONs, refuses CMD: that exit status, the message
# on stderr, nothing on stdout.
expect_fail() {
	local name=$1 want=$2 re=$3 rc opts=()
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	kb "${opts[@]}" -- "$@" >"$kb_tmp/out" 2>"$kb_tmp/err"
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -Eq -- "$re" "$kb_tmp/err" && [ ! -s "$kb_tmp/out" ]; then
		ok "$name: exit $want, '$(grep -v "^kblaunch: --no-module: " "$kb_tmp/err" | head -1)'"
	else
		not_ok "$name: exit status $rc, expected $want"
		show "$kb_tmp/err" stderr
	fi
}

# expect_error NAME REGEX -- CMD...: a kbctl command fails as it should:
# exit status 1, nothing on stdout, stderr matching REGEX.
expect_error() {
	local name=$1 re=$2 rc
	shift 3
	"$@" >"$kb_tmp/out" 2>"$kb_tmp/err"
	rc=$?
	if [ "$rc" -eq 1 ] && [ ! -s "$kb_tmp/out" ] && grep -qE -- "$re" "$kb_tmp/err"; then
		ok "$name: exit 1, '$(head -1 "$kb_tmp/err")'"
	else
		not_ok "$name: exit status $rc"
		show "$kb_tmp/err" stderr
		show "$kb_tmp/out" stdout
	fi
}

# KB_PRE, if set, is a command (e.g. prlimit) that both runs go through
# before kblaunch or the native program.
kb() {
	# shellcheck disable=SC2086
	timeout -k 5 "$KB_TIMEOUT" ${KB_PRE:-} "$K" $KBOPT "$@"
}

# shellcheck source=tests/lib/module_common.sh
. tests/lib/module_common.sh

# A program under test that takes commands on its stdin (fd 7 writes to
# it) and answers each with one line in the file $out.
# kb_lines N: wait (up to ANSWER_S, default 60 s) until $out has N lines.
kb_lines() {
	local end=$(($(date +%s) + ${ANSWER_S:-60}))
	while [ "$(wc -l <"$out")" -lt "$1" ]; do
		[ "$(date +%s)" -gt "$end" ] && return 1
		sleep 0.1
	done
}
# kb_ask CMD: send CMD to the program, print its one-line answer.
kb_ask() {
	local n
	n=$(wc -l <"$out")
	echo "$*" >&7
	kb_lines $((n + 1)) || { echo "no answer to '$*'"; return; }
	sed -n "$((n + 1))p" "$out"
}

# kb_live_start THREADS [KBLAUNCH-OPTION...]: tests/progs/live_getppid
# THREADS under kblaunch, its stdin a fifo on fd 7, its answers in
# $kb_tmp/live.out ($out); sets kbpid (kblaunch) and pid (the program).
# Returns 1 after a failing TAP line if it does not start.
kb_live_start() {
	local threads=$1
	shift
	mkfifo "$kb_tmp/ctl" || return 1
	out=$kb_tmp/live.out
	"$K" "$@" -- "$P/live_getppid" "$threads" <"$kb_tmp/ctl" >"$out" \
		2>"$kb_tmp/live.err" &
	kbpid=$!
	exec 7>"$kb_tmp/ctl"
	kb_lines 1
	pid=$(sed -n 's/^ready \([0-9]*\)$/\1/p' "$out")
	if [ -z "$pid" ]; then
		not_ok "live_getppid under kblaunch started: '$(cat "$out")'"
		show "$kb_tmp/live.err" stderr
		kill "$kbpid" 2>/dev/null
		return 1
	fi
}

# kb_require_guest WHAT FILE...: before a guest script's checks, every FILE
# must be executable and /dev/kbridge must exist; otherwise one failing
# TAP line (naming WHAT must be built) and the end of the plan. Returns 1
# then: `kb_require_guest ... || exit 1`.
kb_require_guest() {
	local what=$1 f
	shift
	for f in "$@"; do
		if [ ! -x "$f" ]; then
			not_ok "$what"
			kb_done
			return 1
		fi
	done
	if [ ! -c /dev/kbridge ]; then
		not_ok "/dev/kbridge exists (insmod kbridge.ko first)"
		kb_done
		return 1
	fi
}

need() { # name command: skip the test when a program is missing
	command -v "$2" >/dev/null 2>&1 && return 0
	skip "$1" "$2 not installed"
	return 1
}

# run_both CMD...: native and kblaunch runs into $kb_tmp; 0 if they agree.
run_both() {
	# shellcheck disable=SC2086
	timeout -k 5 "$KB_TIMEOUT" ${KB_PRE:-} "$@" >"$kb_tmp/native.out" 2>"$kb_tmp/native.err"
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

# no_stderr FILE: kblaunch wrote nothing to FILE but the one line that
# --no-module announces itself with.
no_stderr() {
	! grep -qv '^kblaunch: --no-module: the tier core decides in this process$' "$1"
}

# kb_report_text FILE: a JSON --report (docs/report.md) as "name count"
# lines, then "total N" and "out_of_range N"; fails, printing nothing, on
# a file that is not such a report. Converted once per version of the
# file: python3 starts slowly in an emulated guest.
kb_report_text() {
	local key cache
	key=$(stat -c '%d-%i-%s-%.9Y' "$1" 2>/dev/null) || return 1
	cache=$kb_tmp/.report.$key
	if [ ! -e "$cache" ]; then
		"$PY" -S - "$1" >"$cache.new" <<'EOF' || { rm -f "$cache.new"; return 1; }
import json, sys
r = json.load(open(sys.argv[1]))
nrs = [s["nr"] for s in r["syscalls"]]
assert nrs == sorted(set(nrs)), "syscalls not in number order"
for s in r["syscalls"]:
    if s["count"]:
        print(s["name"], s["count"])
print("total", r["totals"]["total"])
print("out_of_range", r["totals"]["out_of_range"])
EOF
		mv "$cache.new" "$cache"
	fi
	cat "$cache"
}

# show_counts FILE: a report's counts as TAP comments (why a test failed).
show_counts() {
	kb_report_text "$1" >"$kb_tmp/counts.txt" 2>&1 || cp "$1" "$kb_tmp/counts.txt"
	show "$kb_tmp/counts.txt" report
}

# count FILE NAME: the count of NAME in a --report file (0 if absent).
count() {
	kb_report_text "$1" | awk -v n="$2" '$1 == n { c = $2 } END { print c + 0 }'
}

# report_py FILE EXPR: EXPR evaluated by python3 with r = the JSON report
# and sc(NAME) = that syscall's object (None if absent); prints the value.
report_py() {
	"$PY" -S - "$@" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
def sc(name):
    return next((s for s in r["syscalls"] if s["name"] == name), None)
print(eval(sys.argv[2]))
EOF
}

# expect_count NAME FILE SYSCALL N
expect_count() {
	local got
	got=$(count "$2" "$3")
	if [ "$got" -eq "$4" ]; then
		ok "$1: $3 counted $4 times"
	else
		not_ok "$1: $3 counted $got times, expected $4"
		show_counts "$2"
	fi
}

# ---- the real programs of issue 2, compared with their native runs ----
kb_real_programs() {
	same_as_native "/bin/true" /bin/true
	# /proc's link count is the number of processes at that moment, and
	# its width sets the column's padding.
	KB_FILTER='s/^(d[^ ]+ +)[0-9]+( .* proc)$/\1N\2/; s/ +/ /g' \
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
	local n=1000 rep=$kb_tmp/report out rc prog got

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
		[ "$(kb_report_text "$rep" | grep -vc -e '^total ' -e '^out_of_range ')" -eq 3 ] &&
			ok "$prog: no syscall but those three" ||
			{ not_ok "$prog: other syscalls in the report"; show_counts "$rep"; }
	done

	# The latest call stubbed or faked is named, on whichever path
	# decided it; a run that stubbed nothing names none.
	printf 'getppid fake 7\n' >"$kb_tmp/fake.profile"
	kb --report "$rep" --profile "$kb_tmp/fake.profile" -- "$P/static_getppid" 5 >/dev/null
	got=$(report_py "$rep" 'r["last_changed"]')
	kb --report "$rep" -- "$P/static_getppid" 5 >/dev/null
	got="$got / $(report_py "$rep" 'r["last_changed"]')"
	[ "$got" = "{'nr': 110, 'name': 'getppid'} / None" ] &&
		ok "last_changed names the latest call faked (getppid), none without a profile" ||
		not_ok "last_changed: $got"

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
	local out rc l o opts=("")

	# With the module, also through SIGSYS (--no-fastpath): there
	# kbridge.ko runs the reads itself (KB_SYSCALL_RUN), and the
	# interruptions must come out as they do natively.
	[ -z "$KBOPT" ] && opts+=(--no-fastpath)
	for o in "${opts[@]}"; do
		out=$(kb ${o:+"$o"} -- "$P/signals" 2>"$kb_tmp/err")
		rc=$?
		if [ "$rc" -eq 0 ] && ! grep -q FAILED <<<"$out" &&
		   grep -qx 'signals done' <<<"$out"; then
			ok "signals${o:+ $o}: full sa_mask, all blocked, altstack, interrupted reads, sigsuspend, own SIGSYS action"
		else
			not_ok "signals${o:+ $o}: exit status $rc"
			sed 's/^/# out: /' <<<"$out"
			show "$kb_tmp/err" stderr
		fi
	done
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

# ---- exec: the files that exec_probe errors expects in $kb_tmp/x ----
kb_exec_fixtures() {
	local d=$kb_tmp/x prev i

	mkdir -p "$d" "$P/interp"
	cp /bin/true "$d/noexec"
	printf 'just text\n' >"$d/text"
	: >"$d/empty"
	printf '#!/nonexistent/interpreter\n' >"$d/badinterp"
	printf '#!%s/noexec\n' "$d" >"$d/interp_noexec"
	printf '#!%s/text\n' "$d" >"$d/interp_text"
	printf '#!   \n' >"$d/blank"
	prev=/bin/true
	for i in 1 2 3 4 5; do
		printf '#!%s\n' "$prev" >"$d/d$i"
		prev=$d/d$i
	done
	printf '#!%s\n' "$prev" >"$d/deep6"
	# e_machine (offset 18) = EM_ARM; e_phoff (offset 32) far past the end.
	cp /bin/true "$d/arm"
	printf '\x28\x00' | dd of="$d/arm" bs=1 seek=18 conv=notrunc 2>/dev/null
	head -c 100 /bin/true >"$d/truncated"
	cp /bin/true "$d/badphdr"
	printf '\xff\xff\xff\x7f\x00\x00\x00\x00' |
		dd of="$d/badphdr" bs=1 seek=32 conv=notrunc 2>/dev/null
	cp "$P/static_getppid" "$d/badload"
	printf '\x00\x00\x00\x7f\x00\x00\x00\x00' |
		dd of="$d/badload" bs=1 seek=72 conv=notrunc 2>/dev/null
	cp "$P/interp_missing" "$d/nointerp"
	cp "$P/interp_text" "$d/textinterp"
	# Longer than an ELF header: the kernel reads it, then says ELIBBAD.
	printf '%0200d\n' 0 >"$P/interp/text-interp"
	chmod 755 "$P/interp/text-interp"
	printf '#!/bin/sh\necho script "$0" "$@"\n' >"$d/script"
	printf '#!%s/show_exec with arg\n' "$(cd "$P" && pwd)" >"$d/showscript"
	printf '#!%s/static_getppid 77\n' "$(cd "$P" && pwd)" >"$d/count77"
	chmod 755 "$d"/*
	chmod 644 "$d/noexec"
	ln -s loop "$d/loop"
	ln -s /bin/true "$d/truelink"
	mkdir "$d/noexec_mount"
	if mount -t tmpfs -o noexec tmpfs "$d/noexec_mount" 2>/dev/null; then
		cp /bin/true "$d/noexec_mount/true"
	else
		echo "# cannot mount a noexec tmpfs here: that case is skipped"
	fi
}

# ---- exec: exec'd programs stay under kbridge, same pid ----
kb_exec_follow() {
	local rep=$kb_tmp/report d=$kb_tmp/x out rc n cmd

	kb_exec_fixtures

	# The exec'd program's syscalls are the session's, exactly.
	rm -f "$rep"
	out=$(kb --report "$rep" -- "$P/exec_probe" run "$P/static_getppid" sg 500)
	rc=$?
	[ "$rc" -eq 3 ] && [ "$out" = done ] &&
		ok "exec of static_getppid from a program: output 'done', exit status 3" ||
		not_ok "exec of static_getppid: output '$out', exit status $rc"
	expect_count "exec'd static_getppid 500" "$rep" getppid 500
	expect_count "exec'd static_getppid 500" "$rep" execve 1

	rm -f "$rep"
	out=$(kb --no-follow-exec --report "$rep" -- "$P/exec_probe" run "$P/static_getppid" sg 500)
	rc=$?
	[ "$rc" -eq 3 ] && [ "$out" = done ] &&
		ok "--no-follow-exec: the exec'd program still runs" ||
		not_ok "--no-follow-exec: output '$out', exit status $rc"
	expect_count "--no-follow-exec: exec'd program not intercepted" "$rep" getppid 0

	# Forked and exec'd by a shell, twice; the shell may call getppid.
	rm -f "$rep"
	kb --report "$rep" -- sh -c ': ; :'
	n=$(count "$rep" getppid)
	rm -f "$rep"
	kb --report "$rep" -- sh -c "$P/static_getppid 300 >/dev/null; $P/static_getppid 200 >/dev/null"
	expect_count "sh running two programs (500, the shell's own $n)" "$rep" getppid $((500 + n))

	# A #! script exec'd by a program: its interpreter is intercepted.
	rm -f "$rep"
	out=$(kb --report "$rep" -- "$P/exec_probe" run "$d/count77" c77)
	[ "$out" = done ] && ok "#! script exec'd from a program runs" ||
		not_ok "#! script exec'd from a program: '$out'"
	expect_count "#! script with interpreter static_getppid 77" "$rep" getppid 77

	# A multi-threaded program that execs (the kernel ends the others).
	rm -f "$rep"
	out=$(kb --report "$rep" -- "$PY" -c 'import os,sys,threading,time
threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
os.execv(sys.argv[1], ["sg", "40"])' "$P/static_getppid")
	[ "$out" = done ] && ok "exec from a multi-threaded python3" ||
		not_ok "exec from a multi-threaded python3: '$out'"
	expect_count "exec from a multi-threaded python3" "$rep" getppid 40

	# What the exec'd program sees, as natively.
	same_as_native "sh -c 'ls | sort | wc -l'" sh -c 'ls | sort | wc -l'
	rm -f "$rep"
	kb --report "$rep" -- sh -c 'ls / | sort | wc -l' >/dev/null
	n=$(count "$rep" getdents64)
	[ "$n" -gt 0 ] && ok "ls in a pipeline is intercepted (getdents64 $n)" ||
		{ not_ok "ls in a pipeline: no getdents64 counted"; show_counts "$rep"; }
	for cmd in "run $P/show_exec myname a 'b c'" "run $d/showscript zero one" \
		   "fexecve $P/show_exec fx a" "opath $P/show_exec op" \
		   "at $P show_exec atname" "at $d showscript s1" "pid"; do
		eval "same_as_native \"exec_probe $cmd\" $P/exec_probe $cmd"
	done
	same_as_native "a program that execs /proc/self/exe" "$P/show_exec" reexec
	out=$(kb -- sh -c 'echo $$; exec sh -c "echo \$\$"' | sort -u | wc -l)
	[ "$out" -eq 1 ] && ok "\$\$ is the same after exec" ||
		not_ok "\$\$ changed across exec"
	kb -- sh -c 'exec sh -c "exit 5"'
	rc=$?
	[ "$rc" -eq 5 ] && ok "exit status after exec passed through" ||
		not_ok "exit status after exec: $rc, expected 5"
	kb -- sh -c 'exec sh -c "kill -TERM \$\$"' 2>/dev/null
	rc=$?
	[ "$rc" -eq 143 ] && ok "death by SIGTERM after exec passed through" ||
		not_ok "SIGTERM after exec: $rc, expected 143"
	kb -v -- sh -c 'exec /bin/true' 2>"$kb_tmp/err"
	grep -q "^kblaunch: pid [0-9]* exec /bin/true$" "$kb_tmp/err" &&
		ok "-v is passed on across exec" ||
		{ not_ok "-v across exec"; show "$kb_tmp/err" stderr; }

	# Failed execs: the kernel's errno, and the program goes on, intercepted.
	"$P/exec_probe" errors "$d" >"$kb_tmp/native.out" 2>&1
	rm -f "$rep"
	kb --report "$rep" -- "$P/exec_probe" errors "$d" >"$kb_tmp/kb.out" 2>"$kb_tmp/err"
	rc=$?
	n=$(grep -c ': E[A-Z0-9]*$' "$kb_tmp/kb.out")
	if [ "$rc" -eq 0 ] && cmp -s "$kb_tmp/native.out" "$kb_tmp/kb.out" &&
	   [ "$n" -ge 30 ]; then
		ok "$n failed execs: the same errno as natively"
	else
		not_ok "failed execs differ from native (exit status $rc)"
		diff "$kb_tmp/native.out" "$kb_tmp/kb.out" | sed 's/^/# diff: /'
		show "$kb_tmp/err" stderr
	fi
	expect_count "after each failed exec the program is still intercepted" \
		"$rep" getppid "$(grep -c ': ' "$kb_tmp/kb.out")"
	grep -q ': EACCES$' <<<"$(grep '^noexec mount' "$kb_tmp/kb.out")" ||
		echo "# noexec mount case not run (no tmpfs mount here)"

	# Broken past what the kernel checks before its point of no return:
	# the runtime refuses what kblaunch's loader would refuse after the
	# exec, with ENOEXEC, and the program goes on.
	out=$(kb -- "$P/exec_probe" run "$d/badload" bl 2>"$kb_tmp/err")
	rc=$?
	[ "$rc" -eq 1 ] && [ "$out" = "execve $d/badload: ENOEXEC" ] && no_stderr "$kb_tmp/err" &&
		ok "exec of an ELF broken past the kernel's checks: ENOEXEC, the program goes on" ||
		{ not_ok "exec of a broken ELF: exit status $rc, '$out'"; show "$kb_tmp/err" stderr; }

	# A program that would gain privileges is refused, not run unprivileged.
	if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
		cp "$P/show_exec" "$d/setuid"
		chown nobody "$d/setuid"
		chmod 4755 "$d/setuid"
		out=$(kb -- "$P/exec_probe" run "$d/setuid" su 2>"$kb_tmp/err")
		if [ "$out" = "execve $d/setuid: EPERM" ] &&
		   grep -q "^kblaunch: $d/setuid: set-user-ID" "$kb_tmp/err"; then
			ok "exec of a set-user-ID program: EPERM and a message"
		else
			not_ok "exec of a set-user-ID program: '$out'"
			show "$kb_tmp/err" stderr
		fi
	else
		skip "exec of a set-user-ID program: EPERM" "needs root and user nobody"
	fi
}

# ---- signals: virtual SIGSYS, threads and signal handlers ----
kb_signals() {
	local rep=$kb_tmp/report out rc

	same_as_native "sigsys_block: SIGSYS blocked, pending, inherited, across exec" \
		"$P/sigsys_block"
	# Frames of AMX size (11 KiB) as well as this CPU's own: what only
	# large frames break must break here too.
	same_as_native "altstacks: small stacks, sigaltstack, nested handlers" \
		"$P/altstacks"
	KBRIDGE_SIGFRAME_PAD=12288 same_as_native \
		"altstacks with 12 KiB more per trap (KBRIDGE_SIGFRAME_PAD)" \
		"$P/altstacks"
	rm -f "$rep"
	out=$(kb --report "$rep" -- "$P/sig_threads" 1000 2>"$kb_tmp/err")
	rc=$?
	if [ "$rc" -eq 0 ] && grep -qx 'sig_threads done' <<<"$out"; then
		ok "sig_threads: thread from a handler, SA_ONSTACK in 4 threads"
	else
		not_ok "sig_threads: exit status $rc"
		sed 's/^/# out: /' <<<"$out"
		show "$kb_tmp/err" stderr
	fi
	expect_count "sig_threads (5 x 1000)" "$rep" getppid 5000

	# Started with SIGSYS blocked, ignored and pending: so the program
	# finds it.
	local wrap='import os,signal,sys
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGSYS])
signal.signal(signal.SIGSYS, signal.SIG_IGN)
os.kill(os.getpid(), signal.SIGSYS)
os.execv(sys.argv[1], sys.argv[1:])'
	local query='import signal
print(signal.SIGSYS in signal.pthread_sigmask(signal.SIG_BLOCK, []),
      signal.getsignal(signal.SIGSYS) == signal.SIG_IGN,
      signal.SIGSYS in signal.sigpending())'
	out=$("$PY" -c "$wrap" "$K" $KBOPT -- "$PY" -c "$query" 2>"$kb_tmp/err")
	[ "$out" = "True True True" ] && no_stderr "$kb_tmp/err" &&
		ok "started with SIGSYS blocked, ignored, pending: the program sees it so" ||
		not_ok "started with SIGSYS blocked, ignored, pending: '$out'"
}

# ---- loader: a non-default interpreter ----
kb_interp() {
	local rep=$kb_tmp/report out rc ld

	ld=$(readlink -f /lib64/ld-linux-x86-64.so.2)
	rm -f "$P/interp/ld-kbridge-test.so"
	kb -- "$P/interp_getppid" 10 >/dev/null 2>"$kb_tmp/err"
	rc=$?
	[ "$rc" -eq 127 ] && grep -q 'ld-kbridge-test.so: No such file' "$kb_tmp/err" &&
		ok "interpreter missing: exit 127, '$(head -1 "$kb_tmp/err")'" ||
		{ not_ok "interpreter missing: exit status $rc"; show "$kb_tmp/err" stderr; }
	ln -s "$ld" "$P/interp/ld-kbridge-test.so"
	rm -f "$rep"
	out=$(kb --report "$rep" -- "$P/interp_getppid" 300)
	rc=$?
	[ "$rc" -eq 3 ] && [ "$out" = done ] &&
		ok "a program whose interpreter is not the default one runs" ||
		not_ok "non-default interpreter: output '$out', exit status $rc"
	expect_count "non-default interpreter" "$rep" getppid 300
	rm -f "$P/interp/ld-kbridge-test.so"
}

# ---- stress: 16 threads x 50000 getppid, counted exactly ----
kb_stress() {
	local t=${KB_STRESS_THREADS:-16} n=${KB_STRESS_CALLS:-50000}
	local rep=$kb_tmp/report out rc start end

	rm -f "$rep"
	start=$(date +%s.%N)
	out=$(KB_TIMEOUT=${KB_STRESS_TIMEOUT:-600} kb --report "$rep" -- \
		"$P/stress_getppid" "$t" "$n" 2>"$kb_tmp/err")
	rc=$?
	end=$(date +%s.%N)
	sed 's/^/# /' "$kb_tmp/err"
	echo "# stress: $t x $n under kblaunch${KBOPT:+ $KBOPT}: $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') s wall, kblaunch included"
	[ "$rc" -eq 0 ] && [ "$out" = "stress_getppid done: $t x $n" ] &&
		ok "stress: $t threads x $n getppid complete" ||
		not_ok "stress: output '$out', exit status $rc"
	expect_count "stress ($t x $n)" "$rep" getppid $((t * n))
}

# The checks both modes share: the decision path differs (module or
# in-process), the program-visible behaviour must not.
# ---- --only: the programs under test, and the rest natively ----
# cat is under test, the shell and head are not: the profile's path stub
# hits cat only, and the report counts cat's syscalls only (no wait4 of
# the shell, no execve: that is the shell's call), with every fast-path
# setting this mode has.
kb_only() {
	local rep=$kb_tmp/only.json fp got want
	printf 'openat partial\nopenat when path=/etc/host* stub ENOENT\n' \
		>"$kb_tmp/only.profile"
	for fp in "" ${KB_ONLY_NOFAST:+--no-fastpath}; do
		rm -f "$rep"
		kb $fp --only "$(command -v cat)" --profile "$kb_tmp/only.profile" \
			--report "$rep" -- sh -c \
			'cat /etc/hostname; head -c 1 /etc/hostname >/dev/null && echo head-ok' \
			>"$kb_tmp/only.out" 2>"$kb_tmp/only.err"
		got=$(report_py "$rep" '[sc("openat")["rules"][1]["hits"], sc("wait4") is None, sc("execve") is None, sc("exit_group")["count"]]' 2>&1)
		want="[1, True, True, 1]"
		if grep -q '^cat: /etc/hostname: No such file or directory$' "$kb_tmp/only.err" &&
		   grep -qx head-ok "$kb_tmp/only.out" && [ "$got" = "$want" ]; then
			ok "--only cat${fp:+ ($fp)}: cat gets the profile's ENOENT, head runs natively, only cat is counted"
		else
			not_ok "--only cat${fp:+ ($fp)}: report '$got' (want $want)"
			show "$kb_tmp/only.err" stderr
			show "$kb_tmp/only.out" stdout
		fi
	done
	kb --only /nonexistent/prog -- /bin/true 2>"$kb_tmp/only.err"
	if [ $? -eq 1 ] && grep -q '^kblaunch: --only /nonexistent/prog: No such file or directory$' "$kb_tmp/only.err"; then
		ok "--only with a missing file: exit 1, named"
	else
		not_ok "--only /nonexistent/prog"
		show "$kb_tmp/only.err" stderr
	fi
}

# The program sees exactly its own fds (rt/ownfds.c), with kbridge's
# fds above its soft limit (soft below hard), at 1000 and up (soft equal
# to hard), or just below a small limit; then the limit lowered to 29
# before exec, fork and threads, inside the program.
kb_fds() {
	local hard
	hard=$(ulimit -Hn)
	same_as_native "ownfds: /proc fd listings, F_DUPFD, dup2, close_range, limit 29 + exec (inherited limits)" \
		"$P/ownfds"
	if [ "$hard" = unlimited ] || [ "$hard" -gt 1100 ]; then
		KB_PRE="prlimit --nofile=1024:" same_as_native \
			"ownfds, soft limit 1024 below the hard one" "$P/ownfds"
	else
		skip "ownfds, soft limit 1024" "hard limit $hard"
	fi
	if [ "$hard" = unlimited ] || [ "$hard" -ge 2048 ]; then
		KB_PRE="prlimit --nofile=2048:2048" same_as_native \
			"ownfds, soft and hard limit 2048" "$P/ownfds"
	else
		skip "ownfds, limit 2048" "hard limit $hard"
	fi
	KB_PRE="prlimit --nofile=100:" same_as_native \
		"ownfds, soft limit 100" "$P/ownfds"
}

# After an exec the process looks like the program (kblaunch/stack.c):
# /proc/PID/cmdline, environ and auxv, a title written over argv, comm,
# /proc/self/exe; pgrep -f and pkill -f find it by its own command line;
# /proc/self/maps differs from native by kblaunch's own mappings only.
# Needs PR_SET_MM_MAP (CONFIG_CHECKPOINT_RESTORE): without it kblaunch
# says so with -v, and the tests skip.
kb_identity() {
	local out pid i rc maps_n maps_k extra
	# ld.so's readlink of /proc/self/exe, answered by the runtime into
	# stack pages not touched yet (the kernel must grow the stack).
	same_as_native "RPATH \$ORIGIN: ld.so finds the library next to the program" \
		"$P/origin_rpath"
	if kb -v -- /bin/true 2>&1 | grep -q "keeps kblaunch's (PR_SET_MM_MAP"; then
		skip "identity after exec" "this kernel refuses PR_SET_MM_MAP"
		return
	fi
	KB_ID_MARK=42 same_as_native "identity: cmdline, title over argv, comm, exe, environ, auxv" \
		"$P/identity"
	KB_ID_MARK=42 same_as_native "identity, then exec: the same after the exec" \
		"$P/identity" exec
	KB_ID_MARK=42 same_as_native "identity through env (exec'd by another program)" \
		env "$P/identity"

	# A service script's way: find it by its command line, stop it.
	kb -- sh -c 'exec sleep 31.4159' &
	pid=
	for i in $(seq 100); do
		pid=$(pgrep -f '^sleep 31.4159$') && break
		sleep 0.1
	done
	if [ -n "$pid" ] && [ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 31.4159 " ]; then
		ok "pgrep -f finds an exec'd program by its own command line"
	else
		not_ok "pgrep -f '^sleep 31.4159\$': '$pid'"
		pgrep -af 31.4159 | sed 's/^/# ps: /'
	fi
	pkill -f '^sleep 31.4159$'
	wait $!
	rc=$?
	[ "$rc" -eq 143 ] && ok "pkill -f stops it: exit status 143, as natively" ||
		not_ok "pkill -f: exit status $rc, expected 143"

	# The one difference: kblaunch's own image is mapped too, and
	# without the module the counters' memfd.
	maps_n=$(awk '$6 ~ /^\// { print $6 }' /proc/self/maps | sort -u)
	maps_k=$(kb -- awk '$6 ~ /^\// { print $6 }' /proc/self/maps | sort -u)
	extra=$(comm -13 <(echo "$maps_n") <(echo "$maps_k") |
		grep -vx '/memfd:kbridge-counters')
	if [ "$(comm -23 <(echo "$maps_n") <(echo "$maps_k"))" = "" ] &&
	   [ "$extra" = "$(readlink -f "$K")" ]; then
		ok "/proc/self/maps: the native files, and kblaunch's image (and counters) besides"
	else
		not_ok "/proc/self/maps differs by more than kblaunch's image"
		diff <(echo "$maps_n") <(echo "$maps_k") | sed 's/^/# maps: /'
	fi
}

# --vdso=hide: the time calls become syscalls, counted, after exec too;
# keep (the default): time() never reaches kbridge, and clock_gettime and
# gettimeofday only where the vDSO itself falls back to the syscall (a
# clocksource it cannot read, such as the TCG guest's hpet or acpi_pm).
kb_vdso() {
	local rep=$kb_tmp/vdso.json s out cs n=200
	cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)
	case $cs in tsc|kvm-clock|hyperv_clocksource_tsc_page) n=0 ;; esac
	rm -f "$rep"
	kb --report "$rep" -- "$P/vdso_time" exec >/dev/null 2>"$kb_tmp/err"
	expect_count "--vdso=keep (default): answered by the vDSO" "$rep" time 0
	for s in clock_gettime gettimeofday; do
		expect_count "--vdso=keep (default), clocksource ${cs:-unknown}" "$rep" "$s" "$n"
	done
	rm -f "$rep"
	kb --vdso=hide --report "$rep" -- "$P/vdso_time" exec >"$kb_tmp/out" 2>"$kb_tmp/err"
	[ "$(cat "$kb_tmp/out")" = "400 of 400 answered"$'\n'"400 of 400 answered" ] &&
		ok "--vdso=hide: every time call answered, before and after exec" ||
		{ not_ok "--vdso=hide: '$(head -c 200 "$kb_tmp/out")'"; show "$kb_tmp/err" stderr; }
	for s in clock_gettime gettimeofday time; do
		expect_count "--vdso=hide: a syscall each, across exec" "$rep" "$s" 200
	done
	out=$(kb --vdso=hide -- sh -c 'grep -c "\[vdso\]\|\[vvar\]" /proc/self/maps' 2>/dev/null)
	[ "$out" = 0 ] && ok "--vdso=hide: no [vdso] or [vvar] mapping after exec" ||
		not_ok "--vdso=hide: $out vDSO mappings after exec"
}

# A root program that drops to another user, then execs (subprocess's
# user=, daemons): the exec'd program goes on under kbridge as that user.
kb_drop_privs() {
	local out
	if [ "$(id -u)" -ne 0 ]; then
		skip "setuid, then exec" "needs root"
		return
	fi
	out=$(kb -- setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		"$P/vdso_time" 2>"$kb_tmp/err")
	[ "$out" = "400 of 400 answered" ] &&
		ok "root drops to uid 65534 and execs: the program runs, as natively" ||
		{ not_ok "setuid then exec: '$out'"; show "$kb_tmp/err" stderr; }
}

kb_runtime_checks() {
	kb_only
	kb_real_programs
	kb_passthrough
	kb_counters
	kb_runtime_edges
	kb_exec_follow
	kb_signals
	kb_fds
	kb_vdso
	kb_drop_privs
	kb_identity
	kb_interp
	kb_stress
}
