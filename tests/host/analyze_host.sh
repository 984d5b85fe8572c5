#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbctl analyze on the host (no module: kblaunch decides in process),
# with tests/progs/analyze_probe as the application and
# tests/workloads/probe.sh as the workload: the probe's checked syscalls
# (uname, getpid, readlink, write) come out required, the ones whose
# result it ignores (getppid, sched_yield) stub-able and fake-able; the
# group method agrees with --exhaustive on every syscall and needs fewer
# runs; the generated profile really lets the workload pass under
# kblaunch; a workload that fails without stubs, one that passes with
# all of them (the control), and a missing --app, are refused. sqlite3 on a SQL script: openat, read, write and mmap
# come out required and the generated profile passes. With the probe's 20
# extra ignorable syscalls, groups need fewer runs than --exhaustive and
# still agree. The commands of a vectored syscall that cannot be stubbed
# whole are analyzed one by one. Side effects (fds, the figure) are
# flagged on their causes;
# --resume goes on after a kill; --jobs runs replicas side by side. Runs
# stuck in a step of the workload end early, with the same classes; the
# runs are tallied by phase and by end; the extra depth switches off.
# Prints TAP.
set -u
KBOPT=
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"
C=$PWD/.output/kbctl
export PROBE=$PWD/$P/analyze_probe
W=$PWD/tests/workloads/probe.sh
# The workloads' temp dirs, here: a run killed at its time limit cannot
# remove its own.
export TMPDIR=$kb_tmp/tmp
mkdir -p "$TMPDIR"

if [ ! -x "$C" ] || [ ! -x "$PROBE" ]; then
	not_ok "kbctl and tests/progs/analyze_probe are built (make)"
	kb_done
	exit 1
fi

