#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest test (root): kbridge.ko loaded with fastpath=0, as on a kernel
# where its kprobe cannot be armed. Every decision must then go through
# SIGSYS and KB_IOC_SYSCALL with the same results, and kbctl status must
# say so. Reloads the module normally at the end and checks that the fast
# path is back. Prints TAP.
set -u
KBOPT=
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"

C=.output/kbctl
ko=./kbridge.ko

reload() { # insmod arguments...
	if grep -q '^kbridge ' /proc/modules && ! rmmod kbridge; then
		return 1
	fi
	insmod "$ko" "$@" && kb_wait_dev
}

if ! reload fastpath=0; then
	not_ok "reload kbridge.ko with fastpath=0"
	reload
	kb_done
	exit 1
fi
ok "kbridge.ko reloaded with fastpath=0"

out=$("$C" status 2>&1)
if grep -qx 'decision path: ioctl (SIGSYS); in-kernel fast path not armed' <<<"$out"; then
	ok "kbctl status: decision path is the ioctl (SIGSYS) path"
else
	not_ok "kbctl status with fastpath=0 does not name the ioctl path"
	sed 's/^/# status: /' <<<"$out"
fi

# The same stub, fake and pass as on the fast path, now through SIGSYS.
printf 'getppid fake 77\nunlink stub EPERM\nunlinkat stub EPERM\ngetuid stub EACCES\n' >"$kb_tmp/p.profile"
f=$kb_tmp/keep.me
: >"$f"
rep=$kb_tmp/off.rep
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
	ok "without the fast path: getppid faked (77), unlink stubbed (EPERM, file kept)"
else
	not_ok "without the fast path: got '$out', file $([ -e "$f" ] && echo kept || echo removed)"
fi
# getuid cannot fail in glibc (it never checks), so it shows the stub's
# -EACCES only in the report.
got=$(report_py "$rep" "'%s %d %d %s %s' % (r['path'], r['totals']['fastpath'], r['totals']['total'], sc('getppid')['action'], sc('getuid')['action'])")
set -- $got
if [ "$1" = ioctl ] && [ "$2" -eq 0 ] && [ "$3" -gt 0 ] && [ "$4" = fake ] && [ "$5" = stub ]; then
	ok "report: path ioctl, 0 of $3 syscalls decided in the kernel, getppid fake, getuid stub"
else
	not_ok "report: path/fastpath/total/getppid/getuid '$got'"
	show_counts "$rep"
fi

if reload; then
	ok "kbridge.ko reloaded with the fast path"
else
	not_ok "kbridge.ko reloaded with the fast path"
fi
out=$("$C" status 2>&1)
if grep -qx 'decision path: in-kernel fast path' <<<"$out"; then
	ok "kbctl status: decision path is the in-kernel fast path again"
else
	not_ok "kbctl status after the reload does not name the fast path"
	sed 's/^/# status: /' <<<"$out"
fi
kb_done
