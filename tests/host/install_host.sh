#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test: `make install` and `make uninstall` into a throw-away DESTDIR,
# for the guest kernel (KVER: the newest kernel with an image and headers,
# as the Makefile's GUEST_KVER).
#  - install succeeds and puts exactly the expected files there, with
#    their modes; the module is ./kbridge.ko for KVER; the tools run; a
#    program built against the installed <kbridge.h> and linked with the
#    installed libkbridge (shared and static) works; the installed
#    profiles parse;
#  - the man pages render without a warning (groff -ww and man
#    --warnings), have the usual sections, and document every long option
#    of `kblaunch --help`, and every command and long option of `kbctl
#    --help` and `kbctl COMMAND --help`: a new option without its
#    documentation fails here;
#  - the udev rule has udev(7)'s syntax (below, why not udevadm) and does
#    what it must;
#  - uninstall leaves no file behind, and neither touches the host outside
#    DESTDIR (no depmod, group, udev rule or tool of its own).
# Prints TAP.
#
# The rule's syntax: `udevadm verify` exists from systemd 254 on; Debian
# 12 has 252, and `udevadm test` reads the machine's rules and runs them,
# programs included, against a real device. So this checks each line
# against the grammar of udev(7) (comma-separated KEY[{ATTR}]OP"VALUE",
# keys that exist, match or assignment operators as each key allows),
# and tests/guest/install_guest.sh has a real udevd read and apply the rule.
# check() evaluates its single-quoted conditions when it runs.
# shellcheck disable=SC2016
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/pkg_common.sh
. tests/lib/pkg_common.sh

PLAN=15
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { # description 'shell condition'
	if eval "$2"; then ok "$1"; else not_ok "$1"; return 1; fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
skip_rest() { # reason
	while [ "$n" -lt "$PLAN" ]; do skip install "$1"; done
	exit 0
}

echo "1..$PLAN"
kver=${GUEST_KVER:-$(tests/run/guest-kernel.sh)}
[ -n "$kver" ] || skip_rest "no kernel with /boot/vmlinuz-KVER and headers (make deps)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
D=$tmp/root
log=$tmp/log
show_log() { sed 's/^/# /' "$log"; }
P=/usr/local
# What the host has outside DESTDIR, to compare after install and uninstall.
host_state() {
	getent group kbridge
	local f
	for f in /etc/udev/rules.d/60-kbridge.rules $P/bin/kblaunch $P/bin/kbctl \
		 $P/lib/libkbridge.so.0 $P/share/kbridge \
		 "/lib/modules/$kver/updates/kbridge.ko" \
		 "/lib/modules/$kver/modules.dep" /etc/ld.so.cache; do
		stat -c '%n %Y %s' "$f" 2>/dev/null
	done
}
host_state >"$tmp/host.before"

# 1. install
t0=$(date +%s)
if make --no-print-directory install DESTDIR="$D" KVER="$kver" >"$log" 2>&1; then
	ok "make install DESTDIR=... KVER=$kver ($(($(date +%s) - t0))s)"
else
	show_log
	not_ok "make install DESTDIR=... KVER=$kver"
	skip_rest "make install failed"
fi

# 2. exactly these files
expected=(
	"etc/udev/rules.d/60-kbridge.rules"
	"lib/modules/$kver/updates/kbridge.ko"
	"${P#/}/bin/kblaunch" "${P#/}/bin/kbctl"
	"${P#/}/include/kbridge.h" "${P#/}/include/linux/kbridge.h"
	"${P#/}/lib/libkbridge.a" "${P#/}/lib/libkbridge.so.$kb_ver"
	"${P#/}/lib/libkbridge.so.0" "${P#/}/lib/libkbridge.so"
	"${P#/}/share/man/man1/kblaunch.1" "${P#/}/share/man/man8/kbctl.8"
)
for f in profiles/*.profile profiles/README.md; do
	expected+=("${P#/}/share/kbridge/$f")
done
printf '%s\n' "${expected[@]}" | sort >"$tmp/expected"
(cd "$D" && find . \( -type f -o -type l \) -printf '%P\n' | sort) >"$tmp/got"
if diff "$tmp/expected" "$tmp/got" >"$log"; then
	ok "the ${#expected[@]} expected files, no other"
else
	show_log
	not_ok "installed files differ from the expected ones (< missing, > extra)"
fi

# 3. modes: programs 755, links to the versioned library, the rest 644,
# directories 755
bad=
while read -r f; do
	case $f in
	*/bin/*) want=755 ;;
	*/libkbridge.so) want="link libkbridge.so.0" ;;
	*/libkbridge.so.0) want="link libkbridge.so.$kb_ver" ;;
	*) want=644 ;;
	esac
	if [ -L "$D/$f" ]; then
		got="link $(readlink "$D/$f")"
	else
		got=$(stat -c %a "$D/$f" 2>/dev/null)
	fi
	[ "$got" = "$want" ] || bad="$bad $f($got)"
