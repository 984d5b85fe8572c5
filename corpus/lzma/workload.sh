#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's lzma workload: lzma -c -q -f compresses the tarball to stdout;
# passes if it unpacks (with a copy of xz) to the tree with its README.md.
. "$(dirname "$0")/../lib.sh"
timeout -k 1 10 lzma -c -q -f "$CORPUS_DATA/src.tar" >"$wl_tmp/src.tar.lzma" ||
	wl_fail "lzma failed"
"$CORPUS_DATA/xz-check" --format=lzma -dc "$wl_tmp/src.tar.lzma" | tar -C "$wl_tmp" -xf - ||
	wl_fail "no tarball came back"
[ -f "$wl_tmp/src/README.md" ] || wl_fail "no README.md"
