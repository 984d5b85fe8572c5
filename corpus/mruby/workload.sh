#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's mruby workload: mruby --version; passes if the banner names it.
. "$(dirname "$0")/../lib.sh"
wl_run 4 mruby --version
wl_has '^mruby 3\.'
