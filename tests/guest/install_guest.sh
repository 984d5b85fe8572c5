#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest test (root, in the QEMU guest, whose root is a throw-away overlay):
# `make install` and `make uninstall` for real, no DESTDIR, with udevd.
#  - /dev/kbridge as the module creates it: root:root 0600;
#  - with udevd running, `make install` installs every file, creates the
#    system group kbridge, runs depmod and ldconfig and has udev apply
#    60-kbridge.rules to the node already there: root:kbridge 0660, and
#    udevd reports no error in the rule;
#  - the installed tools find the installed profiles, man finds the
#    pages, the dynamic linker libkbridge.so.0;
#  - a user in group kbridge opens /dev/kbridge and runs a program under
#    kblaunch through the module; a user outside it gets EACCES (and
#    kblaunch exit status 1);
#  - `rmmod; modprobe kbridge` loads the installed module and the kernel's
#    add event gets the rule applied again;
#  - `make uninstall` removes every file (the group stays), modinfo and
#    ldconfig no longer know them;
#  - finally the repo's ./kbridge.ko is loaded again, as the suite expects.
# Runs in a mount namespace of its own, over a module tree without the
# kernel's 4023 modules (tests/lib/pkg_common.sh, kb_small_modtree). About
# 100 s under TCG: make install's ldconfig alone reads the host's
# libraries through 9p for about 30 s. Prints TAP.
# check() evaluates its single-quoted conditions when it runs.
# shellcheck disable=SC2016
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/pkg_common.sh
. tests/lib/pkg_common.sh
kb_pkg_unshare "$0" "$@"
# The guest runs the suite in a chroot of its root, where udevadm's
# control, trigger and settle would ignore every request (a real system's
# make install is not in one).
export SYSTEMD_IGNORE_CHROOT=1

PLAN=12
kb_pkg_tap
check() { # description 'shell condition'
	if eval "$2"; then ok "$1"; else not_ok "$1"; return 1; fi
}

echo "1..$PLAN"
kver=$(uname -r)
prefix=/usr/local
udevd=/lib/systemd/systemd-udevd
in_user=kbtest-in out_user=kbtest-out
# What make install must put there (the Makefile's defaults).
files=(
	"/lib/modules/$kver/updates/kbridge.ko"
	"$prefix/bin/kblaunch" "$prefix/bin/kbctl"
	"$prefix/lib/libkbridge.a" "$prefix/lib/libkbridge.so.$kb_ver"
	"$prefix/lib/libkbridge.so.0" "$prefix/lib/libkbridge.so"
	"$prefix/include/kbridge.h" "$prefix/include/linux/kbridge.h"
	"$prefix/share/man/man1/kblaunch.1" "$prefix/share/man/man8/kbctl.8"
	/etc/udev/rules.d/60-kbridge.rules
)
for p in profiles/*.profile profiles/README.md; do
	files+=("$prefix/share/kbridge/profiles/${p#profiles/}")
done

udevd_pid=
stop_udevd() {
	[ -n "$udevd_pid" ] || return 0
	timeout 10 udevadm control --exit 2>/dev/null
	kill "$udevd_pid" 2>/dev/null
	wait "$udevd_pid" 2>/dev/null
	udevd_pid=
}
cleanup() {
	stop_udevd
	userdel "$in_user" >/dev/null 2>&1
	userdel "$out_user" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

skip_rest() { # reason
	while [ "$n" -lt "$PLAN" ]; do
		n=$((n + 1))
		echo "ok $n - install # SKIP $1"
	done
	exit 0
}
[ -x "$udevd" ] || skip_rest "no $udevd (apt-get install udev)"
if ! kb_small_modtree "$kver" >"$log" 2>&1; then
	show_log
	echo "# cannot make the small module tree; KB_FULL_MODTREE=1 uses the real one"
	exit 1
fi
kb_loaded || { insmod ./kbridge.ko && kb_wait_dev; }

node() { stat -c '%a %U:%G' /dev/kbridge 2>/dev/null; }
# 1. the module's own node, before any udev rule
mode=$(node)
check "/dev/kbridge as the module creates it: 600 root:root (got '$mode')" \
	'[ "$mode" = "600 root:root" ]'

# 2. udevd, then make install with it running
SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=info "$udevd" \
	>"$tmp/udevd.log" 2>&1 &
udevd_pid=$!
for _ in $(seq 100); do
	udevadm control --ping 2>/dev/null && break
	sleep 0.1
done
t0=$(date +%s)
if udevadm control --ping 2>/dev/null && make install >"$log" 2>&1; then
	ok "make install, udevd running ($(($(date +%s) - t0))s)"
else
	show_log
	sed 's/^/# udevd: /' "$tmp/udevd.log"
	not_ok "make install (udevd pid $udevd_pid)"
fi

# 3. every file, with its mode
bad=
for f in "${files[@]}"; do
	case $f in
	*/bin/*) want=755 ;;
	*/libkbridge.so|*/libkbridge.so.0) want=777 ;;
	*) want=644 ;;
	esac
	got=$(stat -c %a "$f" 2>/dev/null)
	[ "$got" = "$want" ] || bad="$bad $f(${got:-missing})"
done
check "${#files[@]} files installed, modes as expected${bad:+: wrong$bad}" \
	'[ -z "$bad" ]'