# classes DIR: "name class" lines of DIR/analysis.json, sorted
classes() {
	"$PY" -c 'import json, sys
for s in json.load(open(sys.argv[1]))["syscalls"]:
    print(s["name"], s["class"])' "$1/analysis.json" | sort
}
# both NAME OPTS...: the probe analyzed with each method into
# $kb_tmp/NAME-groups and $kb_tmp/NAME-exhaustive.
both() {
	local name=$1 method opt
	shift
	for method in groups exhaustive; do
		opt=
		[ "$method" = exhaustive ] && opt=--exhaustive
		"$C" analyze $opt --app "$PROBE" -o "$kb_tmp/$name-$method" "$@" -- "$W" \
			>/dev/null 2>"$kb_tmp/err" ||
			{ not_ok "analyze $name ($method)"; show "$kb_tmp/err" stderr; }
	done
}
# probe_wrong FILE: the probe's syscalls FILE ("name class" lines) does
# not class as the probe needs them (uname getpid readlink write
# required, getppid sched_yield either), space-separated
probe_wrong() {
	local s
	for s in uname getpid readlink write; do
		grep -qx "$s required" "$1" || printf ' %s' "$s"
	done
	for s in getppid sched_yield; do
		grep -qx "$s either" "$1" || printf ' %s' "$s"
	done
}
runs() { "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["runs"])' "$1/analysis.json"; }

for method in groups exhaustive; do
	d=$kb_tmp/$method
	opt=
	[ "$method" = exhaustive ] && opt=--exhaustive
	"$C" analyze $opt --app "$PROBE" -o "$d" -r 2 -- "$W" >"$kb_tmp/$method.out" 2>"$kb_tmp/$method.err"
	rc=$?
	if [ "$rc" -eq 0 ] && [ -s "$d/analysis.json" ] && [ -s "$d/generated.profile" ] &&
	   grep -q 'generated.profile passes$' "$kb_tmp/$method.out"; then
		ok "kbctl analyze ($method): $(cat "$kb_tmp/$method.out")"
	else
		not_ok "kbctl analyze ($method): exit status $rc"
		show "$kb_tmp/$method.err" stderr
		continue
	fi
	classes "$d" >"$kb_tmp/$method.classes"
	bad=$(probe_wrong "$kb_tmp/$method.classes")
	[ -z "$bad" ] && ok "$method: uname getpid readlink write required, getppid sched_yield either" ||
		{ not_ok "$method: wrong class for$bad"; show "$kb_tmp/$method.classes" classes; }
done

# Progress: one line per run, with the bound and the time left.
if grep -qE '^kbctl analyze: run [0-9]+ of at most [0-9]+, at most [0-9]+ s left \(test [0-9]+, ' "$kb_tmp/groups.err" &&
   [ "$(grep -c '^kbctl analyze: run ' "$kb_tmp/groups.err")" -eq "$(runs "$kb_tmp/groups")" ]; then
	ok "progress on stderr: a line per run, with its bound and the time left"
else
	not_ok "progress lines"
	show "$kb_tmp/groups.err" stderr
fi

# The CSV and the Markdown say what the JSON says.
d=$kb_tmp/groups
if grep -qx '63,uname,1,0,0,required,' "$d/analysis.csv" &&
   grep -qE '^110,getppid,[0-9]+,1,1,either,$' "$d/analysis.csv" &&
   [ "$(grep -c ",$" "$d/analysis.csv")" -eq "$(wc -l <"$kb_tmp/groups.classes")" ] &&
   sed -n '/^## Required/,/^## /p' "$d/analysis.md" | grep -q '^| uname | 63 | 1 |$' &&
   sed -n '/^## Either/,$p' "$d/analysis.md" | grep -q '^| getppid | 110 | '; then
	ok "analysis.csv and analysis.md list the same classes (uname required, getppid either)"
else
	not_ok "analysis.csv / analysis.md"
	show "$d/analysis.csv" csv
fi

if cmp -s "$kb_tmp/groups.classes" "$kb_tmp/exhaustive.classes"; then
	ok "groups and --exhaustive agree on all $(wc -l <"$kb_tmp/groups.classes") syscalls"
else
	not_ok "groups and --exhaustive disagree"
	diff "$kb_tmp/groups.classes" "$kb_tmp/exhaustive.classes" | sed 's/^/# /'
fi
# Where most syscalls can go, groups save runs (and still agree).
export PROBE_ARGS=many
both many -r 2
for method in groups exhaustive; do
	classes "$kb_tmp/many-$method" >"$kb_tmp/many-$method.classes"
done
unset PROBE_ARGS
g=$(runs "$kb_tmp/many-groups") x=$(runs "$kb_tmp/many-exhaustive")
n=$(wc -l <"$kb_tmp/many-groups.classes")
if [ "$n" -ge 30 ] && cmp -s "$kb_tmp/many-groups.classes" "$kb_tmp/many-exhaustive.classes" &&
   [ "$g" -lt "$x" ]; then
	ok "$n syscalls, most of them ignorable: groups agree with --exhaustive in $g runs instead of $x"
else
	not_ok "many: $n syscalls, groups $g runs, --exhaustive $x, agree: $(cmp -s "$kb_tmp/many-groups.classes" "$kb_tmp/many-exhaustive.classes" && echo yes || echo no)"
	diff "$kb_tmp/many-groups.classes" "$kb_tmp/many-exhaustive.classes" | sed 's/^/# /'
fi

# Commands: prctl cannot be stubbed whole (the probe checks PR_GET_NAME),
# so its options are analyzed one by one: PR_GET_NAME required,
# PR_GET_DUMPABLE (ignored) either; ioctl can go whole, its TIOCGWINSZ is
# left alone. Pseudo-files: the probe needs readlink("/proc/self"),
# glibc's start-up does without "/proc/self/exe". Both methods agree on
# them too, and the generated profile stubs the one option and passes.
export PROBE_ARGS=cmds
both cmds -r 1
for method in groups exhaustive; do
	"$PY" -c 'import json, sys
r = json.load(open(sys.argv[1]))
for s in r["syscalls"] + r["subfeatures"] + r["pseudo_files"]:
    print(s["name"], s.get("condition", "-"), s["class"])' \
		"$kb_tmp/cmds-$method/analysis.json" 2>&1 | sort >"$kb_tmp/cmds-$method.classes"
done
c=$kb_tmp/cmds-groups.classes
prof=$kb_tmp/cmds-groups/generated.profile
if grep -qx 'prctl - required' "$c" && grep -qx 'prctl option=PR_GET_NAME required' "$c" &&
   grep -qx 'prctl option=PR_GET_DUMPABLE either' "$c" &&
   grep -qx 'ioctl cmd=TIOCGWINSZ untested' "$c" &&
   grep -qx 'readlink path=/proc/self required' "$c" &&
   grep -qx 'readlink path=/proc/self/exe either' "$c" &&
   cmp -s "$c" "$kb_tmp/cmds-exhaustive.classes" &&
   grep -qx 'prctl when option=PR_GET_DUMPABLE stub' "$prof" &&
   "$K" --only "$PROBE" --profile "$prof" -- "$W" >/dev/null 2>&1; then
	ok "commands and pseudo-files: prctl PR_GET_NAME required, PR_GET_DUMPABLE either, /proc/self required (the probe's own string, in .rodata), /proc/self/exe either; both methods agree on $(wc -l <"$c") items, the profile passes"
else
	not_ok "commands"
	diff "$c" "$kb_tmp/cmds-exhaustive.classes" | sed 's/^/# /'
	show "$c" classes
fi
unset PROBE_ARGS

# Side effects: faking or stubbing close piles fds up, stubbing
# sched_yield zeroes the probe's figure; both are flagged on those
# syscalls alone (the groups that first showed them are split until the
# effect sits on its cause), getppid has none.
export PROBE_ARGS=effects
d=$kb_tmp/effects
"$C" analyze --app "$PROBE" -o "$d" -r 2 -- "$W" >/dev/null 2>"$kb_tmp/err" ||
	{ not_ok "analyze effects"; show "$kb_tmp/err" stderr; }
unset PROBE_ARGS
got=$("$PY" -c 'import json, sys
r = json.load(open(sys.argv[1]))
s = {x["name"]: x for x in r["syscalls"]}
b = r["baseline"][0]
def flags(n, m): return " ".join(s[n][m + "_test"]["flags"]) or "-"
print(b["figure"], b["peak_fds"] > 0, flags("close", "stub"), "/", flags("close", "fake"), "/",
      flags("sched_yield", "stub"), "/", flags("getppid", "stub"), flags("getppid", "fake"),
      s["close"]["fake_test"]["group"], s["sched_yield"]["stub_test"]["group"])' "$d/analysis.json" 2>&1)
case $got in
"100.0 True fds x"*" / fds x"*" / figure x0.00 / - - 1 1")
	ok "side effects flagged on their causes: $got" ;;
*)
	not_ok "side effects: $got"
	show "$d/analysis.md" analysis.md ;;
