#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real gmic workload: a 512x512 RGB plasma, blurred, resized, mirrored
# and written as PNG; passes if gmic reads it back at 256x256x1x3.
. "$(dirname "$0")/../lib.sh"
export HOME=$wl_tmp
wl_run 20 gmic 512,512,1,3 srand 1 plasma 10,3 blur 2 resize 256,256 mirror x o "$wl_tmp/out.png"
wl_run 10 gmic i "$wl_tmp/out.png" echo '{w},{h},{d},{s}'
wl_has '256,256,1,3'
