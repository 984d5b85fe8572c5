#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's dbench workload: 1 client in a temp dir; passes if the
# NTCreateX, Close, Qpathinfo, Find, WriteX and ReadX rows all show a
# maximum latency above 0.
. "$(dirname "$0")/../lib.sh"
wl_run 10 dbench -t 2 -D "$wl_tmp" -c /usr/share/dbench/client.txt 1
for op in NTCreateX Close Qpathinfo Find WriteX ReadX; do
	max=$(awk -v op="$op" '$1 == op && NF == 4 { print $4 }' <<<"$wl_out")
	awk -v m="$max" 'BEGIN { exit !(m + 0 > 0) }' || wl_fail "$op: max latency '$max'"
done
