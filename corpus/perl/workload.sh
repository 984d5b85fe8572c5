#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's perl workload: perl -v; passes if the output mentions perl.
. "$(dirname "$0")/../lib.sh"
wl_run 4 perl -v
wl_has 'perl'
