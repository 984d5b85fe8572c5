#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbctl analyze workload for the early end of runs: a first step, then
# tests/progs/analyze_probe "hang", which waits forever where it would
# fail (a server left unable to answer). It succeeds as probe.sh does.
# PROBE: the probe's path.
set -u
# shellcheck source=tests/workloads/lib.sh
. "$(dirname "$0")/lib.sh"
wl_step ready
out=$("$PROBE" hang) || wl_fail "the probe failed"
[ "$out" = "probe ok" ] || wl_fail "the probe said '$out'"
wl_step probed
