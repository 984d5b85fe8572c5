#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real mruby workload (real.rb): objects, blocks, exceptions, sorting.
. "$(dirname "$0")/../lib.sh"
wl_run 10 mruby "$(dirname "$0")/real.rb"
[ "$wl_out" = "499500 1 acct50=10480,acct49=10460,acct48=10440" ] || wl_fail "got '$wl_out'"
