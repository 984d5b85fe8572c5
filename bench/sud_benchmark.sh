#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the kernel's own sud_benchmark (tools/testing/selftests/
# syscall_user_dispatch/) and turn what it prints into the KEY=VALUE line
# the benchmark rows read:
#   iters=N native_ns=X sud_ns=Y
# native_ns is its sysinfo loop with dispatch off, sud_ns the same loop with
# dispatch on and the selector at ALLOW: the cost SUD adds to a syscall it
# does not redirect. Exit status 1 if it failed or printed something else.
set -u
[ $# -eq 1 ] || { echo "usage: $0 PATH-TO-sud_benchmark" >&2; exit 2; }
out=$("$1" 2>&1)
rc=$?
if [ "$rc" -ne 0 ]; then
	echo "$0: sud_benchmark exited with status $rc:" >&2
	printf '%s\n' "$out" | tail -n 5 >&2
	exit 1
fi
iters=$(printf '%s\n' "$out" | sed -n 's/^test iterations = \([0-9]*\)$/\1/p')
mapfile -t avg < <(printf '%s\n' "$out" | sed -n 's/^Avg syscall time \([0-9.]*\)ns\.$/\1/p')
# Its own check: the magic call trapped once and nothing else did.
if [ -z "$iters" ] || [ "${#avg[@]}" -ne 2 ] ||
	! printf '%s\n' "$out" | grep -q '^trapped_call_count 1, native_call_count 0\.$'; then
	echo "$0: unexpected output from sud_benchmark:" >&2
	printf '%s\n' "$out" | sed 's/^/  | /' >&2
	exit 1
fi
echo "iters=$iters native_ns=${avg[0]} sud_ns=${avg[1]}"
