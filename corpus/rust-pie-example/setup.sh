#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The hello binary, built once, optimised (not under analysis).
HOME=$CORPUS_DATA /usr/bin/rustc -O -o "$CORPUS_DATA/hello" "$(dirname "$0")/../rust/hello.rs"
