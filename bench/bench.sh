#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: boot the guest once, run every row of bench/rows in it
# (bench/run-guest.sh) and then, in the same guest, kbctl analyze's group
# method against --exhaustive (bench/analyze.sh -g); print the table and
# the analysis and keep the raw log, results.json and ratios.png in
# bench/results/<date>-<commit>/.
# Assumes `make guest-build` and `make -C bench` have run.
#
# env: BENCH_REPS, BENCH_ITERS, BENCH_REP_MS, BENCH_ONLY (passed to the
#      guest, see bench/run-guest.sh), BENCH_ACCEL (kvm|tcg|auto, default
#      auto), BENCH_RESULTS (directory for this run's files),
#      BENCH_ANALYZE (0: no analysis), BENCH_ANALYZE_ARGS (bench/analyze.sh's
#      options and applications; default "-r 3 sqlite3"), BENCH_TIMEOUT
#      (seconds the guest may take; 1800, 3600 with the analysis)
set -u
cd "$(dirname "$0")/.." || exit 2
# Debian's python3, where bench/install-deps.sh put matplotlib.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

reps=${BENCH_REPS:-5}
iters=${BENCH_ITERS:-}
rep_ms=${BENCH_REP_MS:-500}
for v in "$reps" "${iters:-1}" "$rep_ms"; do
	case $v in ''|*[!0-9]*|0) echo "bench: BENCH_REPS, BENCH_ITERS and BENCH_REP_MS must be positive integers" >&2; exit 2 ;; esac
done
analyze=${BENCH_ANALYZE:-1}
analyze_args=${BENCH_ANALYZE_ARGS:--r 3 sqlite3}
case ${BENCH_TIMEOUT-1} in ''|*[!0-9]*|0) echo "bench: BENCH_TIMEOUT must be a positive integer" >&2; exit 2 ;; esac
commit=$(git rev-parse --short HEAD 2>/dev/null || echo nogit)
[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && commit=$commit-dirty
dir=${BENCH_RESULTS:-bench/results/$(date +%Y%m%d-%H%M%S)-$commit}
mkdir -p "$dir" || exit 2

echo "# bench: $reps repetitions of ${iters:+BENCH_ITERS=$iters}${iters:-about ${rep_ms} ms}, results in $dir"
# The guest gets no environment from here: pass the knobs on its command line.
guest=(env BENCH_REPS="$reps" BENCH_ITERS="$iters" BENCH_REP_MS="$rep_ms"
	BENCH_ONLY="${BENCH_ONLY:-}" bench/run-guest.sh)
# The rows alone: about 20 minutes under TCG (bench/README.md).
timeout_s=1800
if [ "$analyze" != 0 ]; then
	echo "# bench: then bench/analyze.sh $analyze_args in the same guest (BENCH_ANALYZE=0: not)"
	# Split into words as make splits BENCH_ANALYZE_ARGS for bench-analyze.
	read -ra aargs <<<"$analyze_args"
	# The guest's status stays the rows'; the analysis gives its own on
	# its ANALYZE|end line.
	guest=(bash -c "$(printf '%q ' "${guest[@]}"); s=\$?
bench/analyze.sh -g $(printf '%q ' ${aargs[@]+"${aargs[@]}"})
exit \$s")
	# The analysis takes minutes under TCG (redis: over 20 with -r 1).
	timeout_s=3600
fi
timeout_s=${BENCH_TIMEOUT:-$timeout_s}
t0=$(date +%s)
tests/vm/run.sh --accel "${BENCH_ACCEL:-auto}" --timeout "$timeout_s" -- "${guest[@]}" \
	2>"$dir/vm.err" | tee "$dir/raw.log" | grep --line-buffered -E \
	'^# (rep|calibrated) |^BENCH\|(na|fail)\||^ANALYZE\|(begin|error|end)\||^# [a-z0-9]+, (groups|exhaustive), '
vm_rc=${PIPESTATUS[0]}
cat "$dir/vm.err" >&2
accel=$(sed -n 's/.*, accel \([a-z]*\).*/\1/p' "$dir/vm.err" | head -n 1)
echo "# bench: guest run took $(($(date +%s) - t0))s (exit status $vm_rc)"
echo

"$PY" bench/report.py bench/rows "$dir/raw.log" "$dir" --reps "$reps" \
	--meta "commit=$commit" --meta "date=$(date -Iseconds)" \
	--meta "accel=${accel:-unknown}" | tee "$dir/table.txt"
rep_rc=${PIPESTATUS[0]}
# report.py prints the analysis (and its FAIL line) when the guest got
# as far as starting it; a guest that died before says nothing.
analysis_fail=$(sed -n 's/^analysis: FAIL (\(.*\))$/\1/p' "$dir/table.txt")
if [ "$analyze" != 0 ] && ! grep -q '^analysis: ' "$dir/table.txt"; then
	analysis_fail="it did not run (see $dir/raw.log)"
	printf '\nanalysis: FAIL (%s)\n' "$analysis_fail" | tee -a "$dir/table.txt"
fi
failed_rows=$("$PY" -c 'import json, sys
print(", ".join(r["name"] for r in json.load(open(sys.argv[1]))["rows"] if r["status"] == "fail"))' \
	"$dir/results.json" 2>/dev/null)
echo
echo "# bench: $dir/{table.txt,results.json,raw.log}$([ -f "$dir/ratios.png" ] && echo ,ratios.png)"
st=0
if [ "$vm_rc" -ne 0 ]; then
	echo "bench: the guest run failed (exit status $vm_rc)" >&2
	st=1
fi
if [ -n "$failed_rows" ]; then
	echo "bench: some rows failed: $failed_rows" >&2
	st=1
fi
if [ -n "$analysis_fail" ]; then
	echo "bench: the kbctl analyze comparison failed: $analysis_fail" >&2
	st=1
fi
if [ "$rep_rc" -ne 0 ] && [ "$st" = 0 ]; then
	echo "bench: the report failed (exit status $rep_rc)" >&2
	st=1
fi
exit "$st"
