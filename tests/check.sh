#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: the host suite, then the guest suite in one QEMU boot, then
# one line of totals. Assumes `make guest-build` has run.
set -u
cd "$(dirname "$0")/.." || exit 2
out=.output/results
mkdir -p "$out"
t0=$(date +%s)

echo "# == host suite (kernel $(uname -r), no module)"
tests/run-suite.sh -n host tests/suite.host | tee "$out/host.tap"

echo "# == guest suite (QEMU, Debian kernel, kbridge.ko loaded)"
# The guest gets no environment from here: pass the long budgets along
# (KB_FUZZ_SECS: a random fuzz campaign after the fixed seeds; the guest's
# time limit grows by it).
tests/vm/run.sh --timeout $((900 + ${KB_FUZZ_SECS:-0})) -- env \
	KB_FUZZ_SECS="${KB_FUZZ_SECS-}" KB_FUZZ_CALLS="${KB_FUZZ_CALLS-}" \
	KB_STRESS_SECS="${KB_STRESS_SECS:-3}" tests/guest-suite.sh |
	tee "$out/guest.tap"
vm_rc=${PIPESTATUS[0]}

pass=0 fail=0 skip=0
while read -r p f s; do
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done < <(sed -nE 's/^# [a-z-]+ totals: pass ([0-9]+) fail ([0-9]+) skip ([0-9]+)$/\1 \2 \3/p' \
	"$out/host.tap" "$out/guest.tap")

# The guest must have reached its end and its kernel log must be clean:
# otherwise the run counts as a failure even if every result seen passed.
if ! grep -q '^# guest-setup totals:' "$out/guest.tap"; then
	echo "not ok - guest suite did not complete (runner exit status $vm_rc)"
	fail=$((fail + 1))
elif [ "$vm_rc" -ne 0 ] && [ "$(sed -nE 's/^# guest-setup totals: pass [0-9]+ fail ([0-9]+).*/\1/p' "$out/guest.tap")" = 0 ] &&
	! grep -q '^# guest totals: pass [0-9]* fail [1-9]' "$out/guest.tap"; then
	echo "not ok - guest runner exit status $vm_rc (kernel log or shutdown problem)"
	fail=$((fail + 1))
fi

echo "# TAP totals: pass $pass fail $fail skip $skip"
echo "# make check took $(( $(date +%s) - t0 ))s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
