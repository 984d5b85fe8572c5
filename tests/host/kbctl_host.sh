#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbctl on the build machine, without the module: --help of every
# command, `kbctl check` on good and bad profiles, and the errors of the
# commands that need a running session. Prints TAP. (With the module:
# tests/guest/kbctl_guest.sh.)
set -u
cd "$(dirname "$0")/../.." || exit 2
C=${KBCTL:-.output/kbctl}
n=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
show() { [ -s "$1" ] && sed -e "s/^/# $2: /" "$1" | head -20; }

# expect NAME STATUS STDERR-REGEX -- CMD...: status and a stderr line.
expect() {
	local name=$1 want=$2 re=$3 rc
	shift 4
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -Eq "$re" "$tmp/err"; then
		ok "$name: exit $want, '$(head -1 "$tmp/err")'"
	else
		not_ok "$name: exit status $rc, expected $want"
		show "$tmp/err" stderr
	fi
}

if [ ! -x "$C" ]; then
	not_ok "kbctl is built (make userland)"
	echo "1..$n"
	exit 1
fi

# ---- --help ----
"$C" --help >"$tmp/out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^  status \[PID\]' "$tmp/out" &&
   grep -q '^  get PID' "$tmp/out" && grep -q '^  set PID SYSCALL ACTION' "$tmp/out" &&
   grep -q '^  check PROFILE' "$tmp/out" && grep -q '^  stats --bpf load|unload|status' "$tmp/out" &&
   grep -q '^  stats \[PID|--session S\]' "$tmp/out" && grep -q '^  top \[PID|--session S\]' "$tmp/out"; then
	ok "kbctl --help lists status, get, set, check, stats, top"
else
	not_ok "kbctl --help: exit status $rc"
	show "$tmp/out" out
fi
for cmd in status get set check stats top; do
	"$C" "$cmd" --help >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q "^Usage: kbctl $cmd " "$tmp/out" &&
	   grep -q '^EXAMPLES:' "$tmp/out"; then
		ok "kbctl $cmd --help: usage and examples"
	else
		not_ok "kbctl $cmd --help: exit status $rc"
		show "$tmp/out" out
	fi
done
expect "kbctl without a command" 1 'no COMMAND given' -- "$C"
expect "unknown command" 1 "^kbctl: unknown command 'frob'" -- "$C" frob
expect "get with a PID that is not a number" 1 "'12x' is not a process id" -- "$C" get 12x
expect "set without a rule" 1 'give SYSCALL ACTION' -- "$C" set 1
expect "set with a wrong rule: the line, before any PID lookup" 1 \
	"^kbctl: command line:1: .*frob" -- "$C" set 1 getppid frob
printf 'getppid pass\ndefault stub\n' >"$tmp/default.profile"
expect "set -f with a 'default' line" 1 "^kbctl: $tmp/default.profile:2: " -- \
	"$C" set 1 -f "$tmp/default.profile"

# ---- check ----
printf '# a comment\ngetppid fake 77\n\nunlink stub EACCES\n' >"$tmp/good.profile"
printf 'getppid pass\nopenat frobnicate\n' >"$tmp/bad.profile"
out=$("$C" check "$tmp/good.profile" 2>"$tmp/err")
rc=$?
[ "$rc" -eq 0 ] && [ "$out" = "$tmp/good.profile: ok, 2 entries" ] &&
	ok "check a good profile: '$out'" ||
	{ not_ok "check a good profile: exit status $rc, '$out'"; show "$tmp/err" stderr; }
expect "check a profile with an error on line 2" 1 "^kbctl: $tmp/bad.profile:2: " -- \
	"$C" check "$tmp/bad.profile"
expect "check a missing file" 1 "^kbctl: $tmp/none.profile: " -- \
	"$C" check "$tmp/none.profile"
"$C" check "$tmp/good.profile" "$tmp/bad.profile" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q ': ok, 2 entries' "$tmp/out" && grep -q 'bad.profile:2:' "$tmp/err" &&
	ok "check two profiles, one bad: both reported, exit 1" ||
	not_ok "check two profiles: exit status $rc"

