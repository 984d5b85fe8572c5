#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# CPython's own regression tests (Debian's libpython3.11-testsuite) under
# kblaunch: every test that passes natively must pass under kbridge, on
# each decision path; a per-file table shows passed/failed/skipped.
#
# usage: [KB_CPYTHON_FILES=...] tests/cpython/cpython_tests.sh host|guest|long
#   host   the in-process engine (--no-module), on the host
#   guest  the module's fast path and SIGSYS + ioctl (--no-fastpath), in
#          the guest with the module loaded
#   long   all three paths, on a longer list of files (make check-runtimes)
# The native run is made in the same place, just before.
set -u
KBOPT=
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"
PYT=/usr/bin/python3.11
FILES=(test_subprocess test_signal test_os test_threading)
LONG=(test_socket test_select test_selectors test_epoll test_poll test_fcntl
      test_posix test_mmap test_pty test_time test_io test_shutil test_tempfile)
# One file may take minutes under TCG; a hung one is stopped by regrtest.
PER_FILE_S=${KB_CPYTHON_TIMEOUT:-1200}

case ${1:-} in
host) PATHS=(--no-module) ;;
guest) PATHS=("" --no-fastpath) ;;
long) PATHS=("" --no-fastpath --no-module); FILES+=("${LONG[@]}") ;;
*) echo "usage: $0 host|guest|long" >&2; exit 2 ;;
esac
# KB_CPYTHON_FILES="test_os test_time": other files (by hand).
[ -n "${KB_CPYTHON_FILES:-}" ] && read -ra FILES <<<"$KB_CPYTHON_FILES"

if ! [ -x "$PYT" ] || ! [ -f /usr/lib/python3.11/test/test_subprocess.py ]; then
	skip "CPython's regression tests" "libpython3.11-testsuite not installed (tests/run/install-deps.sh)"
	kb_done
	exit 0
fi
[ "${1:-}" = host ] || kb_require_guest "kblaunch is built" "$K" || exit 1

# run NAME [KBLAUNCH-OPTIONS --] [-- REGRTEST-OPTIONS]: one regrtest of
# the files, its results in $kb_tmp/NAME.xml, its output in NAME.log, a
# line with its exit status and wall time in NAME.time.
run() {
	local name=$1 t0 rc pre=() extra=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do pre+=("$1"); shift; done
	[ $# -gt 0 ] && { shift; extra=("$@"); }
	rm -f "$kb_tmp/$name.xml"
	mkdir -p "$kb_tmp/cwd-$name"
	t0=$(date +%s)
	(cd "$kb_tmp/cwd-$name" && timeout -k 10 $((PER_FILE_S * ${#FILES[@]})) \
		"${pre[@]}" "$PYT" -m test --timeout "$PER_FILE_S" \
		--junit-xml "$kb_tmp/$name.xml" "${extra[@]}" "${FILES[@]}" \
		>"$kb_tmp/$name.log" 2>&1)
	rc=$?
	echo "# $name: regrtest exit status $rc in $(($(date +%s) - t0)) s" >"$kb_tmp/$name.time"
}

# Native and every path at once: regrtest runs one file at a time, on
# one CPU, and the machine has more. A test that the load makes miss a
# deadline is run again alone below, on the same path.
names=(native)
args=()
run native &
for opt in "${PATHS[@]}"; do
	name=$(path_name "$opt")
	names+=("${name// /-}")
	# shellcheck disable=SC2086
	run "${name// /-}" "$(realpath "$K")" $opt -- &
	args+=("$name=$kb_tmp/${name// /-}.xml")
done
wait
for name in "${names[@]}"; do
	cat "$kb_tmp/$name.time"
	grep -E '^(test_[a-z_]+ failed|[0-9]+ tests? failed|Tests result)' "$kb_tmp/$name.log" |
		sed "s/^/# $name: /" | head -5
	# Killed by a signal (139: SIGSEGV): regrtest's faulthandler has
	# put the test and the Python stack in the log's end, the kernel
	# the faulting address and instruction in its log.
	st=$(sed -n 's/.*regrtest exit status \([0-9]*\) .*/\1/p' "$kb_tmp/$name.time")
	if [ "${st:-0}" -ge 128 ]; then
		tail -n 40 "$kb_tmp/$name.log" | sed "s/^/# $name log: /"
		dmesg 2>/dev/null | grep -E 'segfault at|traps:|general protection' |
			tail -n 5 | sed "s/^/# $name kernel: /"
	fi
done

# What each path lost, run again alone on that path (at most 40 tests:
# more is no accident of timing).
i=0
for opt in "${PATHS[@]}"; do
	name=$(path_name "$opt")
	mapfile -t lost < <("$PYT" tests/cpython/cpython_compare.py --lost "$kb_tmp/native.xml" \
		"${args[$i]}" | cut -f2)
	if [ ${#lost[@]} -gt 0 ] && [ ${#lost[@]} -le 40 ]; then
		echo "# $name: ${#lost[@]} tests again, alone: ${lost[*]:0:5}"
		match=()
		for t in "${lost[@]}"; do match+=(-m "$t"); done
		# shellcheck disable=SC2086
		run "rerun-${name// /-}" "$(realpath "$K")" $opt -- "${match[@]}"
		cat "$kb_tmp/rerun-${name// /-}.time"
		args[i]+=",$kb_tmp/rerun-${name// /-}.xml"
	fi
	i=$((i + 1))
done

"$PYT" tests/cpython/cpython_compare.py "$kb_tmp/native.xml" "${args[@]}" >"$kb_tmp/verdicts" 2>"$kb_tmp/compare.err"
rc=$?
seen=0
while IFS=$'\t' read -r verdict mod run detail; do
	case $verdict in
	ok) ok "CPython $mod ($run): $detail" ;;
	"not ok") not_ok "CPython $mod ($run): $detail" ;;
	table) seen=$((seen + 1))
	       echo "# table: $mod: $run, ${detail//$'\t'/, } (passed/failed/skipped)" ;;
	esac
done <"$kb_tmp/verdicts"
# Every file compared, or the comparison itself failed.
if [ "$rc" -ne 0 ] || [ "$seen" -ne ${#FILES[@]} ]; then
	not_ok "CPython: $seen of ${#FILES[@]} files compared (cpython_compare.py exit status $rc)"
	show "$kb_tmp/compare.err" compare
fi
kb_done
