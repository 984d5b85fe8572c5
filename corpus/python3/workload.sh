#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's python3 workload: python3 --version (its test only checked that
# the run finished; this one also reads the banner).
. "$(dirname "$0")/../lib.sh"
wl_run 4 /usr/bin/python3.11 --version
wl_has '^Python 3\.'
