#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's gegl workload: gegl photo.jpg -o photo.png; passes if the PNG
# has the photo's size (Loupe's: non-empty).
. "$(dirname "$0")/../lib.sh"
export HOME=$wl_tmp
wl_run 15 gegl "$CORPUS_DATA/photo.jpg" -o "$wl_tmp/photo.png"
size=$(identify -format '%w %h %m' "$wl_tmp/photo.png" 2>/dev/null)
[ "$size" = "1024 768 PNG" ] || wl_fail "photo.png: '$size'"
