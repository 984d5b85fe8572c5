#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's openjdk workloads: java -version; passes if it names a version
# (Loupe's test only checked that the run finished).
. "$(dirname "$0")/../lib.sh"
wl_run 10 java -version
wl_has '^openjdk version "'
