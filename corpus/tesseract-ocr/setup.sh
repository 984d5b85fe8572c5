#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# page.png: three lines of text, rendered natively once.
cat >"$CORPUS_DATA/page.svg" <<'SVG'
<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="300">
  <rect width="1200" height="300" fill="white"/>
  <text x="40" y="80" font-family="DejaVu Sans" font-size="40">Operating systems need syscalls.</text>
  <text x="40" y="160" font-family="DejaVu Sans" font-size="40">Some can be stubbed, some faked.</text>
  <text x="40" y="240" font-family="DejaVu Sans" font-size="40">The rest must be implemented.</text>
</svg>
SVG
rsvg-convert -o "$CORPUS_DATA/page.png" "$CORPUS_DATA/page.svg"
