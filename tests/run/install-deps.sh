#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what building kbridge and running its guest suite need (Debian 12),
# or, given package names (make corpus-deps), those. Quiet and quick when
# everything is already there.
set -eu

pkgs=("$@")
[ $# -gt 0 ] || pkgs=(
	build-essential make gcc pkg-config kmod cpio
	linux-image-amd64 linux-headers-amd64 linux-source
	# make check runs the guest suite on PREEMPT_RT too
	linux-image-rt-amd64 linux-headers-rt-amd64
	# tests/run/build-for-kernel.sh: the module built for a second kernel
	rsync
	qemu-system-x86 busybox-static dkms
	libseccomp-dev
	xz-utils python3 sqlite3 strace
	# tests/guest/apps_guest.sh: the real-program matrix and its clients
	redis-server redis-tools nginx-light memcached wrk curl perl
	# tests/workloads/ (kbctl analyze): the same servers and clients, and
	# pgrep to find what a server forked
	procps
	# kblaunch --report and kbctl --json
	libjson-c-dev
	# bpf/ and kbctl stats/top: eBPF programs, skeletons, libbpf
	clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
	# examples/ocaml, tests/host/ffi_host.sh and bench/ocaml (make bench):
	# libkbridge through OCaml ctypes
	ocaml-nox ocaml-findlib libctypes-ocaml-dev libffi-dev
	# tests/guest/perm_guest.sh: unprivileged users, a file-capability program
	util-linux libcap2-bin
	# tests/host/install_host.sh: the man pages rendered and checked;
	# tests/guest/install_guest.sh: udevd applying 60-kbridge.rules, man -w
	groff-base man-db udev
	# tests/runtimes/ and tests/guest/runtimes_guest.sh: real language runtimes,
	# a database that forks and execs, CPython's own regression tests
	golang-go default-jdk-headless nodejs postgresql
	libpython3.11-testsuite
	# tests/host/corpus_host.sh: the corpus's report (plots; Chromium for
	# the browser test)
	python3-matplotlib chromium chromium-driver python3-selenium
)
# ... and the packages of the corpus's applications that make check
# analyses (corpus/ci-slice; each app.conf's "packages:" line).
if [ $# -eq 0 ]; then
	here=$(dirname "$0")/../../corpus
	for app in $(sed 's/#.*//' "$here/ci-slice"); do
		# shellcheck disable=SC2207 # package names have no blanks
		pkgs+=($(sed -n 's/^packages: *//p' "$here/$app/app.conf"))
	done
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "kbridge: missing packages: ${missing[*]}" >&2
	echo "  run as root, or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "kbridge: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# The servers among them (redis, nginx, memcached, postgresql) are for the
# tests to start: none may start as a service here (invoke-rc.d asks
# policy-rc.d; 101 means "not allowed"). Ours only if there was none.
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
