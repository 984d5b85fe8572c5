#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest as root: load the freshly built kbridge.ko, run
# tests/guest/suite (or KB_SUITE_LIST), unload, and check the kernel log.
set -u
cd "$(dirname "$0")/../.." || exit 2

# KB_SUITE: the name results and totals carry (make check runs the suite
# once per kernel).
suite=${KB_SUITE:-guest}
pass=0 fail=0 n=0
res() { # 0|1 description
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $suite: $2"; pass=$((pass + 1))
	else
		echo "not ok $n - $suite: $2"; fail=$((fail + 1))
	fi
}

kver=$(uname -r)
echo "# guest kernel $kver"
# The in-tree modules are built for the generic guest kernel; those for
# another kernel (PREEMPT_RT, a debug build) are in .output/kernels/KVER
# (tests/run/build-for-kernel.sh). Every test loads ./kbridge.ko: put this
# kernel's in its place, in the guest's overlay (the host's file stays).
if [ "$(modinfo -F vermagic ./kbridge.ko 2>/dev/null | cut -d' ' -f1)" != "$kver" ]; then
	alt=.output/kernels/$kver
	cp "$alt/kbridge.ko" ./kbridge.ko &&
		cp "$alt/examples/personality/kbdemo.ko" examples/personality/kbdemo.ko
	res $? "kbridge.ko and kbdemo.ko built for $kver ($alt)"
fi
# A kernel of our own (make check-debug) has no build tree of its own in
# /lib/modules: the tests that build the module in the guest (DKMS, make
# install) get the one tests/kernels/build.sh made (KB_KDIR).
if [ -n "${KB_KDIR-}" ] && [ ! -e "/lib/modules/$kver/build" ]; then
	mkdir -p "/lib/modules/$kver" && ln -s "$KB_KDIR" "/lib/modules/$kver/build"
	res $? "/lib/modules/$kver/build -> $KB_KDIR"
fi
# kmemleak (debug kernels): what was allocated before the suite is not ours.
kmemleak=/sys/kernel/debug/kmemleak
[ -w "$kmemleak" ] && echo clear >"$kmemleak"
dmesg -C
insmod ./kbridge.ko
res $? "insmod kbridge.ko"
[ -c /dev/kbridge ]
res $? "/dev/kbridge exists"

# KB_SUITE_LIST: another list of guest tests (make check-debug can take
# tests/guest/suite-module, the tests that exercise the module itself).
tests/run/run-suite.sh -n "$suite" "${KB_SUITE_LIST:-tests/guest/suite}"

# Every session is gone once its processes are: the module must unload.
if grep -q '^kbridge ' /proc/modules; then
	rmmod kbridge
	res $? "rmmod kbridge after the suite"
fi
# kmemleak: a block allocated during the suite that nothing points to
# any more is a leak. Two scans, as the kernel's documentation advises:
# a block still referenced from a CPU's registers or a stack during the
# first scan is reported only when the second confirms it.
if [ -w "$kmemleak" ]; then
	echo scan >"$kmemleak" && echo scan >"$kmemleak"
	leaks=$(cat "$kmemleak")
	[ -z "$leaks" ]
	res $? "kmemleak: no leak during the suite"
	[ -n "$leaks" ] && printf '%s\n' "$leaks" | head -n 200 | sed 's/^/# kmemleak: /'
fi
# What a kernel must never say (tests/vm/kernel-log.ere): the debug
# kernels' detectors (KASAN, UBSAN, lockdep, kmemleak...) included.
bad=$(dmesg | grep -E -f tests/vm/kernel-log.ere)
[ -z "$bad" ]
res $? "kernel log free of BUG/WARNING/Oops and detector reports"
[ -n "$bad" ] && echo "$bad" | sed 's/^/# dmesg: /'
echo "# $suite-setup totals: pass $pass fail $fail skip 0"
[ "$fail" -eq 0 ]
