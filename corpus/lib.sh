# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the corpus's workloads: the helpers of kbctl analyze's own
# workloads (tests/workloads/lib.sh: a temp dir, free ports, bounded
# waits, wl_get, wl_wrk, the end of what the workload started), and
# CORPUS_DATA, the folder an application's setup script filled.
# shellcheck source=tests/workloads/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tests/workloads/lib.sh"
: "${CORPUS_DATA:?corpus workloads run under corpus/corpus.py, which sets CORPUS_DATA}"

# wl_run SECS CMD...: CMD's output (stdout and stderr) in wl_out; fails
# with it when CMD fails or runs longer than SECS seconds (Loupe's T for
# the application, where it had one).
wl_run() {
	local secs=$1
	shift
	wl_out=$(timeout -k 1 "$secs" "$@" 2>&1) || {
		printf '%s\n' "$wl_out" | tail -n 5 >&2
		wl_fail "$1 failed"
	}
}

# wl_has TEXT: wl_out contains TEXT (a grep -E pattern), or the
# workload fails.
wl_has() {
	grep -Eq -- "$1" <<<"$wl_out" || {
		printf '%s\n' "$wl_out" | tail -n 5 >&2
		wl_fail "no '$1' in the output"
	}
}
