#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's elixir workload: elixir --version; passes if one line names it.
. "$(dirname "$0")/../lib.sh"
export HOME=$wl_tmp
wl_run 10 elixir --version
[ "$(grep -ic elixir <<<"$wl_out")" = 1 ] || wl_fail "not one line with elixir: '$wl_out'"
