#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# hello.exe, compiled once (not under analysis).
mcs -out:"$CORPUS_DATA/hello.exe" "$(dirname "$0")/hello.cs"