esac
sed -n '/^## Side effects/,/^## Runs/p' "$d/analysis.md" | grep -q '^| close | fake | fds x' &&
	ok "analysis.md lists the side effects" ||
	{ not_ok "analysis.md side effects"; show "$d/analysis.md" analysis.md; }

# --resume: an analysis killed half way goes on from its finished runs
# and comes to what an uninterrupted one finds; another command's
# analysis is not taken for it.
export PROBE_ARGS=many
d=$kb_tmp/resume
"$C" analyze --app "$PROBE" -o "$d" -r 2 -- "$W" >/dev/null 2>"$kb_tmp/err1" &
an=$!
for _ in $(seq 300); do
	[ "$(grep -c '^kbctl analyze: run ' "$kb_tmp/err1")" -ge 15 ] && break
	sleep 0.1
done
kill -KILL "$an"
wait "$an" 2>/dev/null
done_before=$(grep -c '^kbctl analyze: run ' "$kb_tmp/err1")
"$C" analyze --resume --app "$PROBE" -o "$d" -r 2 -- "$W" >"$kb_tmp/out2" 2>"$kb_tmp/err2"
rc=$?
classes "$d" >"$kb_tmp/resume.classes" 2>/dev/null
reused=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["resumed_runs"])' "$d/analysis.json" 2>/dev/null)
if [ "$rc" -eq 0 ] && [ "$done_before" -ge 15 ] && [ "${reused:-0}" -ge 14 ] &&
   [ "$(grep -c '(resumed)$' "$kb_tmp/err2")" -eq "$reused" ] &&
   cmp -s "$kb_tmp/resume.classes" "$kb_tmp/many-exhaustive.classes"; then
	ok "--resume after a kill at run $done_before: $reused runs taken over, the same classes as --exhaustive"
else
	not_ok "--resume: exit status $rc, killed after $done_before runs, $reused taken over"
	show "$kb_tmp/err2" stderr
	diff "$kb_tmp/resume.classes" "$kb_tmp/many-exhaustive.classes" | sed 's/^/# /'
fi
"$C" analyze --resume --app "$PROBE" -o "$d" -r 3 -- "$W" >/dev/null 2>"$kb_tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'was another analysis' "$kb_tmp/err" &&
	ok "--resume of another analysis (other replicas): refused" ||
	{ not_ok "--resume mismatch: exit status $rc"; show "$kb_tmp/err" stderr; }
"$C" analyze --resume --app "$PROBE" -o "$kb_tmp/none" -r 2 -- "$W" >/dev/null 2>"$kb_tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'no analysis to resume there' "$kb_tmp/err" &&
	ok "--resume where there is none: refused" ||
	{ not_ok "--resume nothing: exit status $rc"; show "$kb_tmp/err" stderr; }

# --jobs: replicas side by side, the same classes.
d=$kb_tmp/jobs
"$C" analyze -j 3 --app "$PROBE" -o "$d" -r 3 -- "$W" >/dev/null 2>"$kb_tmp/err"
rc=$?
classes "$d" >"$kb_tmp/jobs.classes" 2>/dev/null
if [ "$rc" -eq 0 ] && cmp -s "$kb_tmp/jobs.classes" "$kb_tmp/many-exhaustive.classes" &&
   [ "$(ls "$d"/runs/t*-r3.result | wc -l)" -gt 0 ]; then
	ok "-j 3 -r 3: the same classes, $(runs "$d") runs"
