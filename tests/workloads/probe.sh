#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kbctl analyze workload for tests/progs/analyze_probe: it succeeds when
# the probe exits 0 and said so first; what the probe printed after that
# (its figure) is the workload's last line. PROBE: the probe's path;
# PROBE_ARGS: its arguments.
# shellcheck disable=SC2086 # PROBE_ARGS is a word list
out=$("$PROBE" ${PROBE_ARGS:-}) || exit 1
[ "$(printf '%s\n' "$out" | head -n 1)" = "probe ok" ] || exit 1
printf '%s\n' "$out" | tail -n +2