done <"$tmp/expected"
baddirs=$(find "$D" -type d ! -perm 755 -printf ' %P(%m)')
check "modes: programs 755, files 644, libkbridge.so links, directories 755${bad:+; wrong:$bad}${baddirs:+; directories:$baddirs}" \
	'[ -z "$bad$baddirs" ]'

# 4. the module is ./kbridge.ko, built for KVER, unchanged
ko=$D/lib/modules/$kver/updates/kbridge.ko
mver=$(modinfo -F version "$ko" 2>/dev/null)
magic=$(modinfo -F vermagic "$ko" 2>/dev/null)
check "kbridge.ko: version $mver, vermagic ${magic%% *}, identical to ./kbridge.ko" \
	'[ "$mver" = "$kb_ver" ] && [ "${magic%% *}" = "$kver" ] && cmp -s "$ko" kbridge.ko'

# 5. the tools run (kblaunch in process: the host has no module)
{
	"$D$P/bin/kblaunch" --version
	"$D$P/bin/kbctl" --version
	"$D$P/bin/kblaunch" --no-module -- /bin/sh -c 'echo under-kblaunch'
} >"$log" 2>&1
check "installed kblaunch and kbctl run, version $kb_ver" \
	'grep -qx "kblaunch $kb_ver" "$log" && grep -qx "kbctl $kb_ver" "$log" &&
	 grep -qx under-kblaunch "$log"' || show_log

# 6. a program built against the installed header and library
cat >"$tmp/use.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
/* Built against the installed <kbridge.h>: one stub, one pass. */
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <kbridge.h>

int main(void)
{
	static const struct kb_rule_desc rules[] = {
		{ .nr = SYS_getppid, .tier = KB_TIER_STUBBED,
		  .action = KB_ACTION_STUB, .value = EPERM },
	};
	struct kb_config cfg = { .size = sizeof(cfg), .stub = KB_STUB_PASS,
				 .threading = KB_THREADS_MULTI,
				 .rules = rules, .nr_rules = 1 };
	long stubbed, passed;

	if (kb_init_static(NULL, &cfg)) {
		fprintf(stderr, "kb_init_static failed\n");
		return 1;
	}
	stubbed = kb_handle_syscall(SYS_getppid, 0, 0, 0, 0, 0, 0);
	passed = kb_handle_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
	kb_exit();
	printf("getppid %ld, getpid %s\n", stubbed,
	       passed == getpid() ? "ok" : "wrong");
	return !(stubbed == -EPERM && passed == getpid());
}
EOF
cflags=(-std=c11 -Wall -Wextra -Werror -I"$D$P/include")
if cc "${cflags[@]}" -o "$tmp/use" "$tmp/use.c" -L"$D$P/lib" -lkbridge >"$log" 2>&1 &&
	cc "${cflags[@]}" -o "$tmp/use_static" "$tmp/use.c" \
		"$D$P/lib/libkbridge.a" -lpthread >>"$log" 2>&1 &&
	soname=$(objdump -p "$D$P/lib/libkbridge.so.$kb_ver" | awk '$1 == "SONAME" { print $2 }') &&
	needed=$(objdump -p "$tmp/use" | awk '$1 == "NEEDED" && /kbridge/ { print $2 }') &&
	LD_LIBRARY_PATH="$D$P/lib" "$tmp/use" >>"$log" 2>&1 &&
	"$tmp/use_static" >>"$log" 2>&1 && [ "$soname" = libkbridge.so.0 ] &&
	[ "$needed" = libkbridge.so.0 ]; then
	ok "libkbridge: <kbridge.h> compiles, -lkbridge links (soname $soname) and runs, so does libkbridge.a"
else
	show_log
	echo "# soname '${soname-}', needed '${needed-}'"
	not_ok "libkbridge: a program against the installed header and libraries"
fi

# 7. the installed profiles parse, found by name
names=()
for f in profiles/*.profile; do
	f=${f##*/}
	names+=("${f%.profile}")
done
KB_PROFILE_PATH="$D$P/share/kbridge/profiles" "$D$P/bin/kbctl" check "${names[@]}" >"$log" 2>&1
# shellcheck disable=SC2034 # read by check's condition
rc=$?
nok=$(grep -c ': ok, ' "$log")
check "installed kbctl check ${names[*]}: $nok of ${#names[@]} ok" \
	'[ "$rc" -eq 0 ] && [ "$nok" -eq "${#names[@]}" ]' || show_log

