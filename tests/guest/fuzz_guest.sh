#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest test (root): hostile ioctl input (tests/guest/kbridge_fuzz.c), then what
# it must leave behind.
#
# Runs every seed of tests/fuzz_seeds with its budget (KB_FUZZ_CALLS, when
# set, replaces every budget): one TAP result per seed, the process
# surviving with only documented errnos, and one for the kernel log after
# it (no BUG/WARNING/Oops, no KASAN, UBSAN or lockdep report). Nothing is
# random here: a seed's calls are the same in every run.
#
# With KB_FUZZ_SECS=N (make fuzz), a random campaign follows: new seeds
# from /dev/urandom, one after another, until N seconds have passed; a seed
# that fails is printed with the line that adds it to tests/fuzz_seeds.
#
# Then, once: every session, member and rule set freed (rmmod succeeds
# once the fuzzer's files are closed, and the module's exit check "... left
# at exit" does not fire), and the module loads again for the tests that
# follow. Prints TAP.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ko=$top/kbridge.ko
F=$top/.output/tests/kbridge_fuzz
seeds=$top/tests/fuzz_seeds
n=0 failed=0 failures=()
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
show() { printf '%s\n' "$1" | tail -n "$2" | sed 's/^/# /'; }
# shellcheck source=tests/lib/module_common.sh
. "$top/tests/lib/module_common.sh"

if [ ! -c /dev/kbridge ] || [ ! -x "$F" ]; then
	echo "1..0 # SKIP needs /dev/kbridge and $F (make tests)"
	exit 0
fi
case ${KB_FUZZ_CALLS-} in
''|*[!0-9]*) calls_override= ;;
*) calls_override=$KB_FUZZ_CALLS ;;
esac

# run_seed SEED CALLS: one fuzz run and the kernel log after it; returns
# non-zero when either failed.
run_seed() {
	local seed=$1 calls=$2 before out rc summary bad r=0

	before=$(dmesg | wc -l)
	out=$(KB_FUZZ_SEED=$seed KB_FUZZ_CALLS=$calls "$F" 2>&1)
	rc=$?
	summary=$(grep -m1 '^# fuzz: ' <<<"$out")
	if [ "$rc" -eq 0 ] && [ -n "$summary" ]; then
		ok "fuzz ${summary#\# fuzz: }, $calls calls a thread"
	else
		not_ok "fuzz seed $seed, $calls calls a thread: exit status $rc"
		show "$out" 30
		r=1
	fi
	bad=$(kb_log_since "$before")
	if [ -z "$bad" ]; then
		ok "kernel log clean after seed $seed"
	else
		not_ok "kernel log after seed $seed"
		show "$bad" 40
		r=1
	fi
	return $r
}

while read -r seed calls _; do
	case $seed in ''|'#'*) continue ;; esac
	run_seed "$seed" "${calls_override:-$calls}" || failures+=("$seed")
done <"$seeds"

if [ -n "${KB_FUZZ_SECS-}" ]; then
	end=$(($(date +%s) + KB_FUZZ_SECS))
	calls=${calls_override:-20000}
	tried=0
	echo "# random campaign: ${KB_FUZZ_SECS}s, $calls calls a thread per seed"
	while [ "$(date +%s)" -lt "$end" ]; do
		seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
		[ "$seed" != 0 ] || continue
		tried=$((tried + 1))
		if ! run_seed "$seed" "$calls"; then
			failures+=("$seed")
			echo "# seed $seed FAILED: add this line to tests/fuzz_seeds:"
			echo "#   $seed $calls  <what it found>"
		fi
	done
	echo "# random campaign: $tried seeds tried"
fi
[ ${#failures[@]} -eq 0 ] || echo "# failing seeds: ${failures[*]}"

before=$(dmesg | wc -l)
if rmmod kbridge; then
	bad=$(kb_log_since "$before")
	if [ -z "$bad" ]; then
		ok "rmmod after the fuzz runs: every session, member and rule set freed"
	else
		not_ok "rmmod after the fuzz runs left objects"
		show "$bad" 10
	fi
else
	not_ok "rmmod after the fuzz runs failed (a file or session still held?)"
fi
insmod "$ko" 2>/dev/null || grep -q '^kbridge ' /proc/modules
for _ in $(seq 50); do
	[ -c /dev/kbridge ] && break
	sleep 0.1
done
if [ -c /dev/kbridge ]; then ok "kbridge.ko loaded again"; else not_ok "kbridge.ko did not load again"; fi
echo "1..$n"
[ "$failed" -eq 0 ]
