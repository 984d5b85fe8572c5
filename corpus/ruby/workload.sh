#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real Ruby workload (real.rb); passes if its figures are right.
. "$(dirname "$0")/../lib.sh"
wl_run 10 ruby "$(dirname "$0")/real.rb" "$wl_tmp"
[ "$wl_out" = "1000 50044 1 from a child" ] || wl_fail "got '$wl_out'"
