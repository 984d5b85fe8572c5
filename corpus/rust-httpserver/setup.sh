#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The server, built once (debug, as Loupe's hyper example; not under analysis).
HOME=$CORPUS_DATA /usr/bin/rustc -o "$CORPUS_DATA/server" "$(dirname "$0")/server.rs"
