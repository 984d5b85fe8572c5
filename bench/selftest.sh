#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark machinery checks itself on the build machine (no module):
# every syscall_bench loop and mode measures what it claims and refuses a wrong
# expectation, so do the integration_bench builds (libkbridge linked in,
# dlopen()ed, from OCaml), the runner turns a failing row into a failure, and the
# report and report checker compute what they should from known input.
# Prints TAP. Builds bench/ first (make -C bench).
set -u
cd "$(dirname "$0")/.." || exit 2
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
show() { [ -s "$1" ] && sed -e "s/^/# $2: /" "$1" | head -20; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
B=.output/bench/syscall_bench
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

if ! make -s -C bench >"$tmp/make" 2>&1; then
	not_ok "make -C bench"
	show "$tmp/make" make
	echo "1..$n"
	exit 1
fi
ok "make -C bench"

# expect NAME STATUS REGEX CMD...: the exit status, and REGEX matches
# stdout on success; on failure stdout is empty and REGEX matches stderr
expect() {
	local name=$1 want=$2 re=$3 rc where=out
	shift 3
	timeout 120 "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$want" -ne 0 ]; then
		where=err
		[ -s "$tmp/out" ] && rc="$rc, with output"
	fi
	if [ "$rc" = "$want" ] && grep -Eq "$re" "$tmp/$where"; then
		ok "$name"
	else
		not_ok "$name (exit status $rc, expected $want)"
		show "$tmp/out" stdout
		show "$tmp/err" stderr
	fi
}
line='^syscall_bench syscall=getppid mode=[a-z-]+ iters=20000 ns_per_call=[0-9]+\.[0-9]+$'

expect "native: real ppid, result line" 0 "$line" $B -m native -n 20000
expect "native: a stub expectation fails" 1 'returned [0-9]+ \(errno 0\), expected -1 \(errno 38\)' $B -m native -n 20000 -e errno:38
expect "native: a fake expectation fails" 1 'expected 0 \(errno 0\)' $B -m native -n 20000 -e value:0
expect "seccomp-allow: real ppid" 0 "$line" $B -m seccomp-allow -n 20000
expect "seccomp-errno: ENOSYS by default" 0 "$line" $B -m seccomp-errno -n 20000
expect "seccomp-errno: a ppid expectation fails" 1 'returned -1 \(errno 38\), expected [1-9]' $B -m seccomp-errno -n 20000 -e ppid
expect "seccomp-errno: another errno fails" 1 'returned -1 \(errno 38\), expected -1 \(errno 1\)' $B -m seccomp-errno -n 20000 -e errno:1
expect "sud: every call trapped and re-issued" 0 "$line" $B -m sud -n 20000
expect "sud: a fake expectation fails" 1 'sud: 21000 of 21000 calls were wrong, the first: getppid returned [1-9]' $B -m sud -n 20000 -e value:0
expect "bad mode refused" 64 "unknown mode 'nosuch'" $B -m nosuch
expect "zero iterations refused" 64 "bad iteration count '0'" $B -n 0
expect "bad expectation refused, with the reason" 64 "bad expectation 'value:-2': a value in -4095..-1 reads as -1" $B -e value:-2

# The other loops: each mode, and a wrong expectation caught on each call.
head -c 4096 /dev/zero >"$tmp/file"
for s in read openat mmap; do
	a=(-s "$s" -n 5000)
	[ "$s" = openat ] && a+=(-f "$tmp/file")
	l="^syscall_bench syscall=$s mode=[a-z-]+ iters=5000 ns_per_call=[0-9]+\.[0-9]+\$"
	for m in native seccomp-allow seccomp-errno sud; do
		expect "$s: $m" 0 "$l" $B "${a[@]}" -m "$m"
	done
	expect "$s: native: a stub expectation fails" 1 \
		"native: [0-9]+ of [0-9]+ calls were wrong, the first: $s returned [0-9]+ \(errno 0\), expected -1 \(errno 38\)" \
		$B "${a[@]}" -e errno:38
	expect "$s: seccomp-errno: a value expectation fails" 1 \
		"seccomp-errno: [0-9]+ of [0-9]+ calls were wrong, the first: $s returned -1 \(errno 38\), expected 1 \(errno 0\)" \
		$B "${a[@]}" -m seccomp-errno -e value:1
