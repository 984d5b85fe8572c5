# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced (bash) by the kbctl analyze workloads in this directory: a temp
# dir, free loopback ports, bounded waits, and the end of everything the
# workload started, however it exits.
#
# Under kbctl analyze the server is the application under test and may
# have any syscall stubbed or faked: it may die at once, never listen,
# accept and never answer, or ignore the request to stop. So every wait
# here is bounded (WL_WAIT seconds, a whole number, default 1: natively
# each takes a few milliseconds; raise it on a slow machine), notices a
# server that died, and the EXIT trap kills what is left, by pid. The
# processes stay in the workload's session, so that kbctl's own time
# limit (which kills the session) takes them too.

WL_WAIT=${WL_WAIT:-1}
# The bound of a step that does real work (a benchmark, a client's few
# hundred requests: 0.1 to 0.3 s natively or under kblaunch).
# shellcheck disable=SC2034 # for the workloads
WL_LONG=$((2 * WL_WAIT))
# The bound of one answer (a PING, a page; seconds, may be a fraction):
# natively a few milliseconds. A server that a stub left unable to answer
# is the commonest failure of an analysis: each costs this much.
# shellcheck disable=SC2034 # for the workloads
WL_QUICK=${WL_QUICK:-0.5}
# The helper python for ports and clients: the real binary, not a PATH
# wrapper (a pyenv shim is a bash script, slow to start).
WL_PY=/usr/bin/python3
[ -x "$WL_PY" ] || WL_PY=python3
wl_pids=()
# Files whose last lines go to stderr when the workload fails (kbctl
# keeps that in runs/ID.err): the servers' logs.
wl_logs=()
wl_tmp=$(mktemp -d) || exit 1

# wl_kill PID: stop PID (so that it cannot fork again: an nginx master
# replaces a dead worker), kill its children, then it.
wl_kill() {
	local c
	kill -STOP "$1" 2>/dev/null || return 0
	for c in $(pgrep -P "$1"); do
		wl_kill "$c"
	done
	kill -KILL "$1" 2>/dev/null
}

# wl_ours PID: PID is still a child of this shell (a server that died
# early was reaped, and its number may since have gone to another).
wl_ours() {
	local s ppid
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	read -r _ ppid _ <<<"${s##*) }"
	[ "$ppid" = "$$" ]
}

wl_cleanup() {
	local p
	for p in "${wl_pids[@]}"; do
		wl_ours "$p" && wl_kill "$p"
		# Reaped here, bash's "Killed" notice goes nowhere.
		wait "$p" 2>/dev/null
	done
	rm -rf "$wl_tmp"
}

wl_exit() {
	local st=$? f
	if [ "$st" -ne 0 ]; then
		for f in "${wl_logs[@]}"; do
			[ -s "$f" ] && tail -n 5 "$f" | sed "s|^|${f##*/}: |" >&2
		done
	fi
	wl_cleanup
	exit "$st"
}
trap wl_exit EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

# wl_step NAME: the workload has reached step NAME (one word, as kbctl
# analyze lists it). Under kbctl analyze (KBCTL_ANALYZE_STEPS names the
# file it reads), a run that stays in a step far longer than any passing
# run did there ends as failing at once, rather than at the end of the
# step's own bound: a step before each wait that a broken application can
# make long (a port that never opens, an answer that never comes) saves
# most of what a failing run costs.
wl_step() {
	[ -z "${KBCTL_ANALYZE_STEPS-}" ] ||
		printf '%s\n' "$1" >>"$KBCTL_ANALYZE_STEPS"
}

# wl_fail MSG: say why on stderr (kbctl keeps it in runs/ID.err), exit 1.
wl_fail() {
	echo "workload: $*" >&2
	exit 1
}

