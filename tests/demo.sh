#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`, inside the guest: load kbridge.ko, run a real program under
# kblaunch and show what the module saw.
set -eu
cd "$(dirname "$0")/.."
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say insmod kbridge.ko
insmod ./kbridge.ko
dmesg | grep kbridge | tail -3

prog=(python3 -c 'import json,hashlib; print(hashlib.sha256(json.dumps(list(range(1000))).encode()).hexdigest())')
say "${prog[*]}    # natively"
"${prog[@]}"
say ".output/kblaunch --report /tmp/report -- ${prog[*]}"
.output/kblaunch --report /tmp/report -- "${prog[@]}"
say "the module's per-session counters, busiest first"
sort -k2,2nr /tmp/report | head -20
say rmmod kbridge
rmmod kbridge
echo "done"