done
expect "openat: a missing file fails natively" 1 'calls failed, the first: openat returned -1 \(errno 2\)' \
	$B -s openat -f "$tmp/nonexistent" -n 100
expect "openat without -f refused" 64 'needs -f FILE' $B -s openat
expect "-e ppid refused for read" 64 '-e ppid is for -s getppid' $B -s read -e ppid
expect "unknown syscall refused" 64 "unknown syscall 'nosuch'" $B -s nosuch
if command -v strace >/dev/null; then
	expect "mmap under strace -e inject: every call faked" 0 'syscall=mmap mode=native iters=300 ' \
		strace -qq -f -o /dev/null -e trace=mmap,munmap -e inject=mmap,munmap:retval=0 $B -s mmap -e value:0 -n 300
	expect "mmap under strace without inject: the fake expectation fails" 1 'the first: mmap returned [1-9]' \
		strace -qq -f -o /dev/null -e trace=mmap,munmap $B -s mmap -e value:0 -n 300
else
	skip "mmap under strace -e inject" "no strace"
	skip "mmap under strace without inject" "no strace"
fi

# ---- libkbridge's integration methods: kb_handle_syscall per call ----
# Each build times the stub (getppid: -ENOSYS) and the pass (getpid: the
# program's own host op returns the pid) and fails on a wrong result.
# 20000 calls after a warm-up of 1000: 21000 checked.
ib_checks() { # PROGRAM LINK: the result line, and wrong expectations refused
	local p=$1 link=$2
	local l="^integration_bench link=$link decision=D iters=20000 ns_per_call=[0-9]+\.[0-9]+\$"
	expect "$link: stub: every call -ENOSYS, result line" 0 "${l/=D /=stub }" "$p" -d stub -n 20000
	expect "$link: pass: every call the host op's pid, result line" 0 "${l/=D /=pass }" "$p" -d pass -n 20000
	expect "$link: stub: another errno fails" 1 \
		"^integration_bench: $link: stub: 21000 of 21000 calls were wrong, the first: kb_handle_syscall\(110\) returned -38, expected -1\$" \
		"$p" -d stub -n 20000 -e errno:1
	expect "$link: pass: a stub expectation fails" 1 \
		"^integration_bench: $link: pass: 21000 of 21000 calls were wrong, the first: kb_handle_syscall\(39\) returned [1-9][0-9]*, expected -38\$" \
		"$p" -d pass -n 20000 -e errno:38
	expect "$link: a wrong value fails" 1 'calls were wrong, the first: kb_handle_syscall\(39\) returned [1-9][0-9]*, expected 0$' \
		"$p" -d pass -n 1000 -e value:0
	expect "$link: unknown decision refused" 64 "unknown decision 'fake'" "$p" -d fake
	expect "$link: zero iterations refused" 64 "bad iteration count '0'" "$p" -n 0
	expect "$link: bad expectation refused" 64 "bad expectation 'errno:0'" "$p" -e errno:0
}
I=.output/bench/integration_bench
ib_checks "$I" static
ib_checks "${I}_dl" dlopen
# Each measures what its row says: libkbridge linked in, or only dlopen()ed.
if nm "$I" | grep -q ' T kb_handle_syscall$' && ! readelf -d "$I" | grep -q 'NEEDED.*libkbridge' &&
	! nm "${I}_dl" | grep -q ' T kb_handle_syscall$' && ! readelf -d "${I}_dl" | grep -q 'NEEDED.*libkbridge'; then
	ok "integration_bench has libkbridge.a linked in; integration_bench_dl neither it nor a DT_NEEDED on it"
else
	not_ok "integration_bench / integration_bench_dl: libkbridge linked the wrong way"
fi
expect "dlopen: a missing library: the loader's error" 1 "^integration_bench: $tmp/missing.so: cannot open shared object" \
	"${I}_dl" -l "$tmp/missing.so"
expect "dlopen: a library without the API: the dlsym error" 1 '^integration_bench: kb_init_static: .*undefined symbol' \
	"${I}_dl" -l libm.so.6
if [ -x "${I}_ocaml" ]; then
	ib_checks "${I}_ocaml" ocaml-ctypes
	if readelf -d "${I}_ocaml" | grep -q 'NEEDED.*\[libkbridge\.so\.0\]'; then
		ok "integration_bench_ocaml needs libkbridge.so.0 (ctypes.foreign finds kb_* in the process)"
	else
		not_ok "integration_bench_ocaml: no DT_NEEDED libkbridge.so.0"
	fi
