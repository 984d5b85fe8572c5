#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's groonga workload: groonga --version; passes if the banner names it.
. "$(dirname "$0")/../lib.sh"
wl_run 4 groonga --version
wl_has '^Groonga 1[0-9]\.'
