#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build a test kernel for the kbridge guest from Debian's linux-source-6.1,
# once per machine, and print the path of the finished tree.
#
# usage: tests/kernels/build.sh [--config-only] NAME
#
# NAME picks the Kconfig fragment tests/kernels/NAME.config (debug: KASAN,
# UBSAN, lockdep, kmemleak, ...). A fragment may build on another with a
# line "# include: OTHER.config"; the included one is applied first and
# later assignments win. The fragment goes on top of
# `make x86_64_defconfig kvm_guest.config`, then every module is made
# built-in (the guest has no /lib/modules for this kernel). Any assignment
# of the fragments that olddefconfig dropped or changed (an unmet
# dependency) fails the build, naming it: a detector that silently went
# missing would make a clean test run mean nothing.
#
# Why a cache: the build takes most of an hour on two cores. The tree lands
# in ${KB_KERNEL_CACHE:-/var/cache/kbridge/kernels}/NAME-HASH, HASH covering
# the source package (version, size, mtime), the compiler, the fragments'
# settings and the recipe's version; with nothing changed a run only
# prints that path. The build happens in .NAME-HASH.partial and is renamed
# when complete, so an interrupted build is never taken as done (the next
# run removes it). A lock serialises builds of one NAME.
#
# The tree holds arch/x86/boot/bzImage, vmlinux, .config, Module.symvers
# and what `make -C TREE M=DIR modules` needs; the kernel's own object
# files are deleted (several GB) unless KB_KERNEL_KEEP_OBJECTS=1.
# kbridge-build-seconds holds the build time, kbridge-build.log the output.
# Boot it with tests/vm/run.sh --kernel TREE. --config-only stops after
# writing and checking .config (in a scratch dir, removed at the end), a
# quick test of a fragment. Status lines go to stderr; the path is the last
# line on stdout.
set -eu

prog=tests/kernels/build.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tarball=/usr/src/linux-source-6.1.tar.xz
srcpkg=linux-source-6.1

die() {
	echo "$prog: $*" >&2
	exit 2
}

usage() {
	echo "usage: $prog [--config-only] NAME   (NAME.config in $here)" >&2
	exit 2
}

config_only=0
case ${1-} in --config-only) config_only=1; shift ;; esac
[ $# -eq 1 ] || usage
name=$1
case $name in ''|*[!A-Za-z0-9_-]*) die "bad NAME '$name'" ;; esac
[ -f "$here/$name.config" ] || die "no fragment $here/$name.config"

# Build dependencies, installed the way tests/run/install-deps.sh does.
pkgs=("$srcpkg" build-essential bc bison flex libssl-dev libelf-dev rsync cpio
	xz-utils kmod util-linux)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" -eq 0 ] ||
		die "missing packages: ${missing[*]} (sudo apt-get install ${missing[*]})"
	echo "$prog: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -r "$tarball" ] || die "cannot read $tarball (package $srcpkg)"

# Fragments in the order they apply: included ones first, each once.
frags=()
declare -A visiting=() done_frag=()
add_frag() { # file
	local f=$1 inc
	[ -z "${done_frag[$f]-}" ] || return 0
	[ -z "${visiting[$f]-}" ] || die "fragments include each other: $f"
	[ -f "$f" ] || die "no fragment $f"
	visiting[$f]=1
	while read -r inc; do
		case $inc in */*|'') die "bad include '$inc' in $f" ;; esac
		add_frag "$here/$inc"
	done < <(sed -n 's/^# include: *\([^ ]*\) *$/\1/p' "$f")
	done_frag[$f]=1
	frags+=("$f")
}
add_frag "$here/$name.config"

# The key covers what decides the kernel that comes out: the source, the
# compiler, the fragments' settings (their comments left out, so that
# rewording one does not cost an hour's build) and the recipe below,
# whose version number goes up whenever a build step changes.
recipe=2
key=$({
	echo "kbridge kernel recipe $recipe"
	dpkg-query -W -f='${Package} ${Version}\n' "$srcpkg"
	stat -L -c '%n %s %Y' "$tarball"
	gcc --version | head -n 1
	for f in "${frags[@]}"; do
		echo "== ${f##*/}"
		grep -E '^(CONFIG_|# CONFIG_.* is not set$|# include:)' "$f"
	done
} | sha256sum | cut -c1-16)

cache=${KB_KERNEL_CACHE:-/var/cache/kbridge/kernels}
if ! mkdir -p "$cache" 2>/dev/null || ! [ -w "$cache" ]; then
	die "cannot write $cache (run as root or set KB_KERNEL_CACHE)"
fi
cache=$(cd "$cache" && pwd)
tree=$cache/$name-$key
# The last file written before the rename: its presence means complete.
done_mark=kbridge-build-seconds

if [ $config_only = 0 ] && [ -f "$tree/$done_mark" ]; then
	echo "$tree"
	exit 0
fi

# One build of NAME at a time; a second caller waits and then finds the
# tree done. Holding the lock also makes every .NAME-*.partial stale.
exec 9>"$cache/.$name.lock"
if ! flock -n 9; then
	echo "$prog: waiting for another build of $name" >&2
	flock 9