# 4. the group, a system one
gid=$(getent group kbridge | cut -d: -f3)
sys_max=$(awk '$1 == "SYS_GID_MAX" { print $2 }' /etc/login.defs 2>/dev/null)
check "group kbridge created, system gid ${gid:-none} <= ${sys_max:=999}" \
	'[ -n "$gid" ] && [ "$gid" -le "$sys_max" ]'

# 5. depmod, ldconfig, man and the profile path see the installation
{
	echo "modinfo -n: $(modinfo -n kbridge 2>&1)"
	ldconfig -p | grep libkbridge
	# /usr/local/man may be a link to share/man: compare real paths
	echo "man -w: $(readlink -f "$(man -w kblaunch)") $(readlink -f "$(man -w 8 kbctl)")"
	$prefix/bin/kbctl check kerla-like 2>&1
} >"$log"
if grep -qx "modinfo -n: /lib/modules/$kver/updates/kbridge.ko" "$log" &&
	grep -q "libkbridge.so.0 .*=> $prefix/lib/libkbridge.so.0$" "$log" &&
	grep -qx "man -w: $prefix/share/man/man1/kblaunch.1 $prefix/share/man/man8/kbctl.8" "$log" &&
	grep -q "^kerla-like: ok" "$log"; then
	ok "modinfo, ldconfig, man -w and kbctl check find what was installed"
else
	show_log
	not_ok "modinfo, ldconfig, man -w and kbctl check find what was installed"
fi

# 6. udev applied the rule to the existing node, and parsed it cleanly
udevadm settle
mode=$(node)
rule_msgs=$(grep -i '60-kbridge' "$tmp/udevd.log")
[ -n "$rule_msgs" ] && printf '# udevd: %s\n' "$rule_msgs"
check "after make install: /dev/kbridge 660 root:kbridge (got '$mode'), udevd silent on the rule" \
	'[ "$mode" = "660 root:kbridge" ] && [ -z "$rule_msgs" ]'

# 7, 8. a member of kbridge opens the device and runs a program through
# the module; someone else is refused
id -u "$in_user" >/dev/null 2>&1 || useradd -M -G kbridge "$in_user"
id -u "$out_user" >/dev/null 2>&1 || useradd -M "$out_user"
as() { # user command...
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --init-groups -- "$@"
}
# shellcheck disable=SC2016 # expanded by the inner shell
open_rw='exec 3<>/dev/kbridge'
as "$in_user" sh -c "$open_rw" 2>"$log"
in_rc=$?
as "$out_user" sh -c "$open_rw" 2>>"$log"
out_rc=$?
if [ "$in_rc" -eq 0 ] && [ "$out_rc" -ne 0 ] && grep -q "Permission denied" "$log"; then
	ok "open(/dev/kbridge, O_RDWR): $in_user (group kbridge) may, $out_user gets EACCES"
else
	show_log
	not_ok "open(/dev/kbridge): $in_user status $in_rc, $out_user status $out_rc"
fi
as "$in_user" $prefix/bin/kblaunch -v -- /bin/true 2>"$log"
in_rc=$?
as "$out_user" $prefix/bin/kblaunch -- /bin/true 2>>"$log"
out_rc=$?
if [ "$in_rc" -eq 0 ] && grep -q "kbridge.ko release $kb_ver" "$log" &&
	[ "$out_rc" -eq 1 ] && grep -q "Permission denied" "$log"; then
	ok "kblaunch -- /bin/true: $in_user through the module, $out_user status 1"
else
	show_log
	not_ok "kblaunch: $in_user status $in_rc, $out_user status $out_rc"
fi

# 9. the installed module, loaded by name; the kernel's add event gets the rule
kb_loaded && rmmod kbridge
if ! kb_loaded && modprobe kbridge 2>"$log" && kb_wait_dev && udevadm settle &&
	[ "$(node)" = "660 root:kbridge" ] &&
	$prefix/bin/kbctl status >>"$log" 2>&1 &&
	grep -q "^module: kbridge.ko release $kb_ver," "$log"; then
	ok "rmmod; modprobe kbridge: the installed module, /dev/kbridge 660 root:kbridge again"
else
	show_log
	echo "# /dev/kbridge: $(node)"
	not_ok "rmmod; modprobe kbridge (the installed module)"
fi
stop_udevd

# 10. make uninstall removes every file
t0=$(date +%s)
if make uninstall >"$log" 2>&1; then
	ok "make uninstall ($(($(date +%s) - t0))s)"
else
	show_log
	not_ok "make uninstall"
fi
left=
for f in "${files[@]}" $prefix/share/kbridge; do
	[ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done
{ modinfo -n kbridge; ldconfig -p | grep libkbridge; } >"$log" 2>/dev/null
[ -s "$log" ] && left="$left (modinfo/ldconfig: $(tr '\n' ' ' <"$log"))"
check "nothing left${left:+:$left}; group kbridge kept" \
	'[ -z "$left" ] && getent group kbridge >/dev/null'

# 11. the suite's own module again
kb_loaded && rmmod kbridge
if ! kb_loaded && insmod ./kbridge.ko 2>"$log" && kb_wait_dev; then
	ok "insmod ./kbridge.ko again ($(since) in all)"
else
	show_log
	not_ok "insmod ./kbridge.ko again"
fi
[ "$failed" -eq 0 ]
