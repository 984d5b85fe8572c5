#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's own analysis engine side by side with kbctl analyze (part of
# make bench-analyze; bench/README.md): the same application binaries,
# the same checks (tests/workloads/ and bench/loupe/*.test, which share
# them), in the same guest, one after the other. Per application:
#   - kbctl analyze -r 1 --no-subfeatures --no-effects --no-confirm: whole
#     syscalls, stubbed and faked, as Loupe classes them;
#   - kbctl analyze -r 1: its full depth, whose sub-feature, effect and
#     confirmation runs are reported as rows of their own;
#   - Loupe's explore.py (--output-csv --disable-static), its runs counted
#     by the test script (one call per run, the strace scan included).
# Reported: runs, wall time, classes, their agreement on the syscalls
# both traced, and the targets (kbridge's syscall level at most 40 % of
# Loupe's runs and at least 5x less wall time), met or not.
#
# usage: bench/loupe.sh [APP...]      boot the guest (tests/vm/run.sh) and
#                                     run -g in it; the table and
#                                     results.json go to
#                                     bench/results/loupe-DATE-COMMIT/
#        bench/loupe.sh -g [APP...]   in the guest: print LOUPE| lines
#                                     (begin, error, table, json, end)
#   APP: sqlite3, redis (default: both)
# Loupe's cleanup kills every process named like the application (killall
# -9, pkill -9) before each run: -g only in the throw-away guest.
# env: LOUPE_DIR (Loupe's engine, default ../shared/peers/loupe beside the
#      repository; absent: skipped, said, exit 0), BENCH_RESULTS,
#      BENCH_TIMEOUT (the guest's, s; default 5400), LOUPE_TIMEOUT
#      (explore.py --timeout for servers, default 60: under TCG, with the
#      server under strace -f for Loupe's first run, the redis test's
#      wait for the port and its benchmark take tens of seconds)
set -u
cd "$(dirname "$0")/.." || exit 2
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
LOUPE_DIR=${LOUPE_DIR:-$(cd .. && pwd)/shared/peers/loupe}
export LOUPE_DIR

guest=0
if [ "${1-}" = -g ]; then
	guest=1
	shift
fi
apps=("$@")
[ ${#apps[@]} -eq 0 ] && apps=(sqlite3 redis)
for a in "${apps[@]}"; do
	case $a in
	sqlite3|redis) ;;
	*) echo "bench-loupe: $a: no Loupe test script (sqlite3, redis)" >&2; exit 2 ;;
	esac
done

if [ ! -f "$LOUPE_DIR/explore.py" ]; then
	echo "bench-loupe: skipped: no Loupe engine at $LOUPE_DIR (set LOUPE_DIR)"
	[ "$guest" = 1 ] && echo "LOUPE|end|status=0|skipped"
	exit 0
fi