elif command -v ocamlfind >/dev/null && ocamlfind query ctypes ctypes.foreign >/dev/null 2>&1; then
	not_ok "integration_bench_ocaml not built although ocamlfind has ctypes"
else
	skip "integration_bench_ocaml" "no ocamlfind with ctypes (its rows read n/a)"
fi
# Without ctypes the build says so and leaves the OCaml program out.
make -n -C bench OCAMLFIND=false >"$tmp/make" 2>&1
if grep -q 'SKIP    integration_bench_ocaml: no ocamlfind with ctypes' "$tmp/make" &&
	! grep -q 'ocamlopt' "$tmp/make"; then
	ok "make -C bench without ocamlfind: SKIP integration_bench_ocaml, no ocamlopt"
else
	not_ok "make -C bench without ocamlfind"
	show "$tmp/make" make
fi

# bpf_overhead needs the counters loaded: here (no module) it must say so.
O=.output/bench/bpf_overhead
expect "bpf_overhead without kbctl stats --bpf load: a clear error" 1 \
	'^bpf_overhead: /sys/fs/bpf/kbridge/tier_hits: .* \(kbctl stats --bpf load first\)$' $O -n 1000
expect "bpf_overhead: more pairs than calls refused" 1 'cannot fill 10 pairs' $O -n 5 -p 10
expect "bpf_overhead: more than 1000 pairs refused" 64 "bad count '1001'" $O -p 1001

# Under kblaunch the parent is kblaunch: /proc and getppid must agree.
if [ -x .output/kblaunch ]; then
	expect "kblaunch --no-module: real ppid (kblaunch's pid)" 0 \
		'^syscall_bench syscall=getppid mode=native iters=2000 ' \
		.output/kblaunch --no-module -- $B -n 2000
	expect "kblaunch --no-module: a stub expectation fails" 1 'expected -1 \(errno 38\)' \
		.output/kblaunch --no-module -- $B -n 2000 -e errno:38
	# The profiles of the other loops' rows decide what the rows say.
	for p in openat-stub:errno:38 openat-fake:value:0 mmap-stub:errno:38 \
		mmap-fake:value:0 read-stub:errno:38 read-fake:value:0; do
		s=${p%%-*}
		expect "kblaunch --no-module --profile ${p%%:*}: every call decided" 0 \
			"^syscall_bench syscall=$s " \
			.output/kblaunch --no-module --profile "bench/profiles/${p%%:*}.profile" -- \
			$B -s "$s" -f "$tmp/file" -n 1000 -e "${p#*:}"
	done
	expect "kblaunch --no-module --profile read-stub: a native expectation fails" 1 \
		'calls failed, the first: read returned -1 \(errno 38\)' \
		.output/kblaunch --no-module --profile bench/profiles/read-stub.profile -- \
		$B -s read -n 1000
else
	skip "kblaunch --no-module rows" "kblaunch not built"
	skip "kblaunch --no-module: a stub expectation fails" "kblaunch not built"
	skip "kblaunch --no-module --profile: the other loops' profiles" "kblaunch not built"
fi

# ---- the runner: a row that measures the wrong thing fails the run ----
cat >"$tmp/rows" <<'EOF'
native | - | 1 | - | - | ns_per_call | $SYSBENCH -n $N
wrong | native | 1 | - | - | ns_per_call | $SYSBENCH -n $N -e errno:38
later | native | 2 | - | - | ns_per_call | $SYSBENCH -m seccomp-allow -n $N
missing | native | 1 | opt:--no-such-option | - | ns_per_call | $KBLAUNCH --no-such-option -- $SYSBENCH -n $N
unbuilt | native | 1 | exe:$BOUT/no-such-program | - | ns_per_call | $BOUT/no-such-program -n $N
EOF
BENCH_REPS=2 BENCH_ITERS=4000 bench/run-guest.sh "$tmp/rows" >"$tmp/log" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && [ "$(grep -c '^BENCH|ok|native|' "$tmp/log")" = 2 ] &&
	grep -q '^BENCH|fail|wrong|1|exit status 1' "$tmp/log" &&
	! grep -q '^BENCH|ok|wrong|' "$tmp/log" &&
	grep -q '^BENCH|ok|later|2|[0-9.]*|2000$' "$tmp/log" &&
	grep -q '^BENCH|na|missing|option missing: kblaunch --no-such-option$' "$tmp/log" &&
	grep -q "^BENCH|na|unbuilt|not built: $PWD/.output/bench/no-such-program\$" "$tmp/log"; then
	ok "runner: wrong row fails the run, others run, missing option or program is n/a"
