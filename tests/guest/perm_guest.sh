#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Who may do what with kbridge, as unprivileged users in the guest (root
# with the module loaded runs the script; setpriv drops to the users):
#  - the node the module makes is root's, mode 0600: nobody else opens it;
#  - given the device (the group the udev rule names), a user's program
#    runs under its profile and cannot get out: SUD off, its session's
#    file (set rules / fast path / scope / personality), ptrace of the
#    kblaunch that holds the file, all refused, the stub still answers;
#  - set-user-ID, set-group-ID and file-capability programs are refused
#    with a clear error when an unprivileged user launches or execs them,
#    and run as usual for root;
#  - another user can neither read nor change the session of a user's
#    program (kbctl), root can.
# Prints TAP. The node's owner and mode are put back at the end.
set -u
KBOPT=
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"
C=.output/kbctl
USER1=65534
USER2=65533
GROUP=4242

kb_require_guest "kblaunch, kbctl and tests/progs are built" "$K" "$C" "$P/escape" || exit 1
command -v setpriv >/dev/null || { not_ok "setpriv (util-linux) is installed"; kb_done; exit 1; }

node=$(stat -c '%u:%g %a' /dev/kbridge)
trap 'chown 0:0 /dev/kbridge; chmod 600 /dev/kbridge; rm -rf "$kb_tmp"' EXIT
chown 0:0 /dev/kbridge && chmod 600 /dev/kbridge
chmod 755 "$kb_tmp"
# The users run copies: they may not be able to enter the tree (a clone
# made in a mktemp -d directory is mode 0700).
mkdir "$kb_tmp/bin" && cp "$K" "$C" "$P/escape" "$kb_tmp/bin/" &&
	chmod 755 "$kb_tmp/bin" "$kb_tmp/bin/"* ||
	{ not_ok "copy kblaunch, kbctl and escape where the users can run them"; kb_done; exit 1; }
K=$kb_tmp/bin/kblaunch
C=$kb_tmp/bin/kbctl
P=$kb_tmp/bin

# as UID [GROUPS] -- CMD...: run CMD as UID (its own gid), with GROUPS.
as() {
	local uid=$1 groups=--clear-groups
	[ -n "$2" ] && groups=--groups=$2
	shift 3
	setpriv --reuid="$uid" --regid="$uid" "$groups" -- "$@"
}

# Where udev has not changed it yet, the module's own node.
[ "$node" = "0:0 600" ] && ok "the module makes /dev/kbridge root's, mode 0600" ||
	not_ok "the module makes /dev/kbridge root's, mode 0600 (got $node)"

as $USER1 "" -- "$K" -- /bin/true 2>"$kb_tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'needs read-write access' "$kb_tmp/err" &&
	ok "a user without the device's group cannot use it (exit 1, says why)" ||
	{ not_ok "a user without the device's group: exit $rc"; show "$kb_tmp/err" stderr; }

# What the udev rule does for group kbridge.
chgrp $GROUP /dev/kbridge && chmod 660 /dev/kbridge

printf 'getppid stub ESRCH\n' >"$kb_tmp/stub.profile"
chmod 644 "$kb_tmp/stub.profile"
as $USER1 $GROUP -- "$K" --profile "$kb_tmp/stub.profile" -- "$P/escape" \
	>"$kb_tmp/esc" 2>"$kb_tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && grep -qx "kbfd found" "$kb_tmp/esc"; then
	ok "a user in the group runs a program under kblaunch"
else
	not_ok "a user in the group runs a program under kblaunch (exit $rc)"
	show "$kb_tmp/err" stderr
fi
# EPERM is 1 on Linux.
for what in prctl_sud_off set_rules set_fastpath set_scope set_personality \
	    ptrace_parent setuid0; do
	got=$(sed -n "s/^$what //p" "$kb_tmp/esc")
	[ "$got" = 1 ] && ok "the program cannot get out: $what fails with EPERM" ||
		not_ok "the program cannot get out: $what fails with EPERM (errno '${got:-none}')"
done
got=$(sed -n 's/^getppid //p' "$kb_tmp/esc")
[ "$got" = -3 ] && ok "after every attempt the stub still answers getppid (-ESRCH)" ||
	{ not_ok "after every attempt the stub still answers getppid (got '$got')"; show "$kb_tmp/esc" out; }

