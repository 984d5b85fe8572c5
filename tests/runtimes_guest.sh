#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Real language runtimes under kblaunch, on every decision path: the
# module's in-kernel fast path, SIGSYS + KB_IOC_SYSCALL (--no-fastpath)
# and the in-process engine (--no-module). Each run is compared with the
# native one (stdout and exit status); the wall time ratio to native is
# printed as a diagnostic. Programs are built by tests/runtimes/Makefile;
# a runtime that is not installed skips. Guest, root, module loaded.
set -u
KBOPT=
# shellcheck source=tests/kblaunch_common.sh
. "$(dirname "$0")/kblaunch_common.sh"
R=.output/tests/runtimes

kb_require_guest "kblaunch and tests/progs are built (make userland tests)" "$K" "$P/altstacks" || exit 1

PATHS=("" --no-fastpath --no-module)
path_name() {
	case $1 in
	"") echo "fast path" ;;
	--no-fastpath) echo "SIGSYS + ioctl" ;;
	--no-module) echo "in-process" ;;
	esac
}

# ms CMD...: the wall time of one run, in milliseconds, on stdout.
ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

# on_every_path NAME CMD...: same_as_native on each path, then the
# wall time of each against native (one run each: a diagnostic).
on_every_path() {
	local name=$1 opt native t line
	shift
	for opt in "${PATHS[@]}"; do
		KBOPT=$opt
		same_as_native "$name ($(path_name "$opt"))" "$@"
	done
	native=$(ms timeout -k 5 "$KB_TIMEOUT" "$@")
	line="# time $name: native ${native} ms"
	for opt in "${PATHS[@]}"; do
		KBOPT=$opt
		t=$(ms kb -- "$@")
		line+=", $(path_name "$opt") ${t} ms ($(awk -v a="$t" -v b="$native" 'BEGIN { printf "%.2fx", b ? a / b : 0 }'))"
	done
	KBOPT=
	echo "$line"
}

# Alternate stacks and small stacks, with frames as large as AMX's, on
# the paths the host cannot run (tests/kblaunch_host.sh has in-process).
for opt in "" --no-fastpath; do
	KBOPT=$opt
	KBRIDGE_SIGFRAME_PAD=12288 same_as_native \
		"altstacks, 12 KiB more per trap ($(path_name "$opt"))" "$P/altstacks"
done
KBOPT=--no-fastpath kb_fds
KBOPT=

# Go: goroutines on small stacks making raw syscalls, SA_ONSTACK
# handlers on per-thread alternate stacks, SIGURG preemption.
if [ -x "$R/go_static" ] && [ -x "$R/go_dynamic" ]; then
	on_every_path "Go static: http, 200 clients, os/exec, signal, timer" "$R/go_static"
	on_every_path "Go dynamic (cgo): http, 200 clients, os/exec, signal, timer" "$R/go_dynamic"
	KBRIDGE_SIGFRAME_PAD=12288 KBOPT=--no-fastpath same_as_native \
		"Go static, 12 KiB more per trap (SIGSYS + ioctl)" "$R/go_static"
	KBOPT=
else
	skip "Go programs" "golang-go not installed (tests/install-deps.sh)"
fi

kb_done
