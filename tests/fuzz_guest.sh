#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest test (root): hostile ioctl input (tests/kbridge_fuzz.c, for
# KB_FUZZ_SECS seconds, default 15), then what it must leave behind:
#  - no BUG/WARNING/Oops in the kernel log during the run;
#  - every session, member and rule set freed: rmmod succeeds once the
#    fuzzer's files are closed, and the module's exit check ("... left at
#    exit") does not fire;
#  - the module loads again, for the tests that follow.
# Prints TAP.
set -u
ko="$(dirname "$0")/../kbridge.ko"
F="$(dirname "$0")/../.output/tests/kbridge_fuzz"
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
show() { printf '%s\n' "$1" | tail -n "$2" | sed 's/^/# /'; }
# logged_since LINES PATTERN: the kernel log's lines after the first
# LINES that match PATTERN
logged_since() { dmesg | tail -n +"$(($1 + 1))" | grep -E "$2"; }

if [ ! -c /dev/kbridge ] || [ ! -x "$F" ]; then
	echo "1..0 # SKIP needs /dev/kbridge and $F (make tests)"
	exit 0
fi
before=$(dmesg | wc -l)
out=$("$F" 2>&1)
rc=$?
summary=$(grep -m1 '^# fuzz: ' <<<"$out")
if [ "$rc" -eq 0 ] && [ -n "$summary" ]; then
	ok "fuzz: ${summary#\# fuzz: }"
else
	not_ok "fuzz: exit status $rc"
	show "$out" 30
fi
bad=$(logged_since "$before" 'BUG:|WARNING:|Oops|general protection|Call Trace|left at exit')
if [ -z "$bad" ]; then
	ok "kernel log free of BUG/WARNING/Oops during the fuzz run"
else
	not_ok "kernel log after the fuzz run"
	show "$bad" 20
fi
before=$(dmesg | wc -l)
if rmmod kbridge; then
	bad=$(logged_since "$before" 'left at exit|WARNING:|BUG:')
	if [ -z "$bad" ]; then
		ok "rmmod after the fuzz run: every session, member and rule set freed"
	else
		not_ok "rmmod after the fuzz run left objects"
		show "$bad" 10
	fi
else
	not_ok "rmmod after the fuzz run failed (a file or session still held?)"
fi
insmod "$ko" 2>/dev/null || grep -q '^kbridge ' /proc/modules
for _ in $(seq 50); do
	[ -c /dev/kbridge ] && break
	sleep 0.1
done
if [ -c /dev/kbridge ]; then ok "kbridge.ko loaded again"; else not_ok "kbridge.ko did not load again"; fi
echo "1..$n"
[ "$failed" -eq 0 ]
