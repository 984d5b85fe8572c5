#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# with-bpf.sh [--scope LIST] CMD...: run one benchmark command with
# kbridge's eBPF counters attached (kbctl stats --bpf load [--scope LIST]),
# detach them, and exit as CMD did. A row that claims "counters attached" must really have been
# counted: fails unless the counters saw at least $N getppid decisions.
set -u
C=${KBCTL:-.output/kbctl}
PY=/usr/bin/python3

scope=()
if [ "${1:-}" = --scope ]; then
	scope=(--scope "$2")
	shift 2
fi
if ! "$C" stats --bpf load "${scope[@]}" >/dev/null; then
	echo "with-bpf: kbctl stats --bpf load failed" >&2
	exit 1
fi
"$@"
rc=$?
seen=$("$C" stats --json | "$PY" -c '
import json, sys
print(sum(s["count"] for s in json.load(sys.stdin)["syscalls"] if s["name"] == "getppid"))')
"$C" stats --bpf unload >/dev/null
[ "$rc" -eq 0 ] || exit "$rc"
if [ "${seen:-0}" -lt "${N:-1}" ]; then
	echo "with-bpf: the counters saw ${seen:-no} getppid decisions, expected at least ${N:-1}" >&2
	exit 1
fi
