#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's ffmpeg workload: ffmpeg -formats; passes if it lists a few
# (Loupe's test only that the run finished).
. "$(dirname "$0")/../lib.sh"
wl_run 4 ffmpeg -hide_banner -formats
wl_has ' matroska'