else
	not_ok "runner (exit status $rc)"
	show "$tmp/log" log
fi

# ---- the report: known input, known figures ----
cat >"$tmp/rows2" <<'EOF'
native | - | 1 | - | - | k | x
double | native | 1 | - | - | k | x
broken | native | 1 | - | - | k | x
absent | native | 1 | - | - | k | x
det | native | 1 | - | - | d | y
att | =det | 1 | - | - | a | y
@ratio | double / native | double | native | <= 1.05
@ratio | att / det | att | det | <= 1.05
@versus | double vs broken | double | broken
EOF
cat >"$tmp/log2" <<'EOF'
BENCH|env|kernel=test|cpus=1
BENCH|ok|native|1|100|10
BENCH|ok|native|2|300|10
BENCH|ok|native|3|200|10
BENCH|ok|double|1|400|10
BENCH|ok|double|2|410|10
BENCH|ok|double|3|390|10
BENCH|ok|broken|1|5|10
BENCH|fail|broken|2|exit status 1: wrong
BENCH|na|absent|no /dev/kbridge
BENCH|ok|det|1|100|10
BENCH|ok|att|1|110|10
BENCH|ok|det|2|200|10
BENCH|ok|att|2|190|10
BENCH|ok|det|3|300|10
BENCH|ok|att|3|330|10
EOF
# The g, h and app rows have one repetition of three: they fail as rows,
# which must not keep them out of the matrix or the rate lines.
"$PY" bench/report.py "$tmp/rows2" "$tmp/log2" "$tmp/res" --reps 3 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 1 ] &&
	grep -Eq '^native +200\.0 +100\.0\.\.300\.0 +1\.00 +10$' "$tmp/out" &&
	grep -Eq '^double +400\.0 +390\.0\.\.410\.0 +2\.00 +10$' "$tmp/out" &&
	grep -Eq '^broken +FAIL \(exit status 1: wrong\)$' "$tmp/out" &&
	grep -Eq '^absent +n/a \(no /dev/kbridge\)$' "$tmp/out" &&
	grep -qx 'double / native = 2.00 (target <= 1.05): NOT met' "$tmp/out" &&
	grep -qx 'double vs broken = 2.00 vs n/a' "$tmp/out" &&
	grep -Eq '^att +190\.0 +110\.0\.\.330\.0 +1\.10 \(to det, paired\) +10$' "$tmp/out" &&
	grep -qx 'att / det = 1.10 (target <= 1.05): NOT met' "$tmp/out" &&
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); r={x["name"]: x for x in d["rows"]}; sys.exit(not (r["double"]["ns"] == [400.0, 410.0, 390.0] and r["double"]["median"] == 400.0 and r["double"]["ratio"] == 2.0 and r["broken"]["status"] == "fail" and r["absent"]["status"] == "n/a" and d["summary"][0]["met"] is False))' "$tmp/res/results.json"; then
	ok "report: medians, spreads, ratios, paired ratios, n/a and failed rows, targets, JSON"
else
	not_ok "report (exit status $rc)"
	show "$tmp/out" stdout
	show "$tmp/err" stderr
fi

