#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's rpm workload: rpm prints a line that names it.
. "$(dirname "$0")/../lib.sh"
wl_run 4 rpm --version
wl_has 'RPM version 4\.'