else
	not_ok "-j 3: exit status $rc"
	show "$kb_tmp/err" stderr
fi
unset PROBE_ARGS

# Early ends: tests/workloads/probe_steps.sh names a step, then runs the
# probe in its "hang" mode, which waits forever where it would fail. Each
# failing run stops making progress in its step: it ends at twice the
# longest a passing run spent there plus 2 s, not at -t 60, and says so
# (no-progress), with the same classes as when every failing run goes to
# the -t bound (--no-early-end).
# js DIR EXPR: EXPR of DIR/analysis.json (r)
js() { "$PY" -c 'import json, sys; r = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1/analysis.json" "$2" 2>&1; }
WS=$PWD/tests/workloads/probe_steps.sh
"$C" analyze --app "$PROBE" -o "$kb_tmp/early" -r 2 -t 60 -- "$WS" >/dev/null 2>"$kb_tmp/err"
rc=$?
"$C" analyze --no-early-end --app "$PROBE" -o "$kb_tmp/late" -r 2 -t 2 -- "$WS" >/dev/null 2>"$kb_tmp/err2"
rc2=$?
classes "$kb_tmp/early" >"$kb_tmp/early.classes" 2>/dev/null
classes "$kb_tmp/late" >"$kb_tmp/late.classes" 2>/dev/null
stuck=$(js "$kb_tmp/early" 'r["ended"]["no-progress"]["runs"]')
slowest=$(grep -h ' no-progress$' "$kb_tmp"/early/runs/t*.result 2>/dev/null | sort -k2 -g | tail -n 1 | cut -d' ' -f2)
bad=$(probe_wrong "$kb_tmp/early.classes")
if [ "$rc" -eq 0 ] && [ -z "$bad" ] && [ "${stuck:-0}" -ge 4 ] 2>/dev/null &&
   [ "$(js "$kb_tmp/early" 'r["ended"]["bound"]["runs"]')" = 0 ] &&
   [ "$(grep -c ' no-progress$' "$kb_tmp"/early/runs/t*.result | awk -F: '{n += $2} END {print n}')" = "$stuck" ] &&
   "$PY" -c "import sys; sys.exit(not 2 <= float('$slowest') < 20)" &&
   grep -q "FAILED (no progress after step 'ready'), " "$kb_tmp/err" &&
   grep -qx '[0-9.]* ready' "$kb_tmp/early/runs/baseline-r1.steps" &&
   [ "$(js "$kb_tmp/early" '[s["after"] for s in r["steps"]]')" = "[None, 'ready', 'probed']" ]; then
	ok "early end: $stuck runs stuck in step 'ready' ended as no-progress (the slowest in $slowest s, not at -t 60), classes right"
else
	not_ok "early end: exit status $rc, $stuck no-progress runs, the slowest $slowest s, wrong:$bad"
	show "$kb_tmp/err" stderr
fi
if [ "$rc2" -eq 0 ] && cmp -s "$kb_tmp/early.classes" "$kb_tmp/late.classes" &&
   [ "$(js "$kb_tmp/late" 'r["ended"]["no-progress"]["runs"], r["ended"]["bound"]["runs"], r["early_end"]')" = "(0, $stuck, False)" ]; then
	ok "--no-early-end: the same $stuck runs end at the -t bound instead, the same classes on all $(wc -l <"$kb_tmp/late.classes") syscalls"
else
	not_ok "--no-early-end: exit status $rc2, $(js "$kb_tmp/late" 'r["ended"]')"
	diff "$kb_tmp/early.classes" "$kb_tmp/late.classes" | sed 's/^/# /'
	show "$kb_tmp/err2" stderr
fi

# A machine that runs nothing of the analysis for a while (a starved
# guest) is not a workload stuck in its step: kbctl and a run in step
# 'ready' (a workload that waits 1 s there, so that a step there may
# last 2 x 1 + 2 s) stopped together for 8 s, then kbctl first: the run
# must go on, not end as no-progress.
printf '%s\n' '#!/bin/bash' ". $PWD/tests/workloads/lib.sh" 'wl_step ready' 'sleep 1' \
	'out=$("$PROBE")' '[ "$(head -n 1 <<<"$out")" = "probe ok" ]' >"$kb_tmp/slow.sh"
chmod +x "$kb_tmp/slow.sh"
d=$kb_tmp/stall
"$C" analyze --app "$PROBE" -o "$d" -r 1 -- "$kb_tmp/slow.sh" >/dev/null 2>"$kb_tmp/err" &
an=$!
stopped=
for _ in $(seq 300); do
	# In a test's run (test 1 has ended): the baseline's and
	# discovery's runs never end early.
	if grep -q '(test 1, ' "$kb_tmp/err" && grep -qx ready "$d/runs/steps.00" 2>/dev/null; then
		run=$(pgrep -P "$an" | head -n 1)
		if [ -n "$run" ]; then
			kill -STOP "$an"
			kill -STOP -- "-$run"
			sleep 8
			kill -CONT "$an"
			sleep 0.2
			kill -CONT -- "-$run"
			stopped=yes
			break
		fi
	fi
	sleep 0.05
done
wait "$an"
rc=$?
if [ "$rc" -eq 0 ] && [ "$stopped" = yes ] &&
   [ "$(js "$d" 'r["ended"]["no-progress"]["runs"]')" = 0 ] &&
   classes "$d" >"$kb_tmp/stall.classes" && [ -z "$(probe_wrong "$kb_tmp/stall.classes")" ]; then
	ok "an 8 s stall of kbctl and a run is not taken for a stuck step: no run ended as no-progress"
else
	not_ok "stall: exit status $rc, stopped '$stopped', $(js "$d" 'r["ended"]')"
	show "$kb_tmp/err" stderr
fi

# Where the runs went: by phase and by end, each adding up to all the
# runs; the group method's searching tests run one replica, the others
# come in the replicas phase (none under --exhaustive).
sums='sum(v["runs"] for v in r["phases"].values()) == sum(v["runs"] for v in r["ended"].values()) == r["runs"]'
if [ "$(js "$kb_tmp/early" "$sums")" = True ] && [ "$(js "$kb_tmp/exhaustive" "$sums")" = True ] &&
   [ "$(js "$kb_tmp/early" 'r["phases"]["replicas"]["runs"] > 0 and r["phases"]["syscalls"]["runs"] > 0')" = True ] &&
   [ "$(js "$kb_tmp/exhaustive" 'r["phases"]["replicas"]["runs"]')" = 0 ] &&
   sed -n '/^## Where the runs went/,$p' "$kb_tmp/early/analysis.md" | grep -q '^| no-progress | '; then
	ok "runs by phase and by end add up; the searching tests run one replica, the replicas phase the others"
else
	not_ok "phases: $(js "$kb_tmp/early" 'r["phases"]') / $(js "$kb_tmp/exhaustive" 'r["phases"]')"
fi

# The control: every syscall stubbed, the workload must fail. One whose
# check is lost (an EXIT trap that exits with the status of its own last
# command, an rm, as a workload of the corpus once did) is refused:
# nothing else would say that all its syscalls come out "either". With
# --no-control it is analyzed, and they do.
if [ "$(js "$kb_tmp/early" '(r["control"], r["phases"]["control"]["runs"])')" = "('failed', 1)" ] &&
   grep -q 'control run, every syscall stubbed, failed' "$kb_tmp/early/analysis.md"; then
	ok "the control run (all stubbed) failed, as it must, and is said"
else
	not_ok "control: $(js "$kb_tmp/early" '(r["control"], r["phases"])')"
fi
cat >"$kb_tmp/vacuous.sh" <<'EOS'
#!/bin/bash
trap 'rm -rf "$TMPDIR/none"; exit $?' EXIT
"$PROBE" >/dev/null || exit 1
EOS
chmod +x "$kb_tmp/vacuous.sh"
"$C" analyze --app "$PROBE" -o "$kb_tmp/vacuous" -r 1 -- "$kb_tmp/vacuous.sh" >/dev/null 2>"$kb_tmp/err"
rc=$?
"$C" analyze --no-control --app "$PROBE" -o "$kb_tmp/vacuous2" -r 1 -- "$kb_tmp/vacuous.sh" >/dev/null 2>"$kb_tmp/err2"
rc2=$?
if [ "$rc" = 1 ] && [ ! -e "$kb_tmp/vacuous/analysis.json" ] &&
   grep -q "the workload passes with all [0-9]* syscalls of the application stubbed ($kb_tmp/vacuous/runs/control-r1" "$kb_tmp/err" &&
   [ "$rc2" = 0 ] &&
   [ "$(js "$kb_tmp/vacuous2" '(r["control"], set(s["class"] for s in r["syscalls"]))')" = "(None, {'either'})" ]; then
	ok "a workload that passes with everything stubbed: refused (exit 1, said); with --no-control every syscall comes out 'either'"
else
	not_ok "vacuous workload: exit status $rc / $rc2, $(js "$kb_tmp/vacuous2" '(r["control"], r["classes"])')"
	show "$kb_tmp/err" stderr
	show "$kb_tmp/err2" stderr
fi

# Switched off: no discovery, no sub-features, no effects, no
# confirmation; the syscalls classed as with them.
export PROBE_ARGS=cmds
d=$kb_tmp/bare
"$C" analyze --no-subfeatures --no-effects --no-confirm --app "$PROBE" -o "$d" -r 1 -- "$W" >"$kb_tmp/out" 2>"$kb_tmp/err"
rc=$?
unset PROBE_ARGS
classes "$d" >"$kb_tmp/bare.classes" 2>/dev/null
grep -v ' [a-z]*=' "$kb_tmp/cmds-groups.classes" | grep ' - ' | sed 's/ - / /' | sort >"$kb_tmp/cmds-whole.classes"
if [ "$rc" -eq 0 ] && grep -q 'generated.profile is not confirmed (--no-confirm)$' "$kb_tmp/out" &&
   [ "$(js "$d" '[r["phases"][k]["runs"] for k in ("discovery", "subfeatures", "effects", "confirmation")], r["subfeatures"], r["pseudo_files"], r["confirmation"]["passed"]')" = "([0, 0, 0, 0], [], [], None)" ] &&
   cmp -s "$kb_tmp/bare.classes" "$kb_tmp/cmds-whole.classes" &&
   grep -qx 'prctl required' "$kb_tmp/bare.classes"; then
	ok "--no-subfeatures --no-effects --no-confirm: $(js "$d" 'r["runs"]') runs instead of $(runs "$kb_tmp/cmds-groups"), the same $(wc -l <"$kb_tmp/bare.classes") syscall classes"
else
	not_ok "switched off: exit status $rc: $(cat "$kb_tmp/out")"
	diff "$kb_tmp/bare.classes" "$kb_tmp/cmds-whole.classes" | sed 's/^/# /'
	show "$kb_tmp/err" stderr
fi

# A discovery run that fails by chance (its rules change nothing: a
# loaded machine slowed the workload) is made once more, and what it
# finds is kept. Here the workload's third run, the first of discovery
# (after the baseline and the control), fails once.
cat >"$kb_tmp/flaky.sh" <<EOS
#!/bin/bash
n=\$(( \$(cat "$kb_tmp/flaky.count" 2>/dev/null || echo 0) + 1 ))
echo "\$n" >"$kb_tmp/flaky.count"
[ "\$n" = 3 ] && exit 1
exec "$W"
EOS
chmod +x "$kb_tmp/flaky.sh"
export PROBE_ARGS=cmds
d=$kb_tmp/flaky
"$C" analyze --app "$PROBE" -o "$d" -r 1 -- "$kb_tmp/flaky.sh" >/dev/null 2>"$kb_tmp/err"
rc=$?
unset PROBE_ARGS
"$PY" -c 'import json, sys
r = json.load(open(sys.argv[1]))
for s in r["syscalls"] + r["subfeatures"] + r["pseudo_files"]:
    print(s["name"], s.get("condition", "-"), s["class"])' "$d/analysis.json" 2>&1 |
	sort >"$kb_tmp/flaky.classes"
if [ "$rc" -eq 0 ] && grep -q 'discover-commands failed under rules that change nothing: once more' "$kb_tmp/err" &&
   [ -f "$d/runs/discover-commands-again-r1.result" ] &&
   cmp -s "$kb_tmp/flaky.classes" "$kb_tmp/cmds-groups.classes"; then
	ok "a discovery run that fails once is made again: the same $(wc -l <"$kb_tmp/flaky.classes") classes, commands and pseudo-files as without the failure"
else
	not_ok "flaky discovery run: exit status $rc"
	diff "$kb_tmp/flaky.classes" "$kb_tmp/cmds-groups.classes" | sed 's/^/# /'
	show "$kb_tmp/err" stderr
fi

# The generated profile, applied by hand: the workload still passes, and
# the probe's stubs are really in force (its getppid is stubbed).
prof=$kb_tmp/groups/generated.profile
"$K" --only "$PROBE" --profile "$prof" --report "$kb_tmp/gen.json" -- "$W" 2>"$kb_tmp/gen.err"
rc=$?
got=$(report_py "$kb_tmp/gen.json" 'sc("getppid")["action"]' 2>&1)
if [ "$rc" -eq 0 ] && grep -qx 'getppid stub' "$prof" && [ "$got" = stub ]; then
	ok "the generated profile lets the workload pass under kblaunch (getppid stubbed)"
else
	not_ok "the generated profile: exit status $rc, getppid '$got'"
	show "$kb_tmp/gen.err" stderr
fi

# A real application: sqlite3 on a SQL script (tests/workloads/). One
# replica, groups: the structural facts, and a profile that passes.
if need "sqlite3 workload" sqlite3; then
	d=$kb_tmp/sqlite3
	"$C" analyze --app "$(command -v sqlite3)" -o "$d" -r 1 -- \
		"$PWD/tests/workloads/sqlite3.sh" >"$kb_tmp/sq.out" 2>"$kb_tmp/sq.err"
	rc=$?
	classes "$d" >"$kb_tmp/sq.classes" 2>/dev/null
	bad=
	for s in openat read write mmap; do
		grep -qx "$s required" "$kb_tmp/sq.classes" || bad="$bad $s"
	done
	if [ "$rc" -eq 0 ] && [ -z "$bad" ] &&
	   "$K" --only "$(command -v sqlite3)" --profile "$d/generated.profile" -- \
		"$PWD/tests/workloads/sqlite3.sh" 2>/dev/null; then
		ok "sqlite3: $(cat "$kb_tmp/sq.out"); openat read write mmap required, the profile passes"
	else
		not_ok "sqlite3 analysis: exit status $rc, not required:$bad"
		show "$kb_tmp/sq.err" stderr
	fi
fi

# Time calls: without a vDSO (the default) they are syscalls the analysis
# classes (vdso_time needs time() to answer, and accepts a faked
# clock_gettime and gettimeofday, which return 0); --vdso=keep: not seen.
VT=$PWD/.output/tests/progs/vdso_time
for v in hide keep; do
	"$C" analyze --vdso=$v --app "$VT" -o "$kb_tmp/vdso-$v" -r 1 -- "$VT" \
		>/dev/null 2>"$kb_tmp/err"
	echo "rc $?" >"$kb_tmp/vdso-$v.classes"
	classes "$kb_tmp/vdso-$v" 2>/dev/null |
		grep -E '^(clock_gettime|gettimeofday|time) ' >>"$kb_tmp/vdso-$v.classes"
done
if [ "$(cat "$kb_tmp/vdso-hide.classes")" = "rc 0
clock_gettime fake
gettimeofday fake
time required" ] && grep -q 'ran without a vDSO' "$kb_tmp/vdso-hide/analysis.md"; then
	ok "without a vDSO (default): time required, clock_gettime and gettimeofday fake-able, said in analysis.md"
else
	not_ok "--vdso=hide: $(tr '\n' ' ' <"$kb_tmp/vdso-hide.classes")"
	show "$kb_tmp/err" stderr
fi
[ "$(cat "$kb_tmp/vdso-keep.classes")" = "rc 0" ] &&
	ok "--vdso=keep: no time syscall in the results" ||
	not_ok "--vdso=keep: $(tr '\n' ' ' <"$kb_tmp/vdso-keep.classes")"

"$C" analyze --app "$PROBE" -o "$kb_tmp/fail" -r 1 -- false >/dev/null 2>"$kb_tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'the workload fails without any stub' "$kb_tmp/err" &&
	ok "a workload that fails natively: exit 1, said" ||
	{ not_ok "failing workload: exit status $rc"; show "$kb_tmp/err" stderr; }
# Killed, kbctl analyze takes its runs with it: the run's workload is a
# session of its own, which a program spinning under a stub would
# otherwise outlive. Here the workload starts, besides the application
# (a sleep), what escapes a process group: coreutils' timeout (a group of
# its own), a shell that forks and waits, and a daemon (setsid: a session
# of its own, orphaned to kbctl when the workload dies). Each sleeps a
# length no other process has; kbctl gets SIGTERM while they run. And a
# zombie that is not dead: a program whose main thread exited alone (as
# when exit_group is stubbed) while another thread runs on; its pid is
# in a file, as a zombie has no command line.
SLEEP=$(command -v sleep)
TAG=98765
cat >"$kb_tmp/escapes.sh" <<EOS
#!/bin/bash
# \$1: the tag's last digit for this workload's sleeps; \$2: how it ends
timeout 900 $SLEEP $TAG.\${1}1 &
sh -c '$SLEEP $TAG.\${1}2 & wait' &
setsid $SLEEP $TAG.\${1}3 &
$PY -c 'import ctypes, os, sys, threading, time
threading.Thread(target=time.sleep, args=(900,)).start()
open(sys.argv[1], "w").write(str(os.getpid()))
ctypes.CDLL(None).syscall(60, 0)' "$kb_tmp/zombie.\$1" &
case \$2 in
wait) exec $SLEEP $TAG.\${1}4 ;;
bound) timeout 900 $SLEEP $TAG.\${1}4 ;;
*)	# once all five processes run (timeout, sh and a sleep each, setsid sleep)
	for _ in \$(seq 200); do
		[ "\$(pgrep -fc "sleep $TAG\\\\.\$1")" -ge 5 ] &&
			[ -s "$kb_tmp/zombie.\$1" ] && exit 0
		$SLEEP 0.05
	done
	exit 1 ;;