# free_port: a loopback TCP port nobody listens on now (the kernel's
# choice for port 0), so that parallel runs do not collide.
free_port() {
	"$WL_PY" -S -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# wl_start CMD...: CMD in the background, remembered for the cleanup;
# its pid in wl_pid.
wl_start() {
	"$@" &
	wl_pid=$!
	wl_pids+=("$wl_pid")
}

# wl_wait_port PORT [PID]: wait until something accepts connections on
# 127.0.0.1:PORT; 1 when PID ended first or WL_WAIT seconds passed.
wl_wait_port() {
	local t0=$EPOCHREALTIME
	while ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
		[ -z "${2-}" ] || kill -0 "$2" 2>/dev/null || return 1
		wl_elapsed "$t0" "$WL_WAIT" && return 1
		sleep 0.01
	done
}

# wl_ask PORT REQUEST: send REQUEST (a line, CRLF added) on a new
# connection to 127.0.0.1:PORT and print the first line of the answer,
# CR removed; 1 when none came within WL_QUICK seconds.
wl_ask() {
	local line
	{
		exec 3<>"/dev/tcp/127.0.0.1/$1" &&
		printf '%s\r\n' "$2" >&3 &&
		IFS= read -r -t "$WL_QUICK" line <&3
	} 2>/dev/null || return 1
	exec 3<&-
	printf '%s\n' "${line%$'\r'}"
}

# wl_elapsed T0 SECS: 0 when more than SECS seconds have passed since
# EPOCHREALTIME was T0.
wl_elapsed() {
	local now=${EPOCHREALTIME//[.,]/} then=${1//[.,]/}
	[ $((now - then)) -gt $(($2 * 1000000)) ]
}

# wl_wait_exit PID: wait (up to WL_WAIT seconds) for PID to end; its
# exit status in wl_status, or "hung" (after killing it, returning 1) if
# it did not end.
# shellcheck disable=SC2034 # wl_status is for the workload
wl_wait_exit() {
	local t0=$EPOCHREALTIME
	while kill -0 "$1" 2>/dev/null; do
		if wl_elapsed "$t0" "$WL_WAIT"; then
			wl_kill "$1"
			wait "$1" 2>/dev/null
			wl_forget "$1"
			wl_status=hung
			return 1
		fi
		sleep 0.01
	done
	wait "$1"
	wl_status=$?
	wl_forget "$1"
}

# wl_forget PID: PID has been waited for: not ours to kill any more (its
# number may be reused).
wl_forget() {
	local p keep=()
	for p in "${wl_pids[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	wl_pids=("${keep[@]}")
}

# wl_get URL FILE: curl fetches URL (within WL_QUICK seconds); it must be
# FILE byte for byte.
wl_get() {
	timeout -k 1 "$WL_QUICK" curl -sSf -o "$wl_tmp/got" "$1" ||
		wl_fail "curl $1 failed"
	cmp -s "$wl_tmp/got" "$2" || wl_fail "$1 differs from $2"
}

# wl_wrk URL [SECONDS]: wrk (1 thread, 2 connections, default 1 s) on
# URL must complete 10 requests or more, with no socket error and no
# non-2xx answer; its requests/s in wl_rps.
# shellcheck disable=SC2034 # wl_rps is for the workload
wl_wrk() {
	local d=${2:-1} reqs
	timeout -k 1 $((WL_WAIT + d)) wrk -t 1 -c 2 -d "${d}s" --timeout 1s "$1" \
		>"$wl_tmp/wrk" 2>&1 || { cat "$wl_tmp/wrk" >&2; wl_fail "wrk failed"; }
	reqs=$(sed -n 's/^ *\([0-9][0-9]*\) requests in .*/\1/p' "$wl_tmp/wrk")
	wl_rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\)$/\1/p' "$wl_tmp/wrk")
	if [ -z "$reqs" ] || [ "$reqs" -lt 10 ] || [ -z "$wl_rps" ] ||
	   grep -qE 'Socket errors|Non-2xx' "$wl_tmp/wrk"; then
		cat "$wl_tmp/wrk" >&2
		wl_fail "wrk: '$reqs' requests, or errors"
	fi
}
