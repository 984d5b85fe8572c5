#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every command of a test list and merge their TAP into one stream.
#
# usage: tests/run/run-suite.sh [-t SECONDS] [-n NAME] LIST
#
# Each line of LIST is a command run from the repo root (after an optional
# "timeout=SECONDS " for a limit of its own); each prints TAP
# (kselftest harness or shell). Its own ok/not ok lines are renumbered into
# one plan, prefixed with the command's name, and everything else it prints
# is kept as '# ' comments so a failure can be read in the log. A command
# that exits non-zero without reporting a failure, prints fewer results
# than its plan, or prints no result at all counts as a failure: a test
# that dies early must never look green.
# Ends with "# NAME totals: pass P fail F skip S".
set -u

timeout_s=${KB_TEST_TIMEOUT:-600}
name=suite
while getopts "t:n:" opt; do
	case $opt in
	t) timeout_s=$OPTARG ;;
	n) name=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-n NAME] LIST" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { echo "usage: $0 [-t SECONDS] [-n NAME] LIST" >&2; exit 2; }
list=$1
[ -r "$list" ] || { echo "$0: cannot read $list" >&2; exit 2; }

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2

n=0 pass=0 fail=0 skip=0
emit() { # status(ok|not ok) description
	n=$((n + 1))
	echo "$1 $n - $2"
	case "$1 $2" in
	"ok "*"# SKIP"*|"ok "*"# skip"*) skip=$((skip + 1)) ;;
	ok*) pass=$((pass + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
}

echo "TAP version 13"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# busy_jiffies: the CPU time the whole machine has spent busy (every CPU,
# all but idle and iowait), from /proc/stat. Each command's line says
# how many CPUs it kept busy on average: in the guest, how much of the
# host's cores its QEMU needs (what make check's passes share).
busy_jiffies() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}
hz=$(getconf CLK_TCK)
while IFS= read -r line || [ -n "$line" ]; do
	case $line in ''|'#'*) continue ;; esac
	# "timeout=SECONDS COMMAND": a longer limit for that command alone.
	t=$timeout_s
	case $line in timeout=[0-9]*' '*)
		t=${line%% *}
		t=${t#timeout=}
		line=${line#* } ;;
	esac
	tname=$(basename "${line%% *}")
	echo "# run: $line"
	start=$(date +%s.%N)
	busy0=$(busy_jiffies)
	timeout -k 10 "$t" bash -c "$line" >"$log" 2>&1
	rc=$?
	secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	cpus=$(awk -v j=$(($(busy_jiffies) - busy0)) -v hz="$hz" -v s="$secs" \
		'BEGIN { printf "%.1f", (s > 0 ? j / hz / s : 0) }')
	sed -e 's/^/# /' "$log"
	plan=$(grep -m1 -E '^1\.\.[0-9]+' "$log" | sed 's/^1\.\.//; s/[^0-9].*//')
	got=0 bad=0
	while IFS= read -r r; do
		got=$((got + 1))
		case $r in not*) bad=$((bad + 1)) ;; esac
		st=${r%% [0-9]*}
		desc=$(echo "$r" | sed -E 's/^(not )?ok [0-9]+ ?(- )?//')
		emit "$st" "$tname: $desc"
	done < <(grep -E '^(not )?ok [0-9]+' "$log")
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		emit "not ok" "$tname: timed out after ${t}s"
	elif [ "$got" -eq 0 ]; then
		emit "not ok" "$tname: no test result (exit status $rc)"
	elif [ -n "$plan" ] && [ "$got" -lt "$plan" ]; then
		emit "not ok" "$tname: $got of $plan planned results (exit status $rc)"
	elif [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		emit "not ok" "$tname: exit status $rc with no failed test"
	fi
	echo "# $tname: ${secs}s, $cpus CPUs busy, exit status $rc"
done <"$list"
echo "1..$n"
echo "# $name totals: pass $pass fail $fail skip $skip"
[ "$fail" -eq 0 ] && [ "$n" -gt 0 ]