esac
EOS
chmod +x "$kb_tmp/escapes.sh"
# left TAG: how many processes run a sleep of that tag
left() { pgrep -fc "sleep $TAG\\.$1" || true; }
# zombie TAG: the thread-leaving zombie of that tag still there (bounded
# wait: its parent, or init once it is orphaned, reaps it once it dies)
zombie() {
	local z
	z=$(cat "$kb_tmp/zombie.$1" 2>/dev/null) || { echo "no pid file"; return; }
	for _ in $(seq 100); do
		[ -e "/proc/$z" ] || return 0
		sleep 0.02
	done
	echo "pid $z $(tr -d '\0' <"/proc/$z/stat" 2>/dev/null | cut -d' ' -f3) with $(ls "/proc/$z/task" 2>/dev/null | wc -l) threads"
}
"$C" analyze --app "$SLEEP" -o "$kb_tmp/stop" -r 1 -t 600 -- \
	"$kb_tmp/escapes.sh" 1 wait >/dev/null 2>"$kb_tmp/err" &
an=$!
for _ in $(seq 200); do
	[ "$(left 1)" -ge 4 ] && [ -s "$kb_tmp/zombie.1" ] && break
	sleep 0.05
done
seen=$(left 1)
zseen=$(ls "/proc/$(cat "$kb_tmp/zombie.1")/task" 2>/dev/null | wc -l)
kill -TERM "$an"
wait "$an"
rc=$?
sleep 0.2
gone=$(left 1)
z=$(zombie 1)
if [ "$seen" -ge 4 ] && [ "$zseen" -ge 1 ] && [ "$rc" -eq 143 ] && [ "$gone" = 0 ] && [ -z "$z" ]; then
	ok "SIGTERM to kbctl analyze: the run in flight killed with it, under timeout, forked, setsid and zombie with a live thread too (exit status 143)"
