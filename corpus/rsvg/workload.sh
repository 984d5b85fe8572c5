#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's rsvg workload: rsvg-convert drawing.svg to PNG; passes if the
# PNG is a 640x480 PNG (Loupe's: non-empty).
. "$(dirname "$0")/../lib.sh"
wl_run 10 rsvg-convert -o "$wl_tmp/drawing.png" "$(dirname "$0")/drawing.svg"
head -c 24 "$wl_tmp/drawing.png" | od -An -tx1 | tr -d ' \n' |
	grep -q '^89504e470d0a1a0a0000000d49484452000002800000' || wl_fail "not a 640x480 PNG"