fi
if [ $config_only = 0 ] && [ -f "$tree/$done_mark" ]; then
	echo "$tree"
	exit 0
fi
# Sixteen characters of hash: the pattern cannot match a NAME-OTHER build
# that another lock guards.
hash16='????????????????'
for d in "$cache/.$name-"$hash16.partial "$cache/.$name-config.partial"; do
	[ -e "$d" ] || continue
	echo "$prog: removing the incomplete build $d" >&2
	h=${d#"$cache/."}
	rm -rf "$d" "$d.log" "$cache/${h%.partial}.log"
done
# A tree without the mark cannot come from the rename below; never trust one.
[ ! -e "$tree" ] || [ -f "$tree/$done_mark" ] || rm -rf "$tree"

work=$cache/.$name-$key.partial
log=$cache/$name-$key.log
[ $config_only = 0 ] || { work=$cache/.$name-config.partial; log=$work.log; }
mkdir "$work"
: >"$log"

fail() {
	echo "$prog: $*" >&2
	echo "$prog: last lines of $log:" >&2
	tail -n 25 "$log" | sed 's/^/  | /' >&2
	echo "$prog: the incomplete tree $work is removed by the next run" >&2
	exit 1
}

jobs=$(nproc)
start=$(date +%s)
echo "$prog: building kernel $name in $work (log $log)" >&2

echo "$prog: extracting $tarball" >&2
tar -xJf "$tarball" -C "$work" --strip-components=1 >>"$log" 2>&1 ||
	fail "cannot extract $tarball"

mk() {
	make -C "$work" -j"$jobs" "$@" >>"$log" 2>&1
}
echo "$prog: configuring (${frags[*]##*/})" >&2
mk x86_64_defconfig kvm_guest.config || fail "make defconfig failed"
(cd "$work" && scripts/kconfig/merge_config.sh -m .config "${frags[@]}") \
	>>"$log" 2>&1 || fail "merging the fragments failed"
mk olddefconfig || fail "make olddefconfig failed"
mk mod2yesconfig || fail "make mod2yesconfig failed"

# What the fragments ask for, the last assignment of a symbol winning:
# "y", a number, a quoted string, or "n" for "# CONFIG_X is not set".
declare -A want=()
order=()
for f in "${frags[@]}"; do
	while IFS='=' read -r sym val; do
		[ -n "${want[$sym]+x}" ] || order+=("$sym")
		want[$sym]=$val
	done < <(sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=\(.*\)$/\1=\2/p' \
		-e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1=n/p' "$f")
done
declare -A got=()
while IFS='=' read -r sym val; do
	got[$sym]=$val
done < <(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=\(.*\)$/\1=\2/p' "$work/.config")
lost=()
for sym in "${order[@]}"; do
	w=${want[$sym]} g=${got[$sym]-n}
	case $w in
	n) [ "$g" = n ] || lost+=("$sym (wanted off, is $g)") ;;
	*) [ "$g" = "$w" ] || lost+=("$sym (wanted $w, is $g)") ;;
	esac
done
if [ ${#lost[@]} -gt 0 ]; then
	echo "$prog: the kernel's Kconfig did not keep these fragment settings" \
		"(a dependency is missing or a choice conflicts):" >&2
	printf '  %s\n' "${lost[@]}" >&2
	echo "$prog: the resulting .config is $work/.config" >&2
	exit 1
fi
echo "$prog: all ${#order[@]} fragment settings are in .config" >&2

if [ $config_only = 1 ]; then
	cp "$work/.config" "$cache/$name.config-only"
	rm -rf "$work" "$log"
	echo "$cache/$name.config-only"
	exit 0
fi

echo "$prog: compiling with -j$jobs (most of an hour on two cores)" >&2
# "all" is vmlinux, bzImage, the modules and Module.symvers;
# modules_prepare is part of it, named for the out-of-tree builds.
mk all modules_prepare || fail "the kernel build failed"
for f in arch/x86/boot/bzImage vmlinux .config Module.symvers \
	scripts/mod/modpost; do
	[ -s "$work/$f" ] || fail "the build left no $f"
done

if [ "${KB_KERNEL_KEEP_OBJECTS-0}" != 1 ]; then
	# An out-of-tree module needs the headers, generated files, .config,
	# Module.symvers and the host tools under scripts/ and tools/, not the
	# kernel's own objects; vmlinux and bzImage stay for booting.
	find "$work" \( -path "$work/scripts" -o -path "$work/tools" \) -prune -o \
		-type f \( -name '*.o' -o -name '*.a' -o -name '.tmp_vmlinux*' \
		-o -name 'vmlinux.bin*' \) -print0 | xargs -0r rm -f
fi

secs=$(($(date +%s) - start))
mv "$log" "$work/kbridge-build.log"
log=$work/kbridge-build.log
for f in "${frags[@]}"; do
	cp "$f" "$work/kbridge-${f##*/}"
done
echo "$secs" >"$work/$done_mark"
mv "$work" "$tree"
echo "$prog: built in ${secs}s: $tree" >&2
for d in "$cache/$name-"$hash16; do
	if [ -d "$d" ] && [ "$d" != "$tree" ]; then
		echo "$prog: an older $name tree may be deleted: $d" >&2
	fi
done
echo "$tree"
