#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build kbridge.ko and the example personality kbdemo.ko for one more
# kernel, beside the in-tree build.
#
# usage: tests/run/build-for-kernel.sh KDIR
#
# kbuild builds an external module in its source directory, so a second
# kernel's build would overwrite the first's objects: the sources are
# copied to .output/kernels/KVER/ (KVER read from KDIR) and built there.
# The guest suite (tests/run/guest-suite.sh) finds the modules for the kernel
# it runs under at that path. Prints the directory.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 KDIR" >&2; exit 2; }
kdir=$(cd "$1" && pwd) || exit 2
kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
	"$kdir/include/generated/utsrelease.h" 2>/dev/null)
[ -n "$kver" ] || {
	echo "$0: $kdir is not a prepared kernel build tree (no include/generated/utsrelease.h)" >&2
	exit 2
}
out=$top/.output/kernels/$kver
mkdir -p "$out/examples"
# Only what kbuild reads; rsync keeps the timestamps, so an unchanged
# source is not rebuilt.
rsync -a --delete "$top/Kbuild" "$top/dkms.conf" "$top/module" "$top/core" \
	"$top/uapi" "$out/"
rsync -a --delete --exclude '*.ko' --exclude '*.o' "$top/examples/personality" "$out/examples/"
make --no-print-directory -C "$kdir" M="$out" modules >&2
make --no-print-directory -C "$out/examples/personality" KDIR="$kdir" KBRIDGE="$out" >&2
echo "$out"
