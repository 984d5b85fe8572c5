#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's nodejs workload: node times a regex test against indexOf
# (bench.js); passes if both rates are printed and a fastest is named.
. "$(dirname "$0")/../lib.sh"
wl_run 30 node "$(dirname "$0")/bench.js"
wl_has '^RegExp#test x [0-9]+ ops/sec$'
wl_has '^String#indexOf x [0-9]+ ops/sec$'
wl_has '^Fastest is '
