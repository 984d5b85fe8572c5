#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test: dkms.conf really builds kbridge.ko. Runs `dkms build` for the
# guest kernel of a flavour (tests/run/guest-kernel.sh: generic, the default,
# or rt; GUEST_KVER and RT_KVER from make check), entirely inside throw-away
# trees (--dkmstree, --sourcetree, and a throw-away module signing key:
# dkms would otherwise create /var/lib/dkms/mok.key), then checks that the
# module it produced has the package's version and the kernel's vermagic.
# The source tree is the one README.md's DKMS section makes
# (tests/lib/pkg_common.sh).
#
# Then `dkms mktarball --binaries-only` keeps that build in
# .output/dkms/PKG-VER-KVER.dkms.tar.gz, which tests/guest/dkms_guest.sh loads
# with `dkms ldtarball` in the QEMU guest instead of building there
# (`dkms build` takes about 110 s under TCG). Needs no module loaded.
# Prints TAP.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/pkg_common.sh
. tests/lib/pkg_common.sh

echo "1..2"
name="dkms build"
skip_all() { # reason
	echo "ok 1 - $name # SKIP $1"
	echo "ok 2 - dkms mktarball # SKIP $1"
	exit 0
}
command -v dkms >/dev/null 2>&1 || skip_all "dkms not installed (apt-get install dkms)"
case ${1:-generic} in
generic) kver=${GUEST_KVER:-$(tests/run/guest-kernel.sh generic)} ;;
rt) kver=${RT_KVER:-$(tests/run/guest-kernel.sh rt)} ;;
*) echo "usage: $0 [generic|rt]" >&2; exit 2 ;;
esac
[ -n "$kver" ] || skip_all "no kernel headers in /lib/modules/*/build"
pkg=$kb_pkg ver=$kb_ver

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src" "$tmp/dkms"
kb_dkms_tree "$tmp/src/$pkg-$ver" || exit 1

dkms_tmp() { # dkms arguments: in the throw-away trees, with the throw-away key
	mok_signing_key="$tmp/mok.key" mok_certificate="$tmp/mok.pub" \
		dkms "$@" -m "$pkg" -v "$ver" -k "$kver" \
		--dkmstree "$tmp/dkms" --sourcetree "$tmp/src"
}

echo "# mok_signing_key=$tmp/mok.key mok_certificate=$tmp/mok.pub dkms build -m $pkg -v $ver -k $kver --dkmstree $tmp/dkms --sourcetree $tmp/src"
dkms_tmp build >"$tmp/log" 2>&1
rc=$?
ko=$(find "$tmp/dkms/$pkg/$ver/$kver" -name "$pkg.ko*" 2>/dev/null | head -n 1)
if [ "$rc" -ne 0 ] || [ -z "$ko" ]; then
	sed 's/^/# /' "$tmp/log"
	find "$tmp/dkms" -name make.log -exec sed 's/^/# make.log: /' {} \;
	echo "not ok 1 - $name for $kver (status $rc)"
	echo "not ok 2 - dkms mktarball # nothing built"
	exit 1
fi
mver=$(modinfo -F version "$ko")
magic=$(modinfo -F vermagic "$ko")
if [ "$mver" = "$ver" ] && [ "${magic%% *}" = "$kver" ]; then
	echo "ok 1 - $name: $pkg $ver for $kver"
else
	echo "# built $ko: version '$mver', vermagic '$magic'"
	echo "not ok 1 - $name: wrong version or vermagic"
	echo "not ok 2 - dkms mktarball # wrong module"
	exit 1
fi

# Written under a temporary name (same suffix: dkms picks the compression
# from it): the guest never sees half a tarball.
tarball=$(kb_dkms_tarball "$kver")
part=${tarball%/*}/.part-${tarball##*/}
mkdir -p "${tarball%/*}"
rm -f "$tarball" "$part"
dkms_tmp mktarball --binaries-only --archive "$PWD/$part" >"$tmp/log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && tar -tzf "$part" >"$tmp/list" 2>&1 &&
	grep -q "dkms_main_tree/$kver/.*/$pkg\.ko" "$tmp/list" &&
	grep -q 'dkms_binaries_only/dkms.conf' "$tmp/list"; then
	mv -f "$part" "$tarball"
	echo "ok 2 - dkms mktarball --binaries-only: $tarball"
else
	sed 's/^/# /' "$tmp/log" "$tmp/list" 2>/dev/null
	rm -f "$part"
	echo "not ok 2 - dkms mktarball --binaries-only (status $rc)"
	exit 1
fi
