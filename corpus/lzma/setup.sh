#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The zstd tarball, and a copy of xz for the check (kbctl analyze --only
# takes every process that runs /usr/bin/xz; a copy is another file).
set -eu
"$(dirname "$0")/../zstd/setup.sh"
cp /usr/bin/xz "$CORPUS_DATA/xz-check"
