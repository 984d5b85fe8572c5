#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's jython workload: a script prints java.version and the current
# time from java.lang.System; passes if the output says version.
. "$(dirname "$0")/../lib.sh"
export HOME=$wl_tmp
cat >"$wl_tmp/sys.py" <<'PY'
from java.lang import System
print("java version " + System.getProperty("java.version") + " at " + str(System.currentTimeMillis()))
PY
wl_run 30 jython "$wl_tmp/sys.py"
wl_has '^java version [0-9]'
