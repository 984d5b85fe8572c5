#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real Perl workload (real.pl): file I/O, regular expressions, hashes,
# sorting, formats. Passes if the report's figures are right.
. "$(dirname "$0")/../lib.sh"
wl_run 10 perl "$(dirname "$0")/real.pl" "$wl_tmp"
[ "$wl_out" = "5 200=2769,404=231" ] || wl_fail "got '$wl_out'"
