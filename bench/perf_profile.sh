#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Where the time of one syscall goes, configuration by configuration:
# `perf record` (cpu-clock sampling: the guest has no PMU under TCG)
# around syscall_bench, then the kernel and user symbols that took the
# most samples. Answers the "where does the time go" of a missed target
# (bench/README.md); runs in the guest as root with kbridge.ko loaded
# (make bench-perf boots it), or anywhere for the rows that need no
# module.
#
# usage: bench/perf_profile.sh [-s SYSCALL] [-n ITERS] [-t TOP] [CONFIG...]
#   CONFIG: native, seccomp-allow, seccomp-errno, sud (a bare SUD+SIGSYS
#           handler), pass, stub, fake (kblaunch with the module's fast
#           path), ioctl (kblaunch --no-fastpath: SIGSYS and KB_IOC_SYSCALL);
#           default: native seccomp-allow pass stub
set -u
cd "$(dirname "$0")/.." || exit 2

sys=getppid iters=300000 top=15
while getopts s:n:t:h o; do
	case $o in
	s) sys=$OPTARG ;;
	n) iters=$OPTARG ;;
	t) top=$OPTARG ;;
	*) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(native seccomp-allow pass stub)

B=.output/bench/syscall_bench
K=.output/kblaunch
P=bench/profiles
for f in "$B" "$K"; do
	[ -x "$f" ] || { echo "perf_profile: $f missing (make bench builds it)" >&2; exit 2; }
done
command -v perf >/dev/null || { echo "perf_profile: no perf (bench/install-deps.sh installs linux-perf)" >&2; exit 2; }
tmp=$(mktemp -d)
loaded=0
# shellcheck disable=SC2317 # run from the EXIT trap
cleanup() {
	rm -rf "$tmp"
	[ "$loaded" = 1 ] && rmmod kbridge
}
trap cleanup EXIT
if [ ! -e /dev/kbridge ] && [ -f ./kbridge.ko ] && [ -e /proc/modules ]; then
	insmod ./kbridge.ko && loaded=1
fi

args=(-s "$sys" -n "$iters")
[ "$sys" = openat ] && { head -c 4096 /dev/zero >"$tmp/file"; args+=(-f "$tmp/file"); }
pf=$sys
rc=0
for c in "${configs[@]}"; do
	case $c in
	native|seccomp-allow|seccomp-errno|sud) cmd=("$B" "${args[@]}" -m "$c") ;;
	ioctl) cmd=("$K" --no-fastpath --profile "$P/passthrough.profile" -- "$B" "${args[@]}") ;;
	pass) cmd=("$K" --profile "$P/passthrough.profile" -- "$B" "${args[@]}") ;;
	stub) cmd=("$K" --profile "$P/$pf-stub.profile" -- "$B" "${args[@]}" -e errno:38) ;;
	fake) cmd=("$K" --profile "$P/$pf-fake.profile" -- "$B" "${args[@]}" -e value:0) ;;
	*) echo "perf_profile: unknown configuration '$c'" >&2; exit 2 ;;
	esac
	case $c in pass|stub|fake|ioctl)
		[ -e /dev/kbridge ] || { echo "== $c: n/a (no /dev/kbridge)"; continue; } ;;
	esac
	if ! out=$(perf record -q -e cpu-clock -F 4000 -o "$tmp/$c.data" -- "${cmd[@]}" 2>"$tmp/err"); then
		echo "== $c: FAILED"
		sed 's/^/#   /' "$tmp/err"
		rc=1
		continue
	fi
	echo "== $c: $(grep -o 'ns_per_call=[0-9.]*' <<<"$out")"
	# Self time per symbol, over the command and what it started.
	perf report -q -i "$tmp/$c.data" --no-children \
		--sort sym --stdio 2>/dev/null | grep '%' | head -n "$top"
done
exit "$rc"
