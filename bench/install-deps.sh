#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What `make bench` and `make bench-perf` need on top of
# tests/run/install-deps.sh: matplotlib for the chart, linux-perf for the
# profiles. Installed only when missing; without matplotlib the bench
# still prints its table and JSON.
set -u
# Debian's python3, which has Debian's matplotlib: a python3 earlier in
# PATH (pyenv) may not.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
want=()
"$PY" -c 'import matplotlib' 2>/dev/null || want+=(python3-matplotlib)
command -v perf >/dev/null || want+=(linux-perf)
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "bench: missing ${want[*]} (no chart, no profiles): sudo apt-get install ${want[*]}" >&2
	exit 0
fi
echo "bench: installing ${want[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null 2>&1; then
	apt-get update -qq && apt-get install -y -qq --no-install-recommends \
		"${want[@]}" >/dev/null ||
		echo "bench: cannot install ${want[*]}" >&2
fi
exit 0
