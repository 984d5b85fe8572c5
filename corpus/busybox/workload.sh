#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's busybox workload: ash runs script.sh; passes if its output is
# what the script says.
. "$(dirname "$0")/../lib.sh"
wl_run 10 /bin/busybox ash "$(dirname "$0")/script.sh"
want=$'start\nchild says hello\nlisted\ntests pass\netc has entries\na b c \ndone'
[ "$wl_out" = "$want" ] || wl_fail "got '$wl_out'"
