#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# exec_bench.sh [-k | -i] sh N | initdb: what exec-heavy work costs,
# natively, or under kblaunch with the module (its default profile, every
# exec followed): -k with its runtime in the program, which every exec
# re-enters; -i with --in-kernel, no runtime, execs the kernel's own.
# Prints ns_per_call=X iters=N:
#   sh N    a shell running N execs of /bin/true one after the other;
#           X is the wall time per exec (the shell's own start included,
#           spread over the N)
#   initdb  PostgreSQL's initdb (a few dozen execs of postgres, each
#           with forks) of a new cluster, as nobody, as its users run
#           it (it refuses root); X is its wall time, iters=1
# Fails unless every exec ran (/bin/true's count from the shell) or
# initdb exited 0 and wrote the cluster's PG_VERSION.
set -u
cd "$(dirname "$0")/.." || exit 2
K=${KBLAUNCH:-$PWD/.output/kblaunch}
under=()
case ${1:-} in
-k) under=("$K" --); shift ;;
-i) under=("$K" --in-kernel --); shift ;;
esac
now() { date +%s%N; }

case ${1:-} in
sh)
	n=${2:-}
	case $n in ''|*[!0-9]*|0) echo "exec_bench: sh needs a positive count" >&2; exit 2 ;; esac
	# Counts its own execs: a /bin/true that did not run is not counted.
	t0=$(now)
	got=$("${under[@]}" /bin/sh -c 'i=0 ok=0
while [ "$i" -lt "$1" ]; do /bin/true && ok=$((ok + 1)); i=$((i + 1)); done
echo "$ok"' sh "$n")
	t1=$(now)
	if [ "$got" != "$n" ]; then
		echo "exec_bench: $got of $n execs of /bin/true ran" >&2
		exit 1
	fi
	echo "ns_per_call=$(((t1 - t0) / n)) iters=$n"
	;;
initdb)
	bin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
	if [ ! -x "$bin/initdb" ]; then
		echo "exec_bench: no PostgreSQL initdb (tests/run/install-deps.sh installs it)" >&2
		exit 2
	fi
	d=$(mktemp -d /tmp/kbinitdb.XXXXXX) || exit 1
	mode=$(stat -c %a /dev/kbridge 2>/dev/null)
	restore() {
		[ -n "$mode" ] && chmod "$mode" /dev/kbridge
		rm -rf "$d"
	}
	trap restore EXIT
	# nobody must reach kblaunch and the module: a copy in the
	# world-readable directory, the node opened up for the run.
	chmod 755 "$d" && chown 65534:65534 "$d" || exit 1
	if [ ${#under[@]} -gt 0 ]; then
		cp "$K" "$d/kblaunch" && chmod 755 "$d/kblaunch" || exit 1
		under[0]=$d/kblaunch
		[ -n "$mode" ] && chmod 666 /dev/kbridge
	fi
	t0=$(now)
	setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		"${under[@]}" "$bin/initdb" -D "$d/data" -A trust -U kb --no-sync \
		>"$d/log" 2>&1
	rc=$?
	t1=$(now)
	if [ "$rc" -ne 0 ] || [ ! -s "$d/data/PG_VERSION" ]; then
		echo "exec_bench: initdb exited $rc" >&2
		tail -n 20 "$d/log" >&2
		exit 1
	fi
	echo "ns_per_call=$((t1 - t0)) iters=1"
	;;
*)
	sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