# Privileged programs: copies of id, in a directory where set-user-ID works.
cp /usr/bin/id "$kb_tmp/suid" && chmod 4755 "$kb_tmp/suid"
cp /usr/bin/id "$kb_tmp/sgid" && chmod 2755 "$kb_tmp/sgid"
cp /usr/bin/id "$kb_tmp/fcap"
fcap=0
command -v setcap >/dev/null && setcap cap_net_raw+ep "$kb_tmp/fcap" 2>/dev/null && fcap=1
if [ "$(as $USER1 "" -- "$kb_tmp/suid" -u)" != 0 ]; then
	skip "set-user-ID programs refused" "set-user-ID has no effect in $kb_tmp here"
else
	for f in suid:set-user-ID sgid:set-group-ID fcap:file-capability; do
		prog=${f%%:*}
		word=${f#*:}
		if [ "$prog" = fcap ] && [ "$fcap" = 0 ]; then
			skip "file-capability programs refused" "no setcap (libcap2-bin)"
			continue
		fi
		as $USER1 $GROUP -- "$K" -- "$kb_tmp/$prog" >"$kb_tmp/out" 2>"$kb_tmp/err"
		rc=$?
		[ "$rc" -eq 126 ] && grep -q "is .*$word" "$kb_tmp/err" && [ ! -s "$kb_tmp/out" ] &&
			ok "kblaunch refuses a $word program for a user (126, says why)" ||
			{ not_ok "kblaunch refuses a $word program for a user (exit $rc)"; show "$kb_tmp/err" stderr; }
	done
	# The same program exec'd by the program under kblaunch.
	as $USER1 $GROUP -- "$K" -- /bin/sh -c "\"$kb_tmp/suid\" -u; echo status \$?" \
		>"$kb_tmp/out" 2>"$kb_tmp/err"
	grep -qx "status 126" "$kb_tmp/out" && grep -q "suid: set-user-ID" "$kb_tmp/err" &&
		ok "an exec of a set-user-ID program under kblaunch fails (EPERM, 126, says why)" ||
		{ not_ok "an exec of a set-user-ID program under kblaunch fails"; show "$kb_tmp/out" out; show "$kb_tmp/err" stderr; }
	got=$("$K" -- "$kb_tmp/suid" -u 2>"$kb_tmp/err")
	[ "$got" = 0 ] && ok "root runs a set-user-ID program under kblaunch" ||
		{ not_ok "root runs a set-user-ID program under kblaunch (got '$got')"; show "$kb_tmp/err" stderr; }
fi

# Another user's program: kbctl cannot reach its session; root can.
mkfifo "$kb_tmp/hold"
chmod 666 "$kb_tmp/hold"
as $USER1 $GROUP -- "$K" --profile "$kb_tmp/stub.profile" -- \
	/bin/sh -c "read x <\"$kb_tmp/hold\"" 2>"$kb_tmp/err" &
kbpid=$!
exec {hold}>"$kb_tmp/hold"
prog=
for _ in $(seq 100); do
	prog=$(pgrep -P "$kbpid" | head -n 1)
	[ -n "$prog" ] && grep -q kbridge <(ls -l "/proc/$prog/fd" 2>/dev/null) && break
	sleep 0.1
done
if [ -z "$prog" ]; then
	not_ok "a user's program runs under kblaunch in the background"
	show "$kb_tmp/err" stderr
else
	as $USER2 $GROUP -- "$C" get "$prog" >"$kb_tmp/out" 2>"$kb_tmp/err2"
	rc=$?
	[ "$rc" -eq 1 ] && grep -q "not permitted" "$kb_tmp/err2" &&
		ok "another user cannot read a user's session (kbctl get: not permitted)" ||
		{ not_ok "another user cannot read a user's session (kbctl get: exit $rc)"; show "$kb_tmp/out" out; }
	as $USER2 $GROUP -- "$C" set "$prog" getppid pass >"$kb_tmp/out" 2>"$kb_tmp/err2"
	rc=$?
	[ "$rc" -eq 1 ] && grep -q "not permitted" "$kb_tmp/err2" &&
		ok "another user cannot change a user's session (kbctl set: not permitted)" ||
		{ not_ok "another user cannot change a user's session (kbctl set: exit $rc)"; show "$kb_tmp/err2" stderr; }
	"$C" get "$prog" getppid >"$kb_tmp/out" 2>"$kb_tmp/err2"
	rc=$?
	[ "$rc" -eq 0 ] && grep -q "getppid.*stub" "$kb_tmp/out" &&
		ok "root reads it, and the stub is unchanged" ||
		{ not_ok "root reads it, and the stub is unchanged (exit $rc)"; show "$kb_tmp/out" out; show "$kb_tmp/err2" stderr; }
fi
exec {hold}>&-
wait "$kbpid" 2>/dev/null

kb_done
