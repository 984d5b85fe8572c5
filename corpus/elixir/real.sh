#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real Elixir workload (real.exs): 20 processes, messages, a file.
. "$(dirname "$0")/../lib.sh"
export HOME=$wl_tmp
wl_run 20 elixir "$(dirname "$0")/real.exs" "$wl_tmp"
[ "$wl_out" = "20 14360500" ] || wl_fail "got '$wl_out'"
