#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's postmark workload: a command file that runs with the defaults
# (in a temp dir) and quits; passes if both the written and the read
# rates are above 0.
. "$(dirname "$0")/../lib.sh"
printf 'set location %s\nrun\nquit\n' "$wl_tmp" >"$wl_tmp/cmds"
wl_run 10 postmark "$wl_tmp/cmds"
read_rate=$(sed -n 's/.* read (\([0-9.]*\) [a-z]* per second)$/\1/p' <<<"$wl_out")
write_rate=$(sed -n 's/.* written (\([0-9.]*\) [a-z]* per second)$/\1/p' <<<"$wl_out")
awk -v r="$read_rate" -v w="$write_rate" 'BEGIN { exit !(r + 0 > 0 && w + 0 > 0) }' ||
	wl_fail "read '$read_rate', written '$write_rate'"
