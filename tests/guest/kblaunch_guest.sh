#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kblaunch through kbridge.ko, inside the guest as root with the module
# loaded: the real programs of issue 2 compared with their native runs,
# and the proof that their syscalls went through the module: the
# session's counters (KB_IOC_SESSION_STATS, via --report) equal exactly
# what programs with a known number of syscalls make, threads and forked
# children included. Prints TAP. (A missing module and the loader's
# errors are checked on the host: tests/host/kblaunch_host.sh.)
set -u
KBOPT=
KB_ONLY_NOFAST=1
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"

kb_require_guest "kblaunch and tests/progs are built (make userland tests)" "$K" "$P/static_getppid" || exit 1

# The module path is the default, and -v says which module answered.
"$K" -v -- /bin/true 2>"$kb_tmp/err"
rc=$?
[ "$rc" -eq 0 ] && [ -n "$kb_ver" ] && grep -q "kbridge.ko release $kb_ver API 1" "$kb_tmp/err" &&
	ok "kblaunch talks to kbridge.ko $kb_ver (dkms.conf) by default" ||
	{ not_ok "kblaunch -v -- /bin/true: exit status $rc"; show "$kb_tmp/err" stderr; }

kb_runtime_checks

# Of the runtime's trap set, only its own fds and the paths it redirects
# (/proc/...) raise SIGSYS: cat's 60 opens and closes of files of its
# own are decided in the kernel, its /proc/self/exe still redirected.
files=()
for i in $(seq 60); do
	echo "$i" >"$kb_tmp/f$i"
	files+=("$kb_tmp/f$i")
done
out=$("$K" --report "$kb_tmp/ta.json" -- cat "${files[@]}" | wc -l)
got=$(report_py "$kb_tmp/ta.json" '[sc("openat")["count"] >= 60, sc("close")["count"] >= 60, r["totals"]["total"] - r["totals"]["fastpath"]]' 2>&1)
case $got in
"[True, True, "[0-9]*"]")
	trapped=${got##*, }
	trapped=${trapped%]}
	if [ "$out" = 60 ] && [ "$trapped" -lt 30 ]; then
		ok "opens and closes of the program's own files: decided in the kernel ($trapped syscalls trapped)"
	else
		not_ok "opens and closes: $out lines, $trapped syscalls trapped (want < 30)"
	fi ;;
*) not_ok "opens and closes: report '$got'" ;;
esac

# Every task of the program left the session when it ended.
out=$("$K" -v --report "$kb_tmp/r" -- "$P/threads_fork" 10 10 2>&1 >/dev/null |
	sed -n 's/.* \([0-9]*\) tasks joined, \([0-9]*\) members left$/\1 \2/p')
set -- $out
if [ $# -eq 2 ] && [ "$1" -ge 6 ] && [ "$2" -eq 0 ]; then
	ok "threads_fork: $1 tasks joined the session, none left at the end"
else
	not_ok "threads_fork session membership: '$out' (joined, left)"
fi
kb_done
