#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real ffmpeg workload: 2 s of a generated video (testsrc, 320x240, 25
# fps) and tone, encoded as MPEG-4 and AAC in MP4 by 2 threads; passes if
# ffprobe (not under analysis) finds 50 frames of video.
. "$(dirname "$0")/../lib.sh"
wl_run 30 ffmpeg -hide_banner -nostdin -f lavfi -i testsrc=size=320x240:rate=25:duration=2 \
	-f lavfi -i sine=frequency=440:duration=2 -c:v mpeg4 -c:a aac -threads 2 \
	"$wl_tmp/out.mp4"
n=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
	-of csv=p=0 "$wl_tmp/out.mp4")
[ "$n" = 50 ] || wl_fail "frames: '$n'"
