#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's rust-pie-example workload: the binary; passes if exactly one
# line says Hello, world!.
. "$(dirname "$0")/../lib.sh"
wl_run 10 "$CORPUS_DATA/hello"
[ "$(grep -c 'Hello, world!' <<<"$wl_out")" = 1 ] || wl_fail "got '$wl_out'"
