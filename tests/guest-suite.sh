#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest as root: load the freshly built kbridge.ko, run
# tests/suite.guest, unload, and check the kernel log.
set -u
cd "$(dirname "$0")/.." || exit 2

pass=0 fail=0 n=0
res() { # 0|1 description
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - guest: $2"; pass=$((pass + 1))
	else
		echo "not ok $n - guest: $2"; fail=$((fail + 1))
	fi
}

echo "# guest kernel $(uname -r)"
dmesg -C
insmod ./kbridge.ko
res $? "insmod kbridge.ko"
[ -c /dev/kbridge ]
res $? "/dev/kbridge exists"

tests/run-suite.sh -n guest tests/suite.guest

# Every session is gone once its processes are: the module must unload.
if grep -q '^kbridge ' /proc/modules; then
	rmmod kbridge
	res $? "rmmod kbridge after the suite"
fi
bad=$(dmesg | grep -E 'BUG:|WARNING:|Oops|general protection|Call Trace|refcount_t:|list_(add|del) corruption')
[ -z "$bad" ]
res $? "kernel log free of BUG/WARNING/Oops"
[ -n "$bad" ] && echo "$bad" | sed 's/^/# dmesg: /'
echo "# guest-setup totals: pass $pass fail $fail skip 0"
[ "$fail" -eq 0 ]
