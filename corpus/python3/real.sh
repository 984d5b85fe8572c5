#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real Python workload (real.py): JSON, regular expressions, hashing,
# threads, sqlite3, temporary files. Passes if its figures are right.
. "$(dirname "$0")/../lib.sh"
wl_run 10 /usr/bin/python3.11 "$(dirname "$0")/real.py" "$wl_tmp"
want="2000 400 1999000 $(printf item-7 | sha256sum | cut -c1-8) ('t0', 400) 100000"
[ "$wl_out" = "$want" ] || wl_fail "got '$wl_out', not '$want'"
