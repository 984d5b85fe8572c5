#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The eBPF counters see batched reports (module/batch.h): kbridge.ko sends
# a task's identical decisions in a row as one count to kbridge_decisions.
# Inside the guest as root with kbridge.ko loaded, through kbctl stats:
#  - a program blocked between commands has had every decision counted
#    but its blocking read (exact per-process counts after each command);
#  - a tight loop of identical calls is counted while it runs, not only
#    when it ends, and exactly once it has ended;
#  - after the counters are unloaded and loaded again, nothing decided
#    before the new load reaches them (a run pending across the reload,
#    the blocked read, is dropped).
# Prints TAP.
set -u
KBOPT=
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"
C=$PWD/.output/kbctl
PIN=/sys/fs/bpf/kbridge
ANSWER_S=60
kbpid=

cleanup() {
	[ -n "$kbpid" ] && kill "$kbpid" 2>/dev/null
	exec 7>&- 2>/dev/null
	[ -d "$PIN" ] && "$C" stats --bpf unload >/dev/null 2>&1
	rm -rf "$kb_tmp"
}
trap cleanup EXIT

kb_require_guest "kbctl and tests/progs are built (make)" "$C" \
	"$P/live_getppid" "$P/stress_getppid" || exit 1
[ -d "$PIN" ] && "$C" stats --bpf unload >/dev/null 2>&1

# counts [PID]: "GETPPID READ" counted by the eBPF maps (for PID, or for
# every session), or "error ..."
counts() {
	"$C" stats --json "$@" 2>"$kb_tmp/stats.err" | "$PY" -c '
import json, sys
n = {"getppid": 0, "read": 0}
for s in json.load(sys.stdin)["syscalls"]:
    if s["name"] in n:
        n[s["name"]] += s["count"]
print(n["getppid"], n["read"])' 2>>"$kb_tmp/stats.err" || echo "error $(head -c 200 "$kb_tmp/stats.err")"
}

load() {
	if "$C" stats --bpf load >"$kb_tmp/out" 2>"$kb_tmp/err"; then
		ok "kbctl stats --bpf load ($1)"
	else
		not_ok "kbctl stats --bpf load ($1)"
		show "$kb_tmp/err" stderr
	fi
}

# ---- a tight loop: counted while it runs ----
# A loop with no end (far more calls than it can make before it is
# stopped): two snapshots while it runs must grow, however slow the
# guest. Bounded by LOOP_SECS (the eBPF side not counting at all); the
# loop is then stopped. Its exact count is the next check's, with a loop
# that ends by itself.
load "tight loop"
LOOP_SECS=$((120 * ${KB_TIME_SCALE:-1}))
"$K" -- "$P/stress_getppid" 1 4000000000000 >/dev/null 2>&1 &
spid=$!
seen= last= t0=$SECONDS
while kill -0 "$spid" 2>/dev/null && [ $((SECONDS - t0)) -lt "$LOOP_SECS" ]; do
	read -r g _ <<<"$(counts)"
	if [ "${g:-0}" -gt 0 ] 2>/dev/null; then
		[ -n "$seen" ] && [ "$g" -gt "$seen" ] && { last=$g; break; }
		[ -z "$seen" ] && seen=$g
	fi
	sleep 0.2
done
alive=no
kill -0 "$spid" 2>/dev/null && alive=yes
kill -TERM "$spid" 2>/dev/null
wait "$spid"
if [ -n "$last" ] && [ "$alive" = yes ]; then
	ok "a tight getppid loop is counted while it runs: $seen, then $last"
else
	not_ok "a tight getppid loop: no growing partial count seen while it ran (first ${seen:-none}, still running: $alive)"
	show "$kb_tmp/stats.err" stats
fi
"$C" stats --bpf unload >/dev/null 2>&1

load "a loop to its end"
N=3000000
"$K" -- "$P/stress_getppid" 1 "$N" >/dev/null 2>&1
rc=$?
read -r g _ <<<"$(counts)"
if [ "$rc" -eq 0 ] && [ "$g" = "$N" ]; then
	ok "once the loop has ended, its $N calls are counted exactly"
else
	not_ok "after the loop (exit status $rc): getppid counted '$g', expected $N"
	show "$kb_tmp/stats.err" stats
fi
"$C" stats --bpf unload >/dev/null 2>&1

# ---- a program that blocks between commands ----
load "blocked program"
if ! kb_live_start 0; then
	kb_done
	exit 1
fi
exact=1
for i in 1 2 3; do
	a=$(kb_ask expect "$kbpid")
	read -r g _ <<<"$(counts "$pid")"
	if [ "$a" != "expect $kbpid: ok 1" ] || [ "$g" != "$i" ]; then
		exact=0
		not_ok "blocked after command $i: answer '$a', getppid counted '$g', expected $i"
	fi
done
[ "$exact" = 1 ] && ok "a program blocked in read has every getppid counted: 1, 2, 3 after each command"

# Reload: the read it is blocked in was decided under the first load.
"$C" stats --bpf unload >/dev/null 2>&1
load "again, the program blocked in read"
for i in 1 2 3; do
	a=$(kb_ask expect "$kbpid")
	[ "$a" = "expect $kbpid: ok 1" ] || not_ok "after the reload, command $i: '$a'"
done
echo quit >&7
exec 7>&-
wait "$kbpid"
rc=$?
kbpid=
read -r g r <<<"$(counts "$pid")"
# Decided after the reload: 3 getppid, and the reads that returned the
# 2nd and 3rd commands and "quit". The read that returned the 1st command
# was decided before the reload.
if [ "$rc" -eq 0 ] && [ "$g" = 3 ] && [ "$r" = 3 ]; then
	ok "after a reload only what was decided since is counted: getppid 3, read 3"
else
	not_ok "after a reload (exit status $rc): getppid '$g' read '$r', expected 3 and 3"
	show "$kb_tmp/stats.err" stats
fi
kb_done
