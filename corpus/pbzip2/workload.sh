#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's pbzip2 workload: pbzip2 -p2 compresses the tarball to stdout;
# passes if bzip2 (another program) unpacks it to the tree with its
# README.md (a round trip).
. "$(dirname "$0")/../lib.sh"
timeout -k 1 10 pbzip2 -p2 -c "$CORPUS_DATA/src.tar" >"$wl_tmp/src.tar.bz2" ||
	wl_fail "pbzip2 failed"
bzip2 -dc "$wl_tmp/src.tar.bz2" | tar -C "$wl_tmp" -xf - || wl_fail "no tarball came back"
[ -f "$wl_tmp/src/README.md" ] || wl_fail "no README.md"
