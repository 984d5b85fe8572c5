#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# hello.beam, compiled once (not under analysis).
erlc -o "$CORPUS_DATA" "$(dirname "$0")/hello.erl"
