#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest test (root, in the QEMU guest, whose root is a throw-away overlay):
# the DKMS package installed and loaded for real.
#  - the source tree README.md's DKMS section makes (/usr/src/PKG-VER,
#    tests/lib/pkg_common.sh), added and built for this kernel: normally with
#    `dkms ldtarball` of the binaries-only tarball tests/host/dkms_build.sh made
#    on the host with `dkms build` and `dkms mktarball` (ldtarball loads
#    the prebuilt module, then does the `dkms add` of /usr/src/PKG-VER
#    itself), because `dkms build` takes about 110 s under TCG; with
#    `dkms add` and `dkms build` here when there is no such tarball or it
#    was built from other sources than ./kbridge.ko (srcversion differs);
#  - the module DKMS holds is of the same sources as ./kbridge.ko;
#  - `dkms install`: modinfo -n finds the module DKMS installed, identical
#    to the one it built; `rmmod kbridge; modprobe kbridge` loads it,
#    /dev/kbridge appears and KB_IOC_GET_VERSION (kbctl status) answers
#    with the package's release;
#  - `dkms remove --all`: the module file is gone and modinfo no longer
#    finds a kbridge;
#  - finally the repo's ./kbridge.ko is loaded again, as the suite expects.
# Runs in a mount namespace of its own, over a module tree without the
# kernel's 4023 modules (kb_small_modtree: depmod over them takes a minute
# per run under TCG). 60 to 90 s under TCG, mostly dkms itself. Prints TAP.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/pkg_common.sh
. tests/lib/pkg_common.sh
kb_pkg_unshare "$0" "$@"

PLAN=6
kb_pkg_tap

echo "1..$PLAN"
kver=$(uname -r)
pkg=$kb_pkg ver=$kb_ver
src=/usr/src/$pkg-$ver
if ! command -v dkms >/dev/null 2>&1; then
	for i in $(seq $PLAN); do echo "ok $i - dkms # SKIP dkms not installed"; done
	exit 0
fi
st() { dkms status -m "$pkg" -v "$ver" -k "$kver" 2>/dev/null; }

cleanup() {
	[ ! -d "/var/lib/dkms/$pkg/$ver" ] ||
		dkms remove -m "$pkg" -v "$ver" --all >/dev/null 2>&1
	rm -rf "$src" "$tmp"
}
trap cleanup EXIT

if ! kb_small_modtree "$kver" >"$log" 2>&1; then
	show_log
	echo "# cannot make the small module tree; KB_FULL_MODTREE=1 uses the real one"
	exit 1
fi

# The host's build is used when it is of the same sources as ./kbridge.ko
# (srcversion is a hash of the module's sources).
want_src=$(modinfo -F srcversion ./kbridge.ko 2>/dev/null)
tarball=$(kb_dkms_tarball "$kver")
srcver_of() { # tarball
	tar -xzf "$1" -O --wildcards "*/$pkg.ko" 2>/dev/null >"$tmp/tar.ko" &&
		modinfo -F srcversion "$tmp/tar.ko" 2>/dev/null
}
mode=ldtarball
if [ ! -f "$tarball" ]; then
	mode="build, no $tarball (tests/host/dkms_build.sh makes it on the host)"
elif [ "$(srcver_of "$tarball")" != "$want_src" ]; then
	mode="build, $tarball is of other sources than ./kbridge.ko"
fi
echo "# dkms $mode"

# 1. the source tree added: by `dkms ldtarball`, which loads the prebuilt
# module and then adds /usr/src/PKG-VER itself (a `dkms add` before it
# makes it fail), or by `dkms add`
kb_dkms_tree "$src" >"$log" 2>&1
if [ "$mode" = ldtarball ]; then
	what="dkms ldtarball $tarball (adds $src)"
	dkms ldtarball "$tarball" >>"$log" 2>&1
else
	what="dkms add $pkg/$ver from $src"
	dkms add -m "$pkg" -v "$ver" >>"$log" 2>&1
fi
rc=$?
if [ "$rc" -eq 0 ] &&
	[ "$(readlink -f "/var/lib/dkms/$pkg/$ver/source")" = "$src" ]; then
	ok "$what ($(since))"
else
	show_log
	not_ok "$what (status $rc)"
fi

# 2. built for this kernel, from these sources
[ "$mode" = ldtarball ] || dkms build -m "$pkg" -v "$ver" -k "$kver" >"$log" 2>&1
built=$(find "/var/lib/dkms/$pkg/$ver/$kver" -name "$pkg.ko*" 2>/dev/null | head -n 1)
got_src=$(modinfo -F srcversion "$built" 2>/dev/null)
if [ -n "$built" ] && [ -n "$want_src" ] && [ "$got_src" = "$want_src" ]; then
	ok "built for $kver: ${built#/var/lib/dkms/}, srcversion $got_src as ./kbridge.ko ($(since))"
else
	[ "$mode" = ldtarball ] || show_log
	not_ok "built for $kver: '$built', srcversion '$got_src', ./kbridge.ko '$want_src'"
fi

# 3. dkms install, and the module modprobe would load is DKMS's
if dkms install -m "$pkg" -v "$ver" -k "$kver" >"$log" 2>&1 &&
	st | grep -q "^$pkg/$ver, $kver, [^:]*: installed$" &&
	path=$(modinfo -k "$kver" -n "$pkg" 2>>"$log") &&
	case $path in "/lib/modules/$kver/"*) true ;; *) false ;; esac &&
	[ -n "$built" ] && cmp -s "$path" "$built"; then
	ok "dkms install: dkms status 'installed', modinfo -n $pkg is $path ($(since))"
else
	show_log
	echo "# modinfo -n: '${path-}', dkms built '$built'"
	not_ok "dkms install"
fi

# 4. modprobe loads it: the device, GET_VERSION with the package's release
kb_loaded && rmmod kbridge
if ! kb_loaded && modprobe kbridge 2>"$log" && kb_wait_dev &&
	[ "$(cat /sys/module/kbridge/version 2>/dev/null)" = "$ver" ] &&
	.output/kbctl status >>"$log" 2>&1 &&
	grep -q "^module: kbridge.ko release $ver," "$log"; then
	ok "rmmod; modprobe kbridge: /dev/kbridge, GET_VERSION says release $ver ($(since))"
else
	show_log
	not_ok "modprobe kbridge (DKMS's module)"
fi

# 5. dkms remove --all: gone from the tree, modprobe finds nothing
kb_loaded && rmmod kbridge
if ! kb_loaded && dkms remove -m "$pkg" -v "$ver" --all >"$log" 2>&1 &&
	[ ! -e "/var/lib/dkms/$pkg" ] &&
	[ -n "${path-}" ] && [ ! -e "$path" ] &&
	! modinfo -k "$kver" -n "$pkg" >/dev/null 2>&1; then
	ok "dkms remove --all: out of the DKMS tree, unknown to modinfo again ($(since))"
else
	show_log
	not_ok "dkms remove --all"
fi

# 6. the suite's own module again
if insmod ./kbridge.ko 2>"$log" && kb_wait_dev; then
	ok "insmod ./kbridge.ko again ($(since))"
else
	show_log
	not_ok "insmod ./kbridge.ko again"
fi
[ "$failed" -eq 0 ]