# 8-12. the man pages
man1=$D$P/share/man/man1/kblaunch.1
man8=$D$P/share/man/man8/kbctl.8
render() { # page: plain text, one line per paragraph (no hyphenation)
	LC_ALL=C groff -man -Tascii -rLL=10000n "$1" 2>/dev/null | col -b
}
# The release is written once, in dkms.conf; the pages' headers name it.
check "kblaunch.1 and kbctl.8 name the release of dkms.conf (kbridge $kb_ver) in .TH" \
	'[ -n "$kb_ver" ] && grep -q "^\.TH .* \"kbridge $kb_ver\" " "$man1" && grep -q "^\.TH .* \"kbridge $kb_ver\" " "$man8"'
if ! command -v groff >/dev/null || ! command -v man >/dev/null; then
	for t in warnings sections kblaunch-options kbctl-options; do
		skip "man pages: $t" "no groff or man (tests/run/install-deps.sh: groff-base man-db)"
	done
else
	: >"$log"
	for m in "$man1" "$man8"; do
		LC_ALL=C groff -man -ww -z "$m" 2>&1 | sed "s|^|${m##*/}: groff: |" >>"$log"
		LC_ALL=C MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null |
			sed "s|^|${m##*/}: man: |" >>"$log"
	done
	check "kblaunch.1 and kbctl.8 render without warnings (groff -ww, man --warnings)" \
		'[ ! -s "$log" ]' || show_log

	missing=
	render "$man1" >"$tmp/kblaunch.txt"
	render "$man8" >"$tmp/kbctl.txt"
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT FILES "SEE ALSO"; do
		grep -qx "$s" "$tmp/kblaunch.txt" || missing="$missing kblaunch.1:'$s'"
	done
	for s in NAME SYNOPSIS DESCRIPTION COMMANDS "EXIT STATUS" ENVIRONMENT FILES "SEE ALSO"; do
		grep -qx "$s" "$tmp/kbctl.txt" || missing="$missing kbctl.8:'$s'"
	done
	check "man pages have NAME, SYNOPSIS, DESCRIPTION, OPTIONS/COMMANDS, EXIT STATUS, ENVIRONMENT, FILES, SEE ALSO${missing:+; missing:$missing}" \
		'[ -z "$missing" ]'

	longopts() { grep -oE -- '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u; }
	has() { # text option
		grep -qE -- "(^|[^a-z0-9-])$2([^a-z0-9-]|$)" "$1"
	}
	missing='' count=0
	for o in $("$D$P/bin/kblaunch" --help | longopts); do
		count=$((count + 1))
		has "$tmp/kblaunch.txt" "$o" || missing="$missing $o"
	done
	check "kblaunch.1 documents the $count long options of kblaunch --help${missing:+; missing:$missing}" \
		'[ "$count" -gt 5 ] && [ -z "$missing" ]'

	missing='' count=0
	cmds=$("$D$P/bin/kbctl" --help | sed -n '/^COMMANDS:/,/^$/p' | awk 'NR > 1 && NF { print $1 }' | sort -u)
	for c in $cmds; do
		count=$((count + 1))
		# each command has its own subsection (rendered indented by 3)
		grep -qE "^   $c( |,|$)" "$tmp/kbctl.txt" || missing="$missing $c"
		for o in $("$D$P/bin/kbctl" "$c" --help | longopts); do
			has "$tmp/kbctl.txt" "$o" || missing="$missing $c:$o"
		done
	done
	for o in $("$D$P/bin/kbctl" --help | longopts); do
		has "$tmp/kbctl.txt" "$o" || missing="$missing $o"
	done
	check "kbctl.8 has a subsection for each of the $count commands of kbctl --help and documents their long options${missing:+; missing:$missing}" \
		'[ "$count" -ge 8 ] && [ -z "$missing" ]'
fi

# 13. the udev rule
# udev(7): keys that may be matched, keys that may be assigned, keys that
# take {ATTR}.
udev_match=" ACTION DEVPATH KERNEL KERNELS NAME SYMLINK SUBSYSTEM SUBSYSTEMS DRIVER DRIVERS ATTR ATTRS SYSCTL TAG TAGS ENV CONST TEST PROGRAM RESULT "
udev_assign=" NAME SYMLINK OWNER GROUP MODE SECLABEL ATTR SYSCTL ENV TAG RUN LABEL GOTO IMPORT OPTIONS "
udev_attr=" ATTR ATTRS SYSCTL ENV CONST TEST SECLABEL RUN IMPORT "
udev_lint() { # file: "LINE: problem" lines
	local line no=0 rest key attr op val re
	re='^[[:space:]]*([A-Z]+)(\{([^}]*)\})?[[:space:]]*(==|!=|\+=|-=|:=|=)[[:space:]]*"([^"]*)"[[:space:]]*(,(.*))?$'
	while IFS= read -r line || [ -n "$line" ]; do
		no=$((no + 1))
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		rest=$line
		while [ -n "$rest" ]; do
			if ! [[ $rest =~ $re ]]; then
				echo "$no: not KEY[{ATTR}]OP\"VALUE\": '$rest'"
				break
			fi
			key=${BASH_REMATCH[1]} attr=${BASH_REMATCH[2]} op=${BASH_REMATCH[4]}
			val=${BASH_REMATCH[5]} rest=${BASH_REMATCH[7]}
			if [ -n "${BASH_REMATCH[6]}" ] && [[ $rest =~ ^[[:space:]]*$ ]]; then
				echo "$no: trailing comma"
			fi
			case $op in
			==|!=) [[ $udev_match == *" $key "* ]] ||
				echo "$no: $key cannot be matched ($op)" ;;
			*) [[ $udev_assign == *" $key "* ]] ||
				echo "$no: $key cannot be assigned ($op)" ;;
			esac
			[ -z "$attr" ] || [[ $udev_attr == *" $key "* ]] ||
				echo "$no: $key takes no {attribute}"
			case $key in
			ATTR|ATTRS|SYSCTL|ENV|CONST|IMPORT) [ -n "$attr" ] ||
				echo "$no: $key needs a {attribute}" ;;
			MODE) [[ $val =~ ^0?[0-7]{3}$ ]] || echo "$no: MODE '$val' not octal" ;;
			OWNER|GROUP) [[ $val =~ ^[a-z_][a-z0-9_-]*$|^[0-9]+$ ]] ||
				echo "$no: $key '$val' not a name" ;;
			esac
			case $key/$op in
			OWNER/+=|OWNER/-=|GROUP/+=|GROUP/-=|MODE/+=|MODE/-=)
				echo "$no: $key takes = or :=" ;;
			esac
		done
	done <"$1"
}
rule=$D/etc/udev/rules.d/60-kbridge.rules
problems=$(udev_lint "$rule")
# The checker must catch what it claims to: a misspelt key, a match key
# assigned, a missing comma, a mode that is not octal.
caught=0
for broken in 'KERNEL=="kbridge", GRUOP="kbridge"' 'KERNEL="kbridge", MODE="0660"' \
	      'KERNEL=="kbridge" MODE="0660"' 'KERNEL=="kbridge", MODE="rw"'; do
	printf '%s\n' "$broken" >"$tmp/broken.rules"
	[ -n "$(udev_lint "$tmp/broken.rules")" ] && caught=$((caught + 1))
