# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced from the repo root by the packaging tests: tests/host/dkms_build.sh
# (host), tests/guest/dkms_guest.sh and tests/guest/install_guest.sh (guest).

# The DKMS package, as dkms.conf names it.
kb_pkg=$(sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' dkms.conf)
kb_ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)

# What a DKMS source tree holds, the files README.md's DKMS section
# copies: the kbuild file, dkms.conf, the ABI header, the module's sources
# and the tier core.
kb_dkms_sources() {
	printf '%s\n' Kbuild dkms.conf uapi/linux/*.h module/*.c module/*.h \
		core/*.c core/*.h core/Core.mk
}

kb_dkms_tree() { # DIR
	# shellcheck disable=SC2046 # one word per file
	mkdir -p "$1" && cp --parents $(kb_dkms_sources) "$1/"
}

# The binaries-only DKMS tarball tests/host/dkms_build.sh leaves for the guest.
kb_dkms_tarball() { # KVER
	echo ".output/dkms/$kb_pkg-$kb_ver-$1.dkms.tar.gz"
}

# Guest only. Run the calling script again in a mount namespace of its
# own, where kb_small_modtree can hide the module tree from nothing else.
kb_pkg_unshare() { # "$0" "$@"
	[ "${KB_PKG_NS-}" = 1 ] && return 0
	exec env KB_PKG_NS=1 unshare --mount --propagation private -- "$@"
}

# Guest only, in that namespace: /lib/modules/KVER becomes a tmpfs with the
# kernel's lists of built-in modules and its build links, and none of its
# modules. depmod reads every module of the tree: the host's 4023 (396 MB
# through 9p) take it about 65 s per run under TCG, and each install and
# removal runs it. What the tests check (the file in updates/, depmod's
# index naming it, modinfo -n and modprobe finding and loading it, and
# not finding it once removed) works the same in the small tree.
# KB_FULL_MODTREE=1 keeps the real tree (about 5 minutes more).
kb_small_modtree() { # KVER
	local d=/lib/modules/$1 keep f
	[ "${KB_FULL_MODTREE-}" = 1 ] && return 0
	keep=$(mktemp -d) || return 1
	for f in modules.builtin modules.builtin.modinfo modules.order \
		 build source; do
		[ -e "$d/$f" ] || [ -L "$d/$f" ] || continue
		cp -P "$d/$f" "$keep/" || return 1
	done
	mount -t tmpfs -o mode=0755 kbmodtree "$d" || return 1
	cp -P "$keep"/* "$d/" && rm -rf "$keep" && mkdir "$d/kernel" &&
		depmod -a "$1"
}

# shellcheck source=tests/lib/module_common.sh
. tests/lib/module_common.sh

# kb_pkg_tap: the guest scripts' TAP counters (n, failed), ok and not_ok,
# a scratch directory $tmp with a command log $log (show_log prints it as
# comments), and since, the seconds since this call.
kb_pkg_tap() {
	n=0 failed=0
	ok() { n=$((n + 1)); echo "ok $n - $1"; }
	not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
	tmp=$(mktemp -d)
	log=$tmp/log
	show_log() { sed 's/^/# /' "$log"; }
	t_start=$(date +%s)
	since() { echo "$(($(date +%s) - t_start))s"; }
}
