#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What `make bench` needs on top of tests/install-deps.sh: matplotlib for
# the chart. Installed only when missing; without it the bench still
# prints its table and JSON.
set -u
# Debian's python3, which has Debian's matplotlib: a python3 earlier in
# PATH (pyenv) may not.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
"$PY" -c 'import matplotlib' 2>/dev/null && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "bench: no matplotlib, no chart: sudo apt-get install python3-matplotlib" >&2
	exit 0
fi
echo "bench: installing python3-matplotlib" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends python3-matplotlib >/dev/null 2>&1; then
	apt-get update -qq && apt-get install -y -qq --no-install-recommends \
		python3-matplotlib >/dev/null ||
		echo "bench: cannot install python3-matplotlib; no chart" >&2
fi
exit 0
