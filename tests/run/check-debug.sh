#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check-debug`: the whole guest suite, fuzz and stress included, on a
# kernel with the kernel's own bug detectors on (tests/kernels/NAME.config:
# KASAN, UBSAN, lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS, kmemleak...).
#
# usage: tests/run/check-debug.sh [NAME]      (default: debug; kcsan: KCSAN)
#
# Builds the kernel once per machine (tests/kernels/build.sh caches it by
# its config's hash), builds kbridge.ko and kbdemo.ko against it
# (tests/run/build-for-kernel.sh), then boots it once and runs
# tests/run/guest-suite.sh. Any report of a detector in the kernel log (the
# patterns of tests/vm/kernel-log.ere) or a leak kmemleak confirms fails
# the run. Not part of make check: the kernel takes most of an hour to
# build on two cores, and the suite runs several times slower than on
# the stock kernel. KB_DEBUG_SUITE names another list of guest tests
# (tests/guest/suite-module: the module's own tests, a few times faster).
# KB_FUZZ_SECS, KB_FUZZ_CALLS and KB_STRESS_SECS work as in make check;
# the tests' hang guards are multiplied by KB_TIME_SCALE (default 40, the
# slowdown of the fuzzer's syscalls on this kernel under TCG).
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
name=${1:-debug}
out=.output/results
mkdir -p "$out"

t0=$(date +%s)
tree=$(tests/kernels/build.sh "$name" | tail -n 1) || {
	echo "check-debug: building the $name kernel failed" >&2
	exit 1
}
t1=$(date +%s)
echo "# $name kernel: $tree (this run: $((t1 - t0))s; its build took $(cat "$tree/kbridge-build-seconds" 2>/dev/null || echo '?')s)"
kodir=$(tests/run/build-for-kernel.sh "$tree") || {
	echo "check-debug: building kbridge.ko for $tree failed" >&2
	exit 1
}
echo "# kbridge.ko for it: $kodir/kbridge.ko"

suite=guest-$name
t2=$(date +%s)
# Detectors slow the kernel many times over (syscalls about 40 times under
# TCG): long limits for the guest and for each test, more memory for
# KASAN's shadow and kmemleak's pool.
tests/vm/run.sh --kernel "$tree" --mem 4096 \
	--timeout $((${KB_DEBUG_TIMEOUT:-21600} + ${KB_FUZZ_SECS:-0})) -- \
	env KB_SUITE="$suite" KB_KDIR="$tree" KB_SUITE_LIST="${KB_DEBUG_SUITE-}" \
	KB_TEST_TIMEOUT="${KB_TEST_TIMEOUT:-3600}" KB_TIME_SCALE="${KB_TIME_SCALE:-40}" \
	KB_FUZZ_SECS="${KB_FUZZ_SECS-}" \
	KB_FUZZ_CALLS="${KB_FUZZ_CALLS-}" KB_STRESS_SECS="${KB_STRESS_SECS:-3}" \
	tests/run/guest-suite.sh | tee "$out/$suite.tap"
vm_rc=${PIPESTATUS[0]}
echo "# $suite suite took $(($(date +%s) - t2))s"

pass=0 fail=0 skip=0
while read -r p f s; do
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done < <(sed -nE 's/^# [a-z-]+ totals: pass ([0-9]+) fail ([0-9]+) skip ([0-9]+)$/\1 \2 \3/p' \
	"$out/$suite.tap")
if ! grep -q "^# $suite-setup totals:" "$out/$suite.tap"; then
	echo "not ok - $suite suite did not complete (runner exit status $vm_rc)"
	fail=$((fail + 1))
elif [ "$vm_rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
	# run.sh exits 98 when the log it reads after the command (its own
	# patterns, which include KASAN) shows a report.
	echo "not ok - $suite runner exit status $vm_rc (kernel log or shutdown problem)"
	fail=$((fail + 1))
fi
echo "# check-debug ($name) took $(($(date +%s) - t0))s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
