#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's gmic workload: a 1x1x1x2 image filled from an expression, as
# PNG; passes if the PNG is not empty.
. "$(dirname "$0")/../lib.sh"
export HOME=$wl_tmp
wl_run 5 gmic 1,1,1,2 fill "'x+c'" o "$wl_tmp/out.png"
[ -s "$wl_tmp/out.png" ] || wl_fail "no PNG"
