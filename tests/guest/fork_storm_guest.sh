#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest test (root, kbridge.ko loaded): 16 threads of a member fork 400
# children each that exit at once (tests/progs/fork_storm.c), so that the
# module's fork and exit probes contend for its locks on every CPU with
# preemption off. Checks that every fork and exit succeeded, that every
# child joined the session, and that the kernel said nothing of it
# (tests/vm/kernel-log.ere). On PREEMPT_RT, where a contended spinlock_t
# sleeps, the probes' locks gave "BUG: scheduling while atomic" here
# within seconds before they became raw spinlocks. Fixed counts: no
# clock, no random draw. Prints TAP.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
F=$top/.output/tests/progs/fork_storm
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
# shellcheck source=tests/lib/module_common.sh
. "$top/tests/lib/module_common.sh"

if [ ! -c /dev/kbridge ] || [ ! -x "$F" ]; then
	echo "1..0 # SKIP needs /dev/kbridge and $F (make tests)"
	exit 0
fi
before=$(dmesg | wc -l)
out=$("$F" 16 400 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then
	ok "fork storm on $(uname -r): $out"
else
	not_ok "fork storm on $(uname -r): exit status $rc: $out"
fi
bad=$(kb_log_since "$before")
if [ -z "$bad" ]; then
	ok "kernel log clean after the fork storm"
else
	not_ok "kernel log after the fork storm"
	printf '%s\n' "$bad" | head -n 20 | sed 's/^/# /'
fi
echo "1..$n"
[ "$failed" -eq 0 ]
