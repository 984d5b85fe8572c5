#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A real Lua workload (real.lua): file I/O, string patterns, tables,
# sorting, time. Passes if the word counts are right.
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
out=$(timeout -k 1 5 lua5.2 "$(dirname "$0")/real.lua" "$tmp/words.txt") || exit 1
[ "$out" = "2000	stub=334,syscall=334,fake=333,kernel=333,loupe=333,tier=333" ]