done
rules=$(grep -v '^[[:space:]]*#' "$rule" | grep -c .)
if [ -z "$problems" ] && [ "$caught" -eq 4 ] && [ "$rules" -eq 1 ] &&
	grep -qE '^KERNEL=="kbridge", SUBSYSTEM=="misc", GROUP="kbridge", MODE="0660"$' "$rule"; then
	ok "60-kbridge.rules: udev(7) syntax, one rule: misc device kbridge -> group kbridge, 0660"
else
	printf '# %s\n' "$problems"
	echo "# rules: $rules, broken samples caught: $caught of 4"
	not_ok "60-kbridge.rules"
fi

# 14. uninstall
if make --no-print-directory uninstall DESTDIR="$D" KVER="$kver" >"$log" 2>&1; then
	left=$(cd "$D" && find . \( -type f -o -type l \) -printf ' %P')
	left_dirs=$(cd "$D" && find . -path "*kbridge*" -printf ' %P')
	check "make uninstall DESTDIR=...: no file left${left:+:$left}${left_dirs:+; left:$left_dirs}" \
		'[ -z "$left$left_dirs" ]'
else
	show_log
	not_ok "make uninstall DESTDIR=..."
fi

# 15. the host outside DESTDIR
host_state >"$tmp/host.after"
if diff "$tmp/host.before" "$tmp/host.after" >"$log"; then
	ok "install and uninstall with DESTDIR left the host alone (no group, depmod, ldconfig, rule)"
else
	show_log
	not_ok "install or uninstall with DESTDIR changed the host"
fi
[ "$failed" -eq 0 ]
