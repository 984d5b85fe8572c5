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
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"
R=.output/tests/runtimes

kb_require_guest "kblaunch and tests/progs are built (make userland tests)" "$K" "$P/altstacks" "$P/uring_ops" || exit 1

PATHS=("" --no-fastpath --no-module)

# now_ms: a clock in milliseconds.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# native_ms CMD...: one native run, its wall time in ms on stdout.
native_ms() {
	local t0 rc
	t0=$(now_ms)
	# shellcheck disable=SC2086
	timeout -k 5 "$KB_TIMEOUT" ${KB_PRE:-} "$@" >"$kb_tmp/native1.out" 2>"$kb_tmp/native1.err"
	rc=$?
	echo "$(($(now_ms) - t0)) $rc"
}

# on_every_path NAME CMD...: CMD's stdout and exit status on each path
# are the native run's (one native run, one per path; a mismatch is
# tried again whole with same_as_native); then one line with the wall
# time of each against native: the faster of two native runs, since the
# first reads the files through the guest's cold 9p cache (single runs:
# a diagnostic, not a benchmark).
on_every_path() {
	local name=$1 opt t0 native again nrc krc line times=()
	shift
	read -r native nrc < <(native_ms "$@")
	cp "$kb_tmp/native1.out" "$kb_tmp/native0.out"
	for opt in "${PATHS[@]}"; do
		KBOPT=$opt
		t0=$(now_ms)
		kb -- "$@" >"$kb_tmp/kb1.out" 2>"$kb_tmp/kb1.err"
		krc=$?
		times+=($(($(now_ms) - t0)))
		if [ "$nrc" -eq "$krc" ] && cmp -s "$kb_tmp/native0.out" "$kb_tmp/kb1.out"; then
			ok "$name ($(path_name "$opt")): same stdout and exit status ($krc) as native"
		else
			echo "# $name ($(path_name "$opt")): differed once (exit $krc, native $nrc), trying again"
			same_as_native "$name ($(path_name "$opt"))" "$@"
		fi
	done
	KBOPT=
	read -r again _ < <(native_ms "$@")
	[ "$again" -lt "$native" ] && native=$again
	line="# time $name: native ${native} ms"
	for opt in "${!PATHS[@]}"; do
		line+=", $(path_name "${PATHS[$opt]}") ${times[$opt]} ms ($(awk -v a="${times[$opt]}" -v b="$native" 'BEGIN { printf "%.2fx", b ? a / b : 0 }'))"
	done
	echo "$line"
}

# Alternate stacks and small stacks, with frames as large as AMX's, on
# the paths the host cannot run (tests/host/kblaunch_host.sh has in-process).
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
	skip "Go programs" "golang-go not installed (tests/run/install-deps.sh)"
fi

# The JVM: its own signal handlers (an implicit null check is a SIGSEGV
# it turns into NullPointerException), many threads, fork and exec.
if command -v java >/dev/null && [ -f "$R/java/Main.class" ]; then
	on_every_path "Java: 16 threads, NullPointerException, ProcessBuilder, HTTP server" \
		java -cp "$R/java" Main
else
	skip "Java program" "default-jdk-headless not installed (tests/run/install-deps.sh)"
fi

# io_uring: the module counts the operations a ring carries (no syscall
# per operation) by opcode, on either path; a stubbed io_uring_setup
# makes programs fall back to plain syscalls.
for opt in "" --no-fastpath; do
	KBOPT=$opt
	rm -f "$kb_tmp/uring.json"
	kb --report "$kb_tmp/uring.json" -- "$P/uring_ops" >"$kb_tmp/out" 2>"$kb_tmp/err"
	got=$(report_py "$kb_tmp/uring.json" \
		'[r["io_uring"]["counted"], [(o["name"], o["count"]) for o in r["io_uring"]["ops"]], sc("io_uring_enter")["count"]]' 2>&1)
	[ "$got" = "[True, [('IORING_OP_NOP', 5), ('IORING_OP_READ', 3)], 1]" ] &&
		ok "io_uring ($(path_name "$opt")): 5 NOP and 3 READ counted from one io_uring_enter" ||
		{ not_ok "io_uring ($(path_name "$opt")): '$got'"; show "$kb_tmp/err" stderr; }
done
KBOPT=
printf 'io_uring_setup stub\n' >"$kb_tmp/no_uring.profile"
out=$(kb --profile "$kb_tmp/no_uring.profile" -- "$P/uring_ops" 2>"$kb_tmp/err")
[ "$out" = "io_uring_setup: Function not implemented: read() instead"$'\n'"3 reads of 4096 bytes" ] &&
	ok "io_uring_setup stubbed: the program falls back to read()" ||
	{ not_ok "io_uring_setup stubbed: '$out'"; show "$kb_tmp/err" stderr; }
if command -v node >/dev/null; then
	KBOPT="--profile $kb_tmp/no_uring.profile" same_as_native \
		"Node.js with io_uring_setup stubbed: libuv falls back" node tests/runtimes/node/main.js
	KBOPT=
fi

# PostgreSQL as an unprivileged user runs it: initdb, pg_ctl, pgbench;
# a server that forks a process per connection and titles them.
if ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
	pg=$(mktemp -d /tmp/kbpgtest.XXXXXX)
	node_mode=$(stat -c %a /dev/kbridge)
	chmod 755 "$pg" && cp "$K" tests/runtimes/postgres.sh "$pg/" &&
		chmod 755 "$pg/kblaunch" "$pg/postgres.sh" && chmod 666 /dev/kbridge
	K=$pg/kblaunch KB_PRE="setpriv --reuid=65534 --regid=65534 --clear-groups --" \
		on_every_path "PostgreSQL as nobody: initdb, pg_ctl start, titles, pgbench 4 x 50, pg_ctl stop" \
		sh "$pg/postgres.sh"
	chmod "$node_mode" /dev/kbridge
	rm -rf "$pg"
else
	skip "PostgreSQL" "postgresql not installed (tests/run/install-deps.sh)"
fi

# Node.js: libuv's event loop and thread pool, V8's worker isolates.
if command -v node >/dev/null; then
	on_every_path "Node.js: http, child_process, worker_threads, fs.promises" \
		node tests/runtimes/node/main.js
else
	skip "Node.js program" "nodejs not installed (tests/run/install-deps.sh)"
fi

kb_done