# Groups side by side ("GROUP: CONFIG" against "GROUP: native"), and
# rates, whose ratio is rate over reference rate (higher is better).
cat >"$tmp/rows3" <<'EOF'
g: native | - | 1 | - | - | k | g
g: conf | g: native | 1 | - | - | k | g2
h: native | - | 1 | - | - | k | h
h: conf | h: native | 1 | - | - | k | h2
h: other | h: native | 1 | - | - | k | h3
app: native | - | - | - | - | rps | z
app: kb | app: native | - | - | - | rps | z2
app: slow | app: native | - | - | - | ns_per_call | z3
@ratio | app kb / native | app: kb | app: native | >= 0.95
EOF
cat >"$tmp/log3" <<'EOF'
BENCH|ok|g: native|1|100|10
BENCH|ok|g: conf|1|150|10
BENCH|ok|h: native|1|200|10
BENCH|ok|h: conf|1|100|10
BENCH|na|h: other|no /dev/kbridge
BENCH|ok|app: native|1|1000|1
BENCH|ok|app: kb|1|900|1
BENCH|ok|app: slow|1|5|1
EOF
"$PY" bench/report.py "$tmp/rows3" "$tmp/log3" "$tmp/res3" --reps 1 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 1 ] &&
	grep -Eq '^ratio to native +g +h$' "$tmp/out" &&
	grep -Eq '^conf +1\.50 +0\.50$' "$tmp/out" &&
	grep -Eq '^other +- +n/a$' "$tmp/out" &&
	! grep -Eq '^(kb|slow) ' "$tmp/out" &&
	grep -Eq '^app: kb +900\.0/s +900\.0\.\.900\.0/s +0\.90 +1$' "$tmp/out" &&
	grep -qx 'app kb / native = 0.90 (target >= 0.95): NOT met' "$tmp/out" &&
	grep -Eq '^app: slow +FAIL \(a rate and a time cannot be compared \(app: native\)\)$' "$tmp/out"; then
	ok "report: syscalls side by side, rates and their ratios, a rate against a time refused"
else
	not_ok "report: matrix and rates (exit status $rc)"
	show "$tmp/out" stdout
	show "$tmp/err" stderr
fi
# ---- make bench's analysis: bench/analyze.sh -g's lines into the report ----
printf 'native | - | 1 | - | - | k | x\n' >"$tmp/rows3"
# ana AGREE STATUS: a guest log, the row measured, then an analysis of
# redis whose two methods agree or not, ending with STATUS ("": no end)
ana() {
	printf 'BENCH|ok|native|1|100|10\nANALYZE|begin|-r 1 redis\n# redis, groups, -r 1 -j 1: ...\n'
	printf 'ANALYZE|table|app       method       runs  agree\n'
	printf 'ANALYZE|table|redis     groups         41  %s\n' "$2"
	printf 'ANALYZE|json|{"replicas": 1,  "apps": {"redis": {"groups": {"runs": 41, "wall_seconds": 90.5},'
	printf '  "exhaustive": {"runs": 122, "wall_seconds": 300.0}, "agree": %s}}}\n' "$1"
	[ -z "$2" ] || printf 'ANALYZE|end|status=%s|seconds=395\n' "$2"
}
ana true 0 >"$tmp/log3"
"$PY" bench/report.py "$tmp/rows3" "$tmp/log3" "$tmp/res3" --reps 1 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] &&
	grep -qx 'kbctl analyze, groups against --exhaustive (bench/analyze.sh -r 1 redis, 395 s):' "$tmp/out" &&
	grep -qx 'redis     groups         41  0' "$tmp/out" &&
	grep -qx 'analysis: groups and --exhaustive agree' "$tmp/out" &&
	! grep -q '^# redis' "$tmp/out" &&
	"$PY" -c 'import json,sys; a=json.load(open(sys.argv[1]))["analysis"]; sys.exit(not (a["status"] == "ok" and a["seconds"] == 395 and a["args"] == "-r 1 redis" and a["apps"]["redis"]["exhaustive"]["runs"] == 122 and a["apps"]["redis"]["agree"] is True))' "$tmp/res3/results.json"; then
	ok "report: the analysis under the table and in results.json"
else
	not_ok "report: analysis (exit status $rc)"
	show "$tmp/out" stdout
	show "$tmp/err" stderr
fi
ana false 1 >"$tmp/log3"
"$PY" bench/report.py "$tmp/rows3" "$tmp/log3" "$tmp/res3" --reps 1 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -qx 'analysis: FAIL (groups and --exhaustive disagree on redis)' "$tmp/out" &&
	"$PY" -c 'import json,sys; a=json.load(open(sys.argv[1]))["analysis"]; sys.exit(not (a["status"] == "fail" and a["exit_status"] == 1))' "$tmp/res3/results.json"; then
	ok "report: methods that disagree fail the run"
else
	not_ok "report: accepted a disagreeing analysis (exit status $rc)"
	show "$tmp/out" stdout
fi
ana true "" >"$tmp/log3"
"$PY" bench/report.py "$tmp/rows3" "$tmp/log3" "$tmp/res3" --reps 1 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -qx 'analysis: FAIL (did not finish)' "$tmp/out"; then
	ok "report: an analysis that never ended fails the run"