if [ "$guest" = 0 ]; then
	commit=$(git rev-parse --short HEAD 2>/dev/null || echo nogit)
	[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && commit=$commit-dirty
	dir=${BENCH_RESULTS:-bench/results/loupe-$(date +%Y%m%d-%H%M%S)-$commit}
	mkdir -p "$dir" || exit 2
	echo "# bench-loupe: Loupe and kbctl analyze on ${apps[*]} in the guest, results in $dir"
	tests/vm/run.sh --accel "${BENCH_ACCEL:-auto}" --timeout "${BENCH_TIMEOUT:-5400}" -- \
		env LOUPE_DIR="$LOUPE_DIR" ${LOUPE_TIMEOUT:+LOUPE_TIMEOUT="$LOUPE_TIMEOUT"} \
		bench/loupe.sh -g "${apps[@]}" 2>"$dir/vm.err" | tee "$dir/raw.log" |
		grep --line-buffered -E '^# |^LOUPE\|(begin|error|end)\|'
	vm_rc=${PIPESTATUS[0]}
	sed -n 's/^LOUPE|table|//p' "$dir/raw.log" | tee "$dir/table.txt"
	sed -n 's/^LOUPE|json|//p' "$dir/raw.log" >"$dir/results.json"
	st=$(sed -n 's/^LOUPE|end|status=\([0-9]*\).*/\1/p' "$dir/raw.log")
	if [ "$vm_rc" -ne 0 ] || [ "${st:-1}" != 0 ]; then
		cat "$dir/vm.err" >&2
		echo "bench-loupe: failed (guest exit status $vm_rc, comparison status ${st:-none}): $dir/raw.log" >&2
		exit 1
	fi
	echo "# bench-loupe: $dir/{table.txt,results.json,raw.log}"
	exit 0
fi

# In the guest.
# shellcheck source=bench/guest.sh
. bench/guest.sh
echo "LOUPE|begin|${apps[*]}"
t0=$(date +%s)
rc=0
err() {
	echo "bench-loupe: $*" >&2
	printf 'LOUPE|error|%s\n' "$(printf '%s' "$*" | tr '\r\n' '  ')"
	rc=1
}
tmp=$(mktemp -d)
# shellcheck disable=SC2317 # run from the EXIT trap
cleanup() {
	bench_unload_module
	rm -rf "$tmp"
}
trap cleanup EXIT
bench_guest_bounds
bench_load_module || err "$bench_module_err"
C=$PWD/.output/kbctl
[ -x "$C" ] || { err "$C missing (make userland)"; echo "LOUPE|end|status=2"; exit 2; }

# Loupe's engine runs from a copy of its own: explore.py expects its
# seccomp-run next to it, and the repository is read-only here.
if ! cp -r "$LOUPE_DIR" "$tmp/loupe" ||
   ! gcc -O2 -o "$tmp/loupe/src/seccomp-run" "$tmp/loupe/src/seccomp-run.c" -lseccomp; then
	err "cannot build Loupe's seccomp-run"
	echo "LOUPE|end|status=2"
	exit 2
fi

# now: seconds since the epoch, with decimals
now() { date +%s.%N; }
for name in "${apps[@]}"; do
	w=$PWD/tests/workloads/$name.sh
	test=$PWD/bench/loupe/$name.test
	lopts=()
	case $name in
	sqlite3)
		app=$(command -v sqlite3)
		mkdir -p "$tmp/sq"
		export LOUPE_DB=$tmp/sq/w.db
		largs=("$LOUPE_DB" ".read $PWD/tests/workloads/sqlite3.sql")
		lopts=(--test-sequential) ;;
	redis)
		app=$(command -v redis-server)
		mkdir -p "$tmp/rd"
		export LOUPE_PORT=6390
		largs=(--port "$LOUPE_PORT" --bind 127.0.0.1 --save '' --appendonly no
			--daemonize no --dir "$tmp/rd" --logfile "$tmp/rd/redis.log")
		lopts=(--timeout "${LOUPE_TIMEOUT:-60}") ;;
	esac
	for depth in syscalls full; do
		opts=(-r 1)
		[ "$depth" = syscalls ] && opts+=(--no-subfeatures --no-effects --no-confirm)
		echo "# $name, kbctl analyze ${opts[*]}" >&2
		"$C" analyze "${opts[@]}" --app "$app" -o "$tmp/$name-$depth" -- "$w" \
			>"$tmp/$name-$depth.out" 2>"$tmp/$name-$depth.err" ||
			err "$name: kbctl analyze ${opts[*]}: $(tail -n 2 "$tmp/$name-$depth.err" | tr '\n' ' ' | cut -c1-300)"
		echo "# $(cat "$tmp/$name-$depth.out")" >&2
	done
	echo "# $name, Loupe: explore.py -b $app -t $test --output-csv --disable-static ${lopts[*]} -- ${largs[*]}" >&2
	export LOUPE_RUNS=$tmp/$name-loupe.runs
	: >"$LOUPE_RUNS"
	l0=$(now)
	(cd "$tmp/loupe" && "$PY" explore.py -b "$app" -t "$test" --output-csv \
		--disable-static "${lopts[@]}" -- "${largs[@]}") \
		>"$tmp/$name-loupe.csv" 2>"$tmp/$name-loupe.err" || {
		err "$name: Loupe's explore.py failed: $(tail -n 3 "$tmp/$name-loupe.err" "$tmp/$name-loupe.csv" | tr '\n' ' ' | cut -c1-300)"
		# Its first run's test output (explore.py's own path).
		tail -n 20 /tmp/dynsystmp-stdout.test.log 2>/dev/null | sed 's/^/# loupe test: /' >&2
	}
	echo "$l0 $(now) $(wc -l <"$LOUPE_RUNS")" >"$tmp/$name-loupe.time"
	echo "# Loupe: $(wc -l <"$LOUPE_RUNS") runs" >&2
done

"$PY" bench/loupe_report.py "$tmp" "${apps[@]}" >"$tmp/table.txt" ||
	err "the comparison is incomplete (a tool failed on an application)"
sed 's/^/LOUPE|table|/' "$tmp/table.txt"
[ -f "$tmp/results.json" ] && echo "LOUPE|json|$(cat "$tmp/results.json")"
echo "LOUPE|end|status=$rc|seconds=$(($(date +%s) - t0))"
exit "$rc"
