#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that a kblaunch --report file shows what a benchmark row claims.

A row that says "in-kernel stub" must have had its getppid calls counted
by kbridge, decided with the stub action, and decided in the kernel (the
session's fast-path count); a SIGSYS row must have had none decided there.
Exit status 0 if so, 1 with the reason on stderr otherwise.
"""
import argparse
import json
import sys


def load(path):
    """The report as (counts by name, actions by name, fastpath or None)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = None
    if isinstance(doc, dict):
        counts, actions = {}, {}
        for s in doc.get("syscalls") or []:
            counts[s.get("name")] = s.get("count", 0)
            actions[s.get("name")] = s.get("action")
        fastpath = (doc.get("totals") or {}).get("fastpath")
        return counts, actions, fastpath
    # The older text format: "name count" lines, no actions, no fast path.
    counts = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            counts[parts[0]] = int(parts[1])
    return counts, {}, None


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("report", help="the file kblaunch --report wrote")
    ap.add_argument("--syscall", default="getppid")
    ap.add_argument("--min-calls", type=int, required=True,
                    help="calls of SYSCALL the program made at least")
    ap.add_argument("--path", choices=("fast", "sigsys", "any"), default="any",
                    help="fast: at least MIN-CALLS decided in the kernel; "
                    "sigsys: none")
    ap.add_argument("--action", choices=("pass", "stub", "fake", "any"),
                    default="any")
    a = ap.parse_args()

    try:
        counts, actions, fastpath = load(a.report)
    except OSError as e:
        sys.exit(f"report: {e}")
    n = counts.get(a.syscall, 0)
    if n < a.min_calls:
        sys.exit(f"report: {n} {a.syscall} calls counted, expected at least "
                 f"{a.min_calls}")
    if a.action != "any" and actions.get(a.syscall) not in (None, a.action):
        sys.exit(f"report: {a.syscall} decided by '{actions[a.syscall]}', "
                 f"expected '{a.action}'")
    if a.action != "any" and a.action != "pass" and a.syscall not in actions:
        sys.exit(f"report: no action recorded for {a.syscall} (old report "
                 f"format?), expected '{a.action}'")
    if a.path == "fast":
        if fastpath is None:
            sys.exit("report: no fast-path count in it")
        if fastpath < a.min_calls:
            sys.exit(f"report: {fastpath} calls decided in the kernel, "
                     f"expected at least {a.min_calls} (fast path not taken)")
    elif a.path == "sigsys" and fastpath:
        sys.exit(f"report: {fastpath} calls decided in the kernel, "
                 f"expected none on the SIGSYS path")


if __name__ == "__main__":
    main()
