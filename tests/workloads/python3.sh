#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbctl analyze workload: python3 runs tests/workloads/python3.py (file
# I/O, json, a computation, no subprocess) in a temp dir and must print
# "python3 ok". PYTHON: the interpreter (default /usr/bin/python3, the
# binary to give --app; a PATH python3 may be a pyenv shim, a script that
# execs another python). -I: no user site or PYTHON* variables, so the
# run does not depend on who starts it.
#   kbctl analyze --app /usr/bin/python3 -- tests/workloads/python3.sh
set -u
# shellcheck source=tests/workloads/lib.sh
. "$(dirname "$0")/lib.sh"
out=$(timeout -k 1 "$WL_WAIT" "${PYTHON:-/usr/bin/python3}" -I \
	"$(dirname "$0")/python3.py" "$wl_tmp") || wl_fail "python3 failed"
[ "$out" = "python3 ok" ] || wl_fail "python3 said '$out'"
