#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Loupe's zstd workload: compress the tarball; passes if the .zst
# decompresses (with the copy of zstd) and unpacks to a tree with its
# README.md.
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cp "$CORPUS_DATA/src.tar" "$tmp/" || exit 1
timeout -k 1 10 zstd -q "$tmp/src.tar" || exit 1
rm "$tmp/src.tar"
"$CORPUS_DATA/zstd-check" -q -d "$tmp/src.tar.zst" -o "$tmp/src.tar" || exit 1
tar -C "$tmp" -xf "$tmp/src.tar" && [ -f "$tmp/src/README.md" ]