else
	not_ok "report: accepted an unfinished analysis (exit status $rc)"
	show "$tmp/out" stdout
fi
if [ -x .output/kbctl ]; then
	# No such workload: analyze.sh runs nothing, fails, and says why in
	# lines the report turns into a failure.
	BENCH_RESULTS=$tmp/ana bench/analyze.sh -g -r 1 nosuch >"$tmp/log4" 2>"$tmp/err"
	rc=$?
	{ echo 'BENCH|ok|native|1|100|10'; cat "$tmp/log4"; } >"$tmp/log3"
	"$PY" bench/report.py "$tmp/rows3" "$tmp/log3" "$tmp/res3" --reps 1 >"$tmp/out" 2>>"$tmp/err"
	rrc=$?
	if [ "$rc" -eq 1 ] && [ "$rrc" -eq 1 ] && [ "$(head -n 1 "$tmp/log4")" = 'ANALYZE|begin|-g -r 1 nosuch' ] &&
		grep -q '^ANALYZE|table|app  *method ' "$tmp/log4" &&
		grep -qx 'ANALYZE|end|status=1|seconds=[0-9]*' "$tmp/log4" &&
		grep -q '^analysis error: nosuch: no workload' "$tmp/out" &&
		grep -qx 'analysis: FAIL (exit status 1)' "$tmp/out"; then
		ok "analyze.sh -g: a failed analysis reaches the report as a failure"
	else
		not_ok "analyze.sh -g (exit status $rc, report $rrc)"
		show "$tmp/log4" guest
		show "$tmp/out" report
		show "$tmp/err" stderr
	fi
else
	skip "analyze.sh -g: a failed analysis reaches the report as a failure" "kbctl not built"
fi
BENCH_RESULTS=$tmp/ana bench/analyze.sh -g -r x >"$tmp/log4" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q '^ANALYZE|error|-r and -j take a positive integer' "$tmp/log4" &&
	grep -q '^ANALYZE|end|status=2|' "$tmp/log4"; then
	ok "analyze.sh -g: bad options reported as an analysis that failed"
else
	not_ok "analyze.sh -g -r x (exit status $rc)"
	show "$tmp/log4" out
fi