else
	not_ok "SIGTERM to kbctl analyze: exit status $rc, the run's sleeps seen $seen, left $gone; zombie: seen with $zseen threads, left: $z"
	pgrep -fa "sleep $TAG" | sed 's/^/# /'
	pkill -KILL -f "sleep $TAG"
	cat "$kb_tmp"/zombie.* 2>/dev/null | xargs -r kill -KILL 2>/dev/null
fi

# A run that ends by itself, and one past its time bound, leave nothing
# behind either (the first passes, and the analysis with it; the second
# is a baseline that fails).
"$C" analyze --app "$SLEEP" -o "$kb_tmp/leave" -r 1 -t 600 -- \
	"$kb_tmp/escapes.sh" 2 exit >/dev/null 2>"$kb_tmp/err"
rc=$?
gone=$(left 2)
z=$(zombie 2)
if [ "$gone" = 0 ] && [ -z "$z" ]; then
	ok "a run that exits leaves none of its processes (analysis exit status $rc)"
else
	not_ok "a run that exits: $gone of its processes left, zombie: $z (analysis exit status $rc)"
	pgrep -fa "sleep $TAG" | sed 's/^/# /'
	pkill -KILL -f "sleep $TAG"
	cat "$kb_tmp"/zombie.* 2>/dev/null | xargs -r kill -KILL 2>/dev/null
fi
"$C" analyze --app "$SLEEP" -o "$kb_tmp/bound" -r 1 -t 1 -- \
	"$kb_tmp/escapes.sh" 3 bound >/dev/null 2>"$kb_tmp/err"
rc=$?
gone=$(left 3)
z=$(zombie 3)
if [ "$gone" = 0 ] && [ -z "$z" ] && [ "$rc" -ne 0 ] &&
	grep -q 'past its 1 s bound' "$kb_tmp/err"; then
	ok "a run past its bound leaves none of its processes (analysis exit status $rc)"
else
	not_ok "a run past its bound: $gone of its processes left, zombie: $z, exit status $rc"
	show "$kb_tmp/err" stderr
	pgrep -fa "sleep $TAG" | sed 's/^/# /'
	pkill -KILL -f "sleep $TAG"
	cat "$kb_tmp"/zombie.* 2>/dev/null | xargs -r kill -KILL 2>/dev/null
fi

"$C" analyze -o "$kb_tmp/x" -- "$W" >/dev/null 2>"$kb_tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'no --app given' "$kb_tmp/err" &&
	ok "no --app: exit 1, usage error" ||
	{ not_ok "no --app: exit status $rc"; show "$kb_tmp/err" stderr; }
kb_done
