#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test: dkms.conf really builds kbridge.ko. Runs `dkms build` for the
# newest installed kernel that has headers, entirely inside throw-away
# trees (--dkmstree, --sourcetree, and a throw-away module signing key:
# dkms would otherwise create /var/lib/dkms/mok.key), then checks that the
# module it produced has the package's version and the kernel's vermagic.
# Needs no module loaded. Prints TAP.
set -u
cd "$(dirname "$0")/.." || exit 2

echo "1..1"
name="dkms build"
if ! command -v dkms >/dev/null 2>&1; then
	echo "ok 1 - $name # SKIP dkms not installed (apt-get install dkms)"
	exit 0
fi
kver=
for k in $(ls /lib/modules 2>/dev/null | sort -rV); do
	[ -d "/lib/modules/$k/build" ] && { kver=$k; break; }
done
if [ -z "$kver" ]; then
	echo "ok 1 - $name # SKIP no kernel headers in /lib/modules/*/build"
	exit 0
fi
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
pkg=$(sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' dkms.conf)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src="$tmp/src/$pkg-$ver"
mkdir -p "$src/module/core" "$tmp/dkms"
# What a source package ships: kbuild file, sources, the tier core, uapi,
# dkms.conf.
cp -r Kbuild dkms.conf uapi "$src/" &&
	cp module/*.c module/*.h "$src/module/" &&
	cp module/core/*.c module/core/*.h module/core/Core.mk \
		"$src/module/core/" || exit 1

cmd=(dkms build -m "$pkg" -v "$ver" -k "$kver"
     --dkmstree "$tmp/dkms" --sourcetree "$tmp/src")
echo "# mok_signing_key=$tmp/mok.key mok_certificate=$tmp/mok.pub ${cmd[*]}"
mok_signing_key="$tmp/mok.key" mok_certificate="$tmp/mok.pub" \
	"${cmd[@]}" >"$tmp/log" 2>&1
rc=$?
ko=$(find "$tmp/dkms/$pkg/$ver/$kver" -name "$pkg.ko*" 2>/dev/null | head -n 1)
if [ "$rc" -ne 0 ] || [ -z "$ko" ]; then
	sed 's/^/# /' "$tmp/log"
	find "$tmp/dkms" -name make.log -exec sed 's/^/# make.log: /' {} \;
	echo "not ok 1 - $name for $kver (status $rc)"
	exit 1
fi
mver=$(modinfo -F version "$ko")
magic=$(modinfo -F vermagic "$ko")
if [ "$mver" = "$ver" ] && [ "${magic%% *}" = "$kver" ]; then
	echo "ok 1 - $name: $pkg $ver for $kver"
else
	echo "# built $ko: version '$mver', vermagic '$magic'"
	echo "not ok 1 - $name: wrong version or vermagic"
	exit 1
fi
