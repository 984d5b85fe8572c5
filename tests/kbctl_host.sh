#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbctl on the build machine, without the module: --help of every
# command, `kbctl check` on good and bad profiles, and the errors of the
# commands that need a running session. Prints TAP. (With the module:
# tests/kbctl_guest.sh.)
set -u
cd "$(dirname "$0")/.." || exit 2
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
   grep -q '^  check PROFILE' "$tmp/out"; then
	ok "kbctl --help lists status, get, set, check"
else
	not_ok "kbctl --help: exit status $rc"
	show "$tmp/out" out
fi
for cmd in status get set check; do
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
else
	expect "status without the module" 1 '^kbctl: kbridge.ko is not loaded' -- "$C" status
	expect "get without the module" 1 "^kbctl: PID $$ is not running under kbridge" -- \
		"$C" get $$
fi
# A pid that is free now: past the kernel's pid_max.
expect "get on a process that does not exist" 1 'no such process' -- \
	"$C" get "$(($(cat /proc/sys/kernel/pid_max) + 1))"

echo "1..$n"
[ "$failed" -eq 0 ]
