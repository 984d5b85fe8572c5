#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: the host suite and the guest suite in one QEMU boot per
# kernel (Debian's PREEMPT_RT kernel beside the host suite, then its
# generic kernel), then one line of totals. Assumes `make guest-build` has run;
# GUEST_KVER and RT_KVER come from the Makefile (tests/run/guest-kernel.sh).
set -u
cd "$(dirname "$0")/../.." || exit 2
out=.output/results
mkdir -p "$out"
t0=$(date +%s)
generic=${GUEST_KVER:-$(tests/run/guest-kernel.sh generic)}
rt=${RT_KVER-$(tests/run/guest-kernel.sh rt)}

fail=0
# Two phases. First the host suite and the PREEMPT_RT pass at once: each
# mostly keeps one CPU busy (each test's line says how many), and the
# machine has two. The guest runs niced so that the host suite, whose
# analyses time their runs, keeps its pace; its hang guards are
# multiplied by KB_TIME_SCALE (2 here). Then the generic pass alone: it
# runs several processes at once on both of its CPUs (CPython's suite,
# the runtimes), and two guests at once, four virtual CPUs on two cores,
# measured 2-4x slower for each (a virtual CPU spins on a lock or an IPI
# whose holder's thread is not running).

# host: the host suite, its TAP in $out/host.tap.
host() {
	local t

	t=$(date +%s)
	echo "# == host suite (kernel $(uname -r), no module)"
	tests/run/run-suite.sh -n host tests/host/suite
	echo "# host suite took $(($(date +%s) - t))s"
}

# guest NAME KVER LIST: the guest tests of LIST under kernel KVER, their
# TAP and results named NAME; the runner's exit status in $out/NAME.rc.
guest() {
	local name=$1 kver=$2 list=$3 t

	t=$(date +%s)
	echo "# == $name suite (QEMU, kernel $kver, kbridge.ko loaded)"
	# The guest gets no environment from here: pass the long budgets
	# along (KB_FUZZ_SECS: a random fuzz campaign after the fixed seeds;
	# the guest's time limit, a guard against a hung guest, grows by it).
	nice -n 10 tests/vm/run.sh --kver "$kver" \
		--timeout $((3600 + ${KB_FUZZ_SECS:-0})) -- \
		env KB_SUITE="$name" KB_SUITE_LIST="$list" \
		KB_TIME_SCALE="${KB_TIME_SCALE:-2}" \
		KB_FUZZ_SECS="${KB_FUZZ_SECS-}" \
		KB_FUZZ_CALLS="${KB_FUZZ_CALLS-}" \
		KB_STRESS_SECS="${KB_STRESS_SECS:-3}" tests/run/guest-suite.sh
	echo $? >"$out/$name.rc"
	echo "# $name suite took $(($(date +%s) - t))s"
}

# completed NAME: the guest reached its end and its kernel log was
# clean; otherwise the pass counts as a failure even if every result
# seen passed.
completed() {
	local name=$1 vm_rc

	vm_rc=$(cat "$out/$name.rc" 2>/dev/null || echo "?")
	if ! grep -q "^# $name-setup totals:" "$out/$name.tap"; then
		echo "not ok - $name suite did not complete (runner exit status $vm_rc)"
		fail=$((fail + 1))
	elif [ "$vm_rc" != 0 ] &&
	     [ "$(sed -nE "s/^# $name-setup totals: pass [0-9]+ fail ([0-9]+).*/\1/p" "$out/$name.tap")" = 0 ] &&
	     ! grep -q "^# $name totals: pass [0-9]* fail [1-9]" "$out/$name.tap"; then
		echo "not ok - $name runner exit status $vm_rc (kernel log or shutdown problem)"
		fail=$((fail + 1))
	fi
}

rm -f "$out"/host.tap "$out"/guest.tap "$out"/guest-rt.tap "$out"/*.rc
taps=("$out/host.tap" "$out/guest.tap")
host >"$out/host.tap" 2>&1 &
host_pid=$!
if [ -n "$rt" ]; then
	guest guest-rt "$rt" tests/guest/suite-rt >"$out/guest-rt.tap" 2>&1 &
	rt_pid=$!
	taps+=("$out/guest-rt.tap")
fi
wait "$host_pid"
cat "$out/host.tap"
if [ -n "$rt" ]; then
	wait "$rt_pid"
	cat "$out/guest-rt.tap"
	completed guest-rt
else
	echo "not ok - no PREEMPT_RT guest kernel (make deps installs linux-image-rt-amd64)"
	fail=$((fail + 1))
fi
guest guest "$generic" tests/guest/suite 2>&1 | tee "$out/guest.tap"
completed guest

pass=0 skip=0
while read -r p f s; do
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done < <(sed -nE 's/^# [a-z-]+ totals: pass ([0-9]+) fail ([0-9]+) skip ([0-9]+)$/\1 \2 \3/p' \
	"${taps[@]}")

# Repeat every failure last, with the lines its test printed just before
# it: a CI log is often read from its tail only.
if grep -q '^not ok' "${taps[@]}"; then
	echo "# failures, with the lines before each:"
	for tap in "${taps[@]}"; do
		grep -B 6 '^not ok' "$tap" | sed "s|^|# ${tap##*/}: |"
	done | tail -n 60
	grep -h '^not ok' "${taps[@]}" | head -n 20
fi
echo "# TAP totals: pass $pass fail $fail skip $skip"
echo "# make check took $(( $(date +%s) - t0 ))s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
