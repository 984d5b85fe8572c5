# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the corpus's workloads: the helpers of kbctl analyze's own
# workloads (tests/workloads/lib.sh: a temp dir, free ports, bounded
# waits, wl_get, wl_wrk, the end of what the workload started), and
# CORPUS_DATA, the folder an application's setup script filled.
# The bound of a server's start: 3 s (tests/workloads/' default is 1),
# as a big program read from a cold disk (node: 100 MB) starts slowly in
# an analysis's first run, its baseline, which must pass.
WL_WAIT=${WL_WAIT:-3}
# The bound of one answer: 2 s (tests/workloads/' default is 0.5), for
# the same first run, when a server's first answer comes from a cold
# cache (caddy's baseline once took longer than 0.5 s).
WL_QUICK=${WL_QUICK:-2}
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

# wl_wait_log FILE PATTERN [PID]: wait (up to WL_WAIT seconds) until a
# line of FILE matches PATTERN (grep -E), for a server that a probe of
# its port would disturb; 1 when PID ended first or time ran out.
wl_wait_log() {
	local t0=$EPOCHREALTIME
	until grep -Eq -- "$2" "$1" 2>/dev/null; do
		[ -z "${3-}" ] || kill -0 "$3" 2>/dev/null || return 1
		wl_elapsed "$t0" "$WL_WAIT" && return 1
		sleep 0.01
	done
}

# wl_docroot DIR: a document root with index.html, 30 KiB of text new
# each run (what a client gets must be this file).
wl_docroot() {
	mkdir -p "$1" && head -c 22500 /dev/urandom | base64 >"$1/index.html"
}

# wl_http PORT DOCROOT [PID]: a web server on PORT serving DOCROOT: it
# must accept connections (unless PID ends first), give index.html byte
# for byte, and complete wrk's second of load (Loupe's HTTP workloads:
# wrk, for 2 to 10 s). The requests/s in wl_rps.
wl_http() {
	wl_wait_port "$1" "${3-}" || wl_fail "nothing listening on $1"
	wl_step listening
	wl_get "http://127.0.0.1:$1/index.html" "$2/index.html"
	wl_step served
	wl_wrk "http://127.0.0.1:$1/index.html"
	wl_step loaded
}

# wl_http_says PORT TEXT [PID]: the same for a server whose / answers
# TEXT (an application's hello-world).
wl_http_says() {
	local body
	wl_wait_port "$1" "${3-}" || wl_fail "nothing listening on $1"
	wl_step listening
	body=$(timeout -k 1 "$WL_QUICK" curl -sSf "http://127.0.0.1:$1/")
	[ "$body" = "$2" ] || wl_fail "body '$body', not '$2'"
	wl_step served
	wl_wrk "http://127.0.0.1:$1/"
	wl_step loaded
}
