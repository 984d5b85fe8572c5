#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbctl analyze through kbridge.ko, inside the guest: the same probe as
# tests/host/analyze_host.sh, its stubs and fakes now decided by the module
# (whole syscalls and commands in the kernel's fast path, paths through
# SIGSYS). The classes must be the ones the probe is built to have, the
# module's report must name the likeliest cause of a failing group
# (KB_IOC_SESSION_STATS last_changed), and the generated profile must
# pass under kblaunch with the module. Prints TAP.
set -u
KBOPT=
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"

C=$PWD/.output/kbctl
export PROBE=$PWD/$P/analyze_probe PROBE_ARGS=cmds
W=$PWD/tests/workloads/probe.sh
kb_require_guest "kbctl and tests/progs/analyze_probe are built" "$C" "$PROBE" || exit 1

d=$kb_tmp/an
"$C" analyze --app "$PROBE" -o "$d" -r 1 -- "$W" >"$kb_tmp/out" 2>"$kb_tmp/err"
rc=$?
mode=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["mode"])' "$d/runs/baseline-r1.json" 2>&1)
if [ "$rc" -eq 0 ] && [ "$mode" = module ] && grep -q 'generated.profile passes$' "$kb_tmp/out"; then
	ok "kbctl analyze with the module: $(cat "$kb_tmp/out")"
else
	not_ok "kbctl analyze with the module: exit status $rc, mode '$mode'"
	show "$kb_tmp/err" stderr
fi

"$PY" -c 'import json, sys
r = json.load(open(sys.argv[1]))
for s in r["syscalls"] + r["subfeatures"] + r["pseudo_files"]:
    print(s["name"], s.get("condition", "-"), s["class"])' "$d/analysis.json" 2>&1 | sort >"$kb_tmp/classes"
bad=
for want in 'uname - required' 'getpid - required' 'write - required' \
	    'readlink - required' 'getppid - either' 'sched_yield - either' \
	    'prctl - required' 'prctl option=PR_GET_NAME required' \
	    'prctl option=PR_GET_DUMPABLE either' 'readlink path=/proc/self required'; do
	grep -qx "$want" "$kb_tmp/classes" || bad="$bad, $want"
done
[ -z "$bad" ] && ok "the probe's syscalls, prctl options and /proc/self come out as built" ||
	{ not_ok "classes: missing${bad#,}"; show "$kb_tmp/classes" classes; }

# A failing group named its likeliest cause: some failing run's report
# (with the module) has last_changed set to a syscall of its profile.
named=0
for rep in "$d"/runs/t*-r1.json; do
	res=${rep%.json}.result
	[ "$(cut -d' ' -f1 "$res" 2>/dev/null)" = 0 ] || continue
	n=$("$PY" -c 'import json, sys; lc = json.load(open(sys.argv[1]))["last_changed"]; print(lc["name"] if lc else "")' "$rep" 2>/dev/null)
	[ -n "$n" ] && grep -q "^$n " "${rep%.json}.profile" && named=$((named + 1))
done
[ "$named" -gt 0 ] && ok "$named failing runs' reports name a syscall of their profile as the latest stubbed or faked" ||
	not_ok "no failing run's report names its latest stub or fake"

"$K" --only "$PROBE" --profile "$d/generated.profile" --report "$kb_tmp/gen.json" -- "$W" >/dev/null 2>"$kb_tmp/err"
rc=$?
got=$(report_py "$kb_tmp/gen.json" '(r["mode"], sc("getppid")["action"])' 2>&1)
[ "$rc" -eq 0 ] && [ "$got" = "('module', 'stub')" ] &&
	ok "the generated profile passes with the module (getppid stubbed)" ||
	{ not_ok "generated profile with the module: exit status $rc, $got"; show "$kb_tmp/err" stderr; }

# io_uring: the operations the module counted are in the analysis (no
# syscall each: not classed), and a stubbed io_uring_setup is how the
# application does without them (uring_ops falls back to read()).
U=$PWD/.output/tests/progs/uring_ops
"$C" analyze --app "$U" -o "$kb_tmp/uring" -r 1 -- "$U" >/dev/null 2>"$kb_tmp/err"
rc=$?
got=$("$PY" -c 'import json, sys
a = json.load(open(sys.argv[1]))
print(a["io_uring"]["counted"], [(o["name"], o["count"]) for o in a["io_uring"]["ops"]],
      [s["class"] for s in a["syscalls"] if s["name"] == "io_uring_setup"])' \
	"$kb_tmp/uring/analysis.json" 2>&1)
[ "$rc" -eq 0 ] && [ "$got" = "True [('IORING_OP_NOP', 5), ('IORING_OP_READ', 3)] ['stub']" ] &&
	grep -q '^| IORING_OP_READ | 3 |$' "$kb_tmp/uring/analysis.md" &&
	ok "analysis of an io_uring program: its operations by opcode, io_uring_setup stub-able" ||
	{ not_ok "io_uring analysis: exit status $rc, $got"; show "$kb_tmp/err" stderr; }
kb_done
