#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`, inside the guest: load kbridge.ko, run a real program under
# kblaunch and show what the module saw, then a profile at work.
set -eu
cd "$(dirname "$0")/../.."
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say insmod kbridge.ko
insmod ./kbridge.ko
dmesg | grep kbridge | tail -3

prog=(python3 -c 'import json,hashlib; print(hashlib.sha256(json.dumps(list(range(1000))).encode()).hexdigest())')
say "${prog[*]}    # natively"
"${prog[@]}"
say ".output/kblaunch --report-format text --report /tmp/report -- ${prog[*]}"
.output/kblaunch --report-format text --report /tmp/report -- "${prog[@]}"
say "the module's per-session counters (KB_IOC_SESSION_STATS), busiest first"
grep -vE '^(total|out_of_range) ' /tmp/report | sort -k2,2nr | head -20
echo "..."
grep -E '^(total|out_of_range) ' /tmp/report
echo "every one of these syscalls was decided by kbridge.ko: in the kernel at syscall entry, or through SIGSYS and KB_IOC_SYSCALL"

say ".output/kbctl status"
.output/kbctl status

say "printf 'openat when path=/etc/host* stub ENOENT\\nuname fake 0\\n' > /tmp/demo.profile"
printf 'openat when path=/etc/host* stub ENOENT\nuname fake 0\n' >/tmp/demo.profile
say ".output/kblaunch --profile /tmp/demo.profile --report /tmp/report.json -- cat /etc/hostname"
.output/kblaunch --profile /tmp/demo.profile --report /tmp/report.json -- cat /etc/hostname || true
say "the report (JSON, docs/report.md): the openat rule's hits"
python3 -c 'import json; r = json.load(open("/tmp/report.json")); s = next(x for x in r["syscalls"] if x["name"] == "openat"); print(json.dumps(s["rules"], indent=1))'
say rmmod kbridge
rmmod kbridge
echo "done"
