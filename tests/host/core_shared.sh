#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The tier core is one source set (core/), built into kbridge.ko
# and into libkbridge, not two copies: both builds read the one list in
# core/Core.mk, the debug info of kbridge.ko and of libkbridge.a
# names exactly those files as compile units, and no other source in the
# tree defines the core's functions. Host test; needs kbridge.ko built
# (make guest-build) and libkbridge.a (make userland). Prints TAP.
set -u
cd "$(dirname "$0")/../.." || exit 2
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

list=$(sed -n '/^KB_CORE_SRCS/,/^$/p' core/Core.mk | tr -d '\\' |
	sed 's/^KB_CORE_SRCS *:= *//' | tr -s ' \t\n' '\n' | grep '\.c$' | sort)
[ -n "$list" ] && ok "core/Core.mk lists $(echo $list | wc -w) core sources" ||
	not_ok "no KB_CORE_SRCS in core/Core.mk"
for f in $list; do
	[ -f "core/$f" ] || not_ok "Core.mk names core/$f, which does not exist"
done
grep -q '^include \$(src)/core/Core.mk' Kbuild &&
	grep -q '^include \$(CORE_DIR)Core.mk' userland/Makefile &&
	grep -q '^CORE_DIR := \.\./core/' userland/Makefile &&
	ok "Kbuild and userland/Makefile both take the list from Core.mk" ||
	not_ok "Kbuild or userland/Makefile does not include core/Core.mk"

# units FILE: the core/*.c compile units in FILE's debug info
units() {
	readelf --debug-dump=info "$1" 2>/dev/null |
		sed -n 's|.*DW_AT_name *:.*[ /]core/\([a-z_]*\.c\)$|\1|p' | sort -u
}
for bin in kbridge.ko .output/libkbridge.a; do
	if [ ! -f "$bin" ]; then
		not_ok "$bin is built"
		continue
	fi
	got=$(units "$bin")
	if [ "$got" = "$list" ]; then
		ok "$bin is built from core/{$(echo $got | tr ' ' ,)}"
	else
		not_ok "$bin: core compile units '$(echo $got)', Core.mk says '$(echo $list)'"
	fi
done

# The core's functions are defined in core/ and nowhere else.
dups=
for fn in kb_policy_build kb_policy_get_rules kb_decide kb_glob_match \
	  kb_policy_alloc kb_ruleset_put; do
	where=$(grep -rlE "^[a-z].*[ *]$fn\([^;]*$" --include='*.c' module userland tests bench examples 2>/dev/null |
		grep -v '^core/')
	[ -n "$where" ] && dups="$dups $fn:$where"
done
[ -z "$dups" ] && ok "the core's functions are defined only in core/" ||
	not_ok "core functions defined outside core/:$dups"

echo "1..$n"
[ "$failed" -eq 0 ]
