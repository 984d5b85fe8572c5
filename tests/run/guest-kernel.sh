#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the guest kernel of a flavour: the newest installed Debian kernel
# with an image to boot (/boot/vmlinuz-KVER), its modules and its headers
# (/lib/modules/KVER/kernel, /build). Nothing printed when there is none.
#
# usage: tests/run/guest-kernel.sh [generic|rt]
#
# generic (linux-image-amd64) is the one the suite, the demo and the
# benchmarks use; rt (linux-image-rt-amd64, PREEMPT_RT) is the second
# kernel make check runs the guest suite on. Version order alone would
# put 6.1.0-57-rt-amd64 after 6.1.0-57-amd64, so the flavour is matched
# by name.
flavour=${1:-generic}
case $flavour in
generic|rt) ;;
*) echo "usage: $0 [generic|rt]" >&2; exit 2 ;;
esac
for k in $(ls /lib/modules 2>/dev/null | sort -rV); do
	case $k in
	*-rt-*) [ "$flavour" = rt ] || continue ;;
	*) [ "$flavour" = generic ] || continue ;;
	esac
	if [ -e "/boot/vmlinuz-$k" ] && [ -d "/lib/modules/$k/kernel" ] &&
	   [ -d "/lib/modules/$k/build" ]; then
		echo "$k"
		exit 0
	fi
done
exit 0
