#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: boot the guest once, run every row of bench/rows in it
# (bench/run-guest.sh), then print the table and keep the raw log,
# results.json and ratios.png in bench/results/<date>-<commit>/.
# Assumes `make guest-build` and `make -C bench` have run.
#
# env: BENCH_REPS, BENCH_ITERS, BENCH_REP_MS, BENCH_ONLY (passed to the
#      guest, see bench/run-guest.sh), BENCH_ACCEL (kvm|tcg|auto, default
#      auto), BENCH_RESULTS (directory for this run's files)
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
commit=$(git rev-parse --short HEAD 2>/dev/null || echo nogit)
[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && commit=$commit-dirty
dir=${BENCH_RESULTS:-bench/results/$(date +%Y%m%d-%H%M%S)-$commit}
mkdir -p "$dir" || exit 2

echo "# bench: $reps repetitions of ${iters:+BENCH_ITERS=$iters}${iters:-about ${rep_ms} ms}, results in $dir"
t0=$(date +%s)
# The guest gets no environment from here: pass the knobs on its command line.
tests/vm/run.sh --accel "${BENCH_ACCEL:-auto}" -- env BENCH_REPS="$reps" \
	BENCH_ITERS="$iters" BENCH_REP_MS="$rep_ms" BENCH_ONLY="${BENCH_ONLY:-}" bench/run-guest.sh \
	2>"$dir/vm.err" | tee "$dir/raw.log" | grep --line-buffered -E '^# (rep|calibrated) |^BENCH\|(na|fail)\|'
vm_rc=${PIPESTATUS[0]}
cat "$dir/vm.err" >&2
accel=$(sed -n 's/.*, accel \([a-z]*\).*/\1/p' "$dir/vm.err" | head -n 1)
echo "# bench: guest run took $(($(date +%s) - t0))s (exit status $vm_rc)"
echo

"$PY" bench/report.py bench/rows "$dir/raw.log" "$dir" --reps "$reps" \
	--meta "commit=$commit" --meta "date=$(date -Iseconds)" \
	--meta "accel=${accel:-unknown}" | tee "$dir/table.txt"
rep_rc=${PIPESTATUS[0]}
echo
echo "# bench: $dir/{table.txt,results.json,raw.log}$([ -f "$dir/ratios.png" ] && echo ,ratios.png)"
if [ "$vm_rc" -ne 0 ]; then
	echo "bench: the guest run failed (exit status $vm_rc)" >&2
	exit 1
fi
[ "$rep_rc" -eq 0 ] || { echo "bench: some rows failed" >&2; exit 1; }
