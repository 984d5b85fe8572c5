#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The input of the zstd workload: a tarball of a source-like tree, and a
# copy of zstd for the check (kbctl analyze --only takes every process
# that runs /usr/bin/zstd; a copy is another file).
set -eu
d=$CORPUS_DATA/src
mkdir -p "$d/sub"
for i in $(seq 1 40); do
	sed "s/^/$i: /" /usr/share/common-licenses/GPL-2 >"$d/sub/file$i.txt"
done
head -c 262144 /dev/urandom >"$d/random.bin"
echo "a tree to compress" >"$d/README.md"
tar -C "$CORPUS_DATA" -cf "$CORPUS_DATA/src.tar" src
rm -rf "$d"
cp /usr/bin/zstd "$CORPUS_DATA/zstd-check"