# ---- Loupe side by side: skipped without Loupe, the comparison's figures ----
out=$(LOUPE_DIR=$tmp/no-loupe bench/loupe.sh -g 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && grep -q "^bench-loupe: skipped: no Loupe engine at $tmp/no-loupe" <<<"$out" &&
   grep -qx 'LOUPE|end|status=0|skipped' <<<"$out"; then
	ok "loupe.sh without Loupe's engine: skipped, said, exit 0"
else
	not_ok "loupe.sh without Loupe (exit status $rc): $out"
fi
out=$(LOUPE_DIR=$tmp/no-loupe bench/loupe.sh nginx 2>&1)
rc=$?
[ "$rc" -eq 2 ] && grep -q 'nginx: no Loupe test script' <<<"$out" &&
	ok "loupe.sh refuses an application it has no test script for" ||
	not_ok "loupe.sh nginx (exit status $rc): $out"
# kbctl analyze's JSON, as much of it as the comparison reads.
analysis() { # DIR RUNS WALL CLOSE_CLASS
	mkdir -p "$1"
	cat >"$1/analysis.json" <<EOF
{ "runs": $2, "wall_seconds": $3,
  "syscalls": [ { "nr": 0, "name": "read", "class": "required" },
                { "nr": 3, "name": "close", "class": "$4" },
                { "nr": 8, "name": "lseek", "class": "either" },
                { "nr": 435, "name": "clone3", "class": "either" } ],
  "subfeatures": [ { "nr": 16, "name": "ioctl", "class": "either" } ], "pseudo_files": [],
  "phases": { "baseline": { "runs": 1, "seconds": 0.5 }, "discovery": { "runs": 2, "seconds": 1 },
              "syscalls": { "runs": 6, "seconds": 3 }, "subfeatures": { "runs": 3, "seconds": 2 },
              "replicas": { "runs": 0, "seconds": 0 }, "effects": { "runs": 1, "seconds": 0.5 },
              "confirmation": { "runs": 4, "seconds": 2 } },
  "ended": { "passed": { "runs": 5, "seconds": 2 } } }
EOF
}
L=$tmp/loupe
analysis "$L/sqlite3-syscalls" 10 5.0 fake
analysis "$L/sqlite3-full" 17 9.0 either
# explore.py --output-csv: "works faked", "works stubbed" and "works both"
# exclude each other; numbers above 334 never appear.
printf '%s\n' '# syscall, used, works faked, works stubbed, works both' \
	0,Y,N,N,N 3,Y,Y,N,N 8,Y,N,N,Y 9,N,N,N,N >"$L/sqlite3-loupe.csv"
echo "100.0 125.0 7" >"$L/sqlite3-loupe.time"
"$PY" bench/loupe_report.py "$L" sqlite3 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] &&
   grep -qE '^sqlite3 +Loupe explore.py +3 +1 +0 +1 +1 +7 +25  -$' "$tmp/out" &&
   grep -qE '^sqlite3 +kbridge syscall level +4 +1 +0 +1 +2 +10 +5  3 of 3$' "$tmp/out" &&
   grep -qE '^sqlite3 +kbridge full depth +4 +1 +0 +0 +3 +17 +9  2 of 3$' "$tmp/out" &&
   grep -qE '^sqlite3 +full depth: sub-features +5 runs, +3 s  \(1 items besides whole syscalls\)$' "$tmp/out" &&
   grep -qx 'sqlite3  target: kbridge syscall level / Loupe runs <= 0.40: x1.43, MISSED' "$tmp/out" &&
   grep -qx 'sqlite3  target: kbridge syscall level / Loupe wall time <= 0.20 (5x less): x0.20, met' "$tmp/out" &&
   grep -qx 'sqlite3  full depth differs from Loupe on close (kbridge either, Loupe fake)' "$tmp/out" &&
   ! grep -q 'syscall level differs' "$tmp/out" &&
   [ "$("$PY" -c 'import json, sys; e = json.load(open(sys.argv[1]))["apps"]["sqlite3"]
print(e["targets"]["runs_met"], e["targets"]["wall_met"], e["kbridge_syscalls"]["agree"]["only_kbridge"])' "$L/results.json")" = "False True [435]" ]; then
	ok "loupe_report.py: Loupe's exclusive columns as classes, runs, wall, agreement, targets, the extra rows"
else
	not_ok "loupe_report.py (exit status $rc)"
	show "$tmp/out" out
	show "$tmp/err" err
fi
rm "$L/sqlite3-loupe.csv"
"$PY" bench/loupe_report.py "$L" sqlite3 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -qE '^sqlite3 +Loupe explore.py .* failed$' "$tmp/out" &&
	ok "loupe_report.py: Loupe without a result is a failure" ||
	{ not_ok "loupe_report.py without Loupe's CSV (exit status $rc)"; show "$tmp/out" out; }

# ---- the report checker: what a fast-path row must have seen ----
report() { # fastpath action count
	cat >"$tmp/r.json" <<EOF
{ "mode": "module", "totals": { "total": $(($3 + 20)), "fastpath": $1 },
  "syscalls": [ { "nr": 110, "name": "getppid", "count": $3, "action": "$2" } ] }
EOF
}
chk() { "$PY" bench/check_report.py "$tmp/r.json" --min-calls 1000 "$@" 2>"$tmp/err"; }
report 1050 stub 1050
if chk --path fast --action stub; then ok "check_report: fast stub accepted"; else not_ok "check_report: fast stub"; show "$tmp/err" err; fi
report 0 stub 1050
if ! chk --path fast --action stub && grep -q 'fast path not taken' "$tmp/err"; then
	ok "check_report: no in-kernel decision refused for a fast row"
else
	not_ok "check_report: accepted a fast row with fastpath 0"
fi
report 1050 pass 1050
if ! chk --path fast --action stub; then ok "check_report: wrong action refused"; else not_ok "check_report: accepted pass for a stub row"; fi
if ! chk --path sigsys --action pass; then ok "check_report: in-kernel decisions refused for a SIGSYS row"; else not_ok "check_report: accepted fastpath on a SIGSYS row"; fi
report 0 pass 10
if ! chk --path sigsys --action pass; then ok "check_report: too few calls refused"; else not_ok "check_report: accepted 10 of 1000 calls"; fi

echo "1..$n"
[ "$failed" -eq 0 ]
