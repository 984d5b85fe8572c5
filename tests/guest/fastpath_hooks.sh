#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest test (root): kbridge.ko's three ways of deciding, one module load
# each. The default load must arm the ftrace direct call (Debian's stock
# kernel has it); hook=kprobe arms the kprobe it falls back to, and the
# whole fast-path harness test (kbridge_fastpath) and a launched program
# must decide the same there; fastpath=0 leaves every decision to SIGSYS
# and KB_IOC_SYSCALL, with the same results. A bad hook= refuses to load.
# kbctl status must name the path and the hook each time. Reloads the
# module normally at the end. Prints TAP.
set -u
KBOPT=
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"

C=.output/kbctl
ko=./kbridge.ko
fastpath_test=.output/tests/kbridge_fastpath

reload() { kb_reload "$ko" "$@"; }

# status_is WHAT LINE...: kbctl status prints every LINE
status_is() {
	local what=$1 out l
	shift
	out=$("$C" status 2>&1)
	for l in "$@"; do
		if ! grep -qxF "$l" <<<"$out"; then
			not_ok "kbctl status $what: no line '$l'"
			sed 's/^/# status: /' <<<"$out"
			return
		fi
	done
	ok "kbctl status $what: $(printf "'%s' " "$@")"
}

# decide WHAT PATH: the same stub, fake and pass, through PATH (fastpath:
# some calls decided in the kernel; ioctl: none).
decide() {
	local what=$1 want=$2 f=$kb_tmp/keep.me rep=$kb_tmp/$1.rep out got
	printf 'getppid fake 77\nunlink stub EPERM\nunlinkat stub EPERM\ngetuid stub EACCES\n' >"$kb_tmp/p.profile"
	: >"$f"
	out=$(kb --profile "$kb_tmp/p.profile" --report "$rep" -- "$PY" -c '
import os
try:
    os.unlink("'"$f"'")
    u = "removed"
except OSError as e:
    u = e.strerror
try:
    os.getuid(); g = "ran"
except OSError as e:
    g = e.strerror
print(os.getppid(), os.getppid(), u, g, os.getpid() > 1)' 2>&1)
	if [ "$out" = "77 77 Operation not permitted ran True" ] && [ -e "$f" ]; then
		ok "$what: getppid faked (77), unlink stubbed (EPERM, file kept)"
	else
		not_ok "$what: got '$out', file $([ -e "$f" ] && echo kept || echo removed)"
	fi
	# getuid cannot fail in glibc (it never checks), so it shows the
	# stub's -EACCES only in the report.
	got=$(report_py "$rep" "'%s %d %d %s %s' % (r['path'], r['totals']['fastpath'], r['totals']['total'], sc('getppid')['action'], sc('getuid')['action'])")
	set -- $got
	if [ "$1" = "$want" ] && [ "$4" = fake ] && [ "$5" = stub ] && [ "$3" -gt 0 ] &&
	   { { [ "$want" = ioctl ] && [ "$2" -eq 0 ]; } ||
	     { [ "$want" = fastpath ] && [ "$2" -ge 2 ]; }; }; then
		ok "$what: report: path $1, $2 of $3 syscalls decided in the kernel, getppid fake, getuid stub"
	else
		not_ok "$what: report: path/fastpath/total/getppid/getuid '$got', want path $want"
		show_counts "$rep"
	fi
}

# ---- the default load: the direct call ----
status_is "(default load)" "decision path: in-kernel fast path" "fast-path hook: direct"
decide "direct call" fastpath

# ---- a hook= that names nothing ----
rmmod kbridge
if insmod "$ko" hook=bogus 2>"$kb_tmp/err"; then
	not_ok "insmod hook=bogus is refused"
elif dmesg | tail -n 20 | grep -q 'hook=bogus: must be auto, direct or kprobe'; then
	ok "insmod hook=bogus is refused, and the kernel log says why"
else
	not_ok "insmod hook=bogus is refused, but the kernel log does not say why"
	dmesg | tail -n 5 | sed 's/^/# dmesg: /'
fi

# ---- hook=kprobe: the fallback, the whole harness test on it ----
if ! reload hook=kprobe; then
	not_ok "reload kbridge.ko with hook=kprobe"
	reload
	kb_done
	exit 1
fi
ok "kbridge.ko reloaded with hook=kprobe"
status_is "(hook=kprobe)" "decision path: in-kernel fast path" "fast-path hook: kprobe"
"$fastpath_test" >"$kb_tmp/harness" 2>&1
rc=$?
summary=$(grep -E '^# (PASSED|FAILED|Totals)' "$kb_tmp/harness" | tr '\n' ' ')
if [ "$rc" -eq 0 ] && grep -q '^# PASSED' "$kb_tmp/harness"; then
	ok "kbridge_fastpath on the kprobe hook: $summary"
else
	not_ok "kbridge_fastpath on the kprobe hook: exit status $rc; $summary"
	grep -E '^(not ok|#  )' "$kb_tmp/harness" | head -30 | sed 's/^/# /'
fi
decide "kprobe" fastpath

# ---- fastpath=0: everything through SIGSYS ----
if ! reload fastpath=0; then
	not_ok "reload kbridge.ko with fastpath=0"
	reload
	kb_done
	exit 1
fi
ok "kbridge.ko reloaded with fastpath=0"
status_is "(fastpath=0)" "decision path: ioctl (SIGSYS); in-kernel fast path not armed"
if "$C" status 2>&1 | grep -q '^fast-path hook:'; then
	not_ok "kbctl status (fastpath=0) names a hook"
else
	ok "kbctl status (fastpath=0) names no hook"
fi
decide "without the fast path" ioctl

# ---- back to the default ----
if reload; then
	ok "kbridge.ko reloaded with the default hook"
else
	not_ok "kbridge.ko reloaded with the default hook"
fi
status_is "(reloaded)" "decision path: in-kernel fast path" "fast-path hook: direct"
kb_done
