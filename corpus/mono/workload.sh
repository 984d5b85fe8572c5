#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's mono workload: mono hello.exe; passes if it says hello.
. "$(dirname "$0")/../lib.sh"
export HOME=$wl_tmp
wl_run 10 mono "$CORPUS_DATA/hello.exe"
wl_has '^Hello$'