# ---- commands that need the module ----
if [ -e /dev/kbridge ]; then
	skip "status without the module" "/dev/kbridge exists here"
	skip "get without the module" "/dev/kbridge exists here"
	skip "ps without the module" "/dev/kbridge exists here"
else
	expect "ps without the module" 1 '^kbctl: /dev/kbridge: No such file or directory \(kbridge.ko is not loaded\)$' -- \
		"$C" ps
	expect "status without the module" 1 '^kbctl: kbridge.ko is not loaded' -- "$C" status
	expect "get without the module" 1 "^kbctl: PID $$ is not running under kbridge" -- \
		"$C" get $$
fi
# A pid that is free now: past the kernel's pid_max.
expect "get on a process that does not exist" 1 'no such process' -- \
	"$C" get "$(($(cat /proc/sys/kernel/pid_max) + 1))"

# ---- stats and top: argument errors, and no counters loaded ----
# Nothing here loads BPF: that would mount a bpffs on the build machine.
expect "stats --bpf with a wrong word" 1 "stats: --bpf takes load, unload or status, not 'frob'" -- \
	"$C" stats --bpf frob
expect "stats --bpf load with a PID" 1 'stats: --bpf takes no PID, --session, --rule or --json' -- \
	"$C" stats --bpf load 1
expect "stats with a PID and --session" 1 'give one PID, --session or --rule' -- \
	"$C" stats --session 3 1
expect "top with --session and --rule" 1 'give one PID, --session or --rule' -- \
	"$C" top --session 3 --rule 1
expect "stats with a bad rule id" 1 "^kbctl: 'r1' is not a rule id" -- \
	"$C" stats --rule r1
expect "ps with a bad rule id" 1 "ps: --rule 0: not a rule id" -- "$C" ps --rule 0
expect "ps with an argument" 1 "ps: unexpected argument 'x'" -- "$C" ps x
expect "stats with a bad session id" 1 "^kbctl: 'x3' is not a session id" -- \
	"$C" stats --session x3
expect "top with -d 0" 1 "top: -d takes seconds from 0.1 to 3600, not '0'" -- "$C" top -d 0
expect "top with -n 0" 1 "top: -n takes a number of frames >= 1, not '0'" -- "$C" top -n 0
expect "top with a PID that is not a number" 1 "'1x' is not a process id" -- "$C" top 1x
if [ -e /sys/fs/bpf/kbridge ]; then
	skip "stats without counters loaded" "/sys/fs/bpf/kbridge exists here"
	skip "top without counters loaded" "/sys/fs/bpf/kbridge exists here"
	skip "stats --bpf unload without counters loaded" "/sys/fs/bpf/kbridge exists here"
else
	not_loaded='^kbctl: the eBPF counters are not loaded \(no /sys/fs/bpf/kbridge\): kbctl stats --bpf load$'
	expect "stats without counters loaded" 1 "$not_loaded" -- "$C" stats --json
	expect "top without counters loaded" 1 "$not_loaded" -- "$C" top -n 1
	expect "stats --bpf unload without counters loaded" 1 \
		'^kbctl: not loaded: no /sys/fs/bpf/kbridge$' -- "$C" stats --bpf unload
	out=$("$C" stats --bpf status 2>"$tmp/err")
	rc=$?
	case $out in
	"eBPF counters: not loaded (no /sys/fs/bpf/kbridge)" | \
	"eBPF counters: not loaded (no bpf filesystem on /sys/fs/bpf)")
		[ "$rc" -eq 0 ] && ok "stats --bpf status without counters: '$out'" ||
			not_ok "stats --bpf status without counters: exit status $rc" ;;
	*)
		not_ok "stats --bpf status without counters: exit status $rc, '$out'"
		show "$tmp/err" stderr ;;
	esac
fi

echo "1..$n"
[ "$failed" -eq 0 ]
