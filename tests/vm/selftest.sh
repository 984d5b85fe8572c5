#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test of the guest runner (needs no module): exit statuses and
# arguments pass through unchanged, and a kernel WARNING fails the run.
# Prints TAP. Boots three guests (about 10 s each under TCG).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
run=$here/run.sh
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

n=0
fail=0
result() { # status description
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=1
		sed 's/^/# stdout: /' "$out"
		sed 's/^/# stderr: /' "$err"
	fi
}

echo "1..3"

# stdin is not a terminal: the runner filters the console to the output.
"$run" --timeout 300 -- sh -c 'exit 7' </dev/null >"$out" 2>"$err"
rc=$?
[ "$rc" -eq 7 ]
result $? "exit status 7 of the guest command comes back (got $rc)"

# Spaces, both quotes, an empty argument, glob and expansion characters,
# a backslash and a newline must reach the guest's argv as they are, and
# the guest runs in the directory the runner was started from.
# shellcheck disable=SC2016 # the guest must not expand these either
args=("a b" "it's" '"q"' '' '$HOME' '*' '`id`' 'x\y' $'new\nline' '--')
script='pwd; printf "[%s]\n" "$@"'
expected=$(cd "$here" && sh -c "$script" sh "${args[@]}")
(cd "$here" && "$run" --timeout 300 -- sh -c "$script" sh "${args[@]}") \
	</dev/null >"$out" 2>"$err"
rc=$?
[ "$rc" -eq 0 ] && [ "$(cat "$out")" = "$expected" ]
result $? "arguments and cwd reach the guest intact (exit status $rc)"

# A command that succeeds but makes the kernel log a WARNING fails the run.
"$run" --timeout 300 -- sh -c \
	"echo 'WARNING: kbridge runner selftest' >/dev/kmsg" \
	</dev/null >"$out" 2>"$err"
rc=$?
[ "$rc" -eq 98 ] && grep -q 'WARNING: kbridge runner selftest' "$err"
result $? "a kernel WARNING fails the run with 98 (got $rc)"

exit "$fail"
