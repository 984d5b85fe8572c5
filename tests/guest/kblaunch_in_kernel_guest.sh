#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kblaunch --in-kernel, inside the guest as root with the module loaded:
# no runtime in the program, every syscall decided at syscall entry, execs
# the kernel's own (KB_SESSION_NO_RUNTIME). The shared checks that do not
# look at the runtime itself (real programs against their native runs,
# exit statuses and signals, exact counters, threads under stress), then
# what is this mode's: execs and children under the profile with no
# re-entry, every decision in the kernel, a syscall no kernel has, an
# unprivileged user, and the refusals of what needs a runtime. Prints TAP.
set -u
KBOPT=--in-kernel
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"

kb_require_guest "kblaunch and tests/progs are built (make userland tests)" "$K" "$P/exec_getppid" || exit 1

kb_real_programs
kb_passthrough
kb_counters
KB_STRESS_CALLS=${KB_STRESS_CALLS:-20000} kb_stress

# A shell's children and their execs, and an exec from an exec, all
# under the profile; no SIGSYS path, so every decision is the kernel's.
printf 'getppid fake 77\n' >"$kb_tmp/fake.profile"
rep=$kb_tmp/report
out=$(kb --profile "$kb_tmp/fake.profile" --report "$rep" -- /bin/sh -c \
	"$P/exec_getppid fork; $P/exec_getppid exec $P/exec_getppid; $P/exec_getppid nosys" 2>&1)
rc=$?
want=$(printf 'getppid 77\n%.0s' 1 2 3 4)$'\n'$'nosys ok\ngetppid 77'
[ "$rc" -eq 0 ] && [ "$out" = "$want" ] &&
	ok "children, execs and an exec's exec decided under the profile; syscall 1000 gets ENOSYS" ||
	{ not_ok "exec chain: exit status $rc"; sed 's/^/# out: /' <<<"$out"; }
got=$(report_py "$rep" '[sc("getppid")["count"], r["totals"]["total"] == r["totals"]["fastpath"], r["totals"]["out_of_range"], r["path"], sc("execve")["count"] >= 4]' 2>&1)
# Six getppid: the five printed, and the shell's own for $PPID.
[ "$got" = "[6, True, 1, 'fastpath', True]" ] &&
	ok "report: 6 getppid, every call decided in the kernel, syscall 1000 out of range, the shell's execs counted" ||
	not_ok "report: '$got' (getppid, all in the kernel, out of range, path, execve >= 4)"

# Unprivileged: no_new_privs, then the same.
if out=$(setpriv --reuid=65534 --regid=65534 --clear-groups -- \
	"$K" --in-kernel --profile "$kb_tmp/fake.profile" -- "$P/exec_getppid" fork 2>&1); then
	[ "$out" = $'getppid 77\ngetppid 77' ] &&
		ok "as nobody: under the profile" ||
		not_ok "as nobody: '$out'"
else
	# Only root may open the device by default (kbridge_perm covers who).
	grep -q "Permission denied" <<<"$out" &&
		skip "as nobody" "/dev/kbridge is root's here" ||
		not_ok "as nobody: '$out'"
fi

# What needs the runtime is refused before the program runs, saying why.
printf 'openat when path=/etc/* stub EACCES\n' >"$kb_tmp/path.profile"
expect_fail "refused: a path condition" 1 "path conditions need kblaunch's runtime" \
	--profile "$kb_tmp/path.profile" -- "$P/exec_getppid"
for opt in --no-module --no-fastpath "--only $P/exec_getppid" --vdso=hide --no-follow-exec; do
	# shellcheck disable=SC2086
	expect_fail "refused: with $opt" 1 "--in-kernel: not with ${opt%% *}" \
		$opt -- "$P/exec_getppid"
done
kb_done
