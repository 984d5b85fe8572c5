#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's imagemagick workload: convert photo.jpg photo.png; passes if
# the PNG has the photo's size.
. "$(dirname "$0")/../lib.sh"
wl_run 10 convert "$CORPUS_DATA/photo.jpg" "$wl_tmp/photo.png"
size=$(identify -format '%w %h %m' "$wl_tmp/photo.png" 2>/dev/null)
[ "$size" = "1024 768 PNG" ] || wl_fail "photo.png: '$size'"
