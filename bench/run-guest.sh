#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the rows of bench/rows, BENCH_REPS times each, and print one
# machine-readable line per measurement. Meant to run as root inside the
# QEMU guest (bench/bench.sh boots it once), where it loads the freshly
# built kbridge.ko unless one is already loaded; runs anywhere else too,
# the rows that need the module then read n/a.
#
# usage: bench/run-guest.sh [ROWS-FILE]
# env:   BENCH_REPS (5);
#        BENCH_ITERS: iterations of the fastest rows (a row gets
#          BENCH_ITERS / its divisor); unset or empty: each row is
#          calibrated by a short run so that one repetition takes about
#          BENCH_REP_MS (500) milliseconds;
#        BENCH_ONLY (a grep -E pattern: only the rows whose name matches)
#
# Output lines (everything else is a log):
#   BENCH|env|KEY=VALUE...
#   BENCH|ok|NAME|REP|NS_PER_CALL|ITERS
#   BENCH|na|NAME|REASON
#   BENCH|fail|NAME|REP|REASON
# Exit status 0 when no row failed.
set -u
cd "$(dirname "$0")/.." || exit 2

rows_file=${1:-bench/rows}
reps=${BENCH_REPS:-5}
iters=${BENCH_ITERS:-}
rep_ms=${BENCH_REP_MS:-500}
only=${BENCH_ONLY:-}
for v in "$reps" "${iters:-1}" "$rep_ms"; do
	case $v in ''|*[!0-9]*|0) echo "$0: BENCH_REPS, BENCH_ITERS and BENCH_REP_MS must be positive integers" >&2; exit 2 ;; esac
done

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
export BOUT=$PWD/.output/bench
# PostgreSQL's newest installed version, for the initdb rows.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
export PGBIN=${PGBIN:-/usr/lib/postgresql/none/bin}
export SYSBENCH=$BOUT/syscall_bench
export KBLAUNCH=$PWD/.output/kblaunch
export PROFILES=$PWD/bench/profiles
tmp=$(mktemp -d)
export REPORT=$tmp/report.json
# openat's file: in mktemp's directory, a tmpfs in the guest (the repo
# is on 9p there, where every open would be a round trip to the host).
export BFILE=$tmp/openat-file
head -c 4096 /dev/zero >"$BFILE"
loaded=0 dmesg_before=0
# shellcheck disable=SC2317 # run from the EXIT trap
cleanup() {
	rm -rf "$tmp"
	if [ "$loaded" = 1 ] && grep -q '^kbridge ' /proc/modules; then
		rmmod kbridge || echo "BENCH|env|rmmod=failed"
	fi
}
trap cleanup EXIT

if [ ! -x "$SYSBENCH" ]; then
	echo "$0: $SYSBENCH missing: make -C bench" >&2
	exit 2
fi

# ---- the module ----
# No /proc/modules: a kernel without module support (the build machine).
if [ ! -e /dev/kbridge ] && [ -e /proc/modules ] && [ "$(id -u)" -eq 0 ]; then
	ko=
	for f in ./kbridge.ko .output/module/kbridge.ko; do
		[ -f "$f" ] && { ko=$f; break; }
	done
	if [ -n "$ko" ]; then
		dmesg_before=$(dmesg 2>/dev/null | wc -l)
		if insmod "$ko"; then
			loaded=1
			# bench/with-hook.sh reloads it with another hook.
			export KB_KO=$ko
		else
			echo "BENCH|env|insmod=failed"
		fi
	fi
fi
kbinfo=
[ -e /dev/kbridge ] && kbinfo=$("$BOUT/kbinfo" 2>&1)
echo "BENCH|env|kernel=$(uname -r)|cpus=$(nproc)|reps=$reps|iters=${iters:-calibrated}|rep_ms=$rep_ms|kbridge=${kbinfo:-none}"

have_opt() { # --option: kblaunch lists it in --help
	"$KBLAUNCH" --help 2>/dev/null | grep -qE -- "(^|[ ,])$1([ =[]|\$)"
}

# unmet NEEDS: print why a row cannot run, nothing if it can
unmet() {
	local n IFS=,
	for n in $1; do
		n=${n//\$BOUT/$BOUT}
		n=${n//\$PGBIN/$PGBIN}
		case $n in
		-|'') ;;
		module) [ -e /dev/kbridge ] || { echo "no /dev/kbridge"; return; } ;;
		fastpath)
			case $kbinfo in
			*fastpath=armed*) ;;
			*fastpath=*) echo "module fast path ${kbinfo##*fastpath=}"; return ;;
			*) echo "module status unknown"; return ;;
			esac ;;
		reload) [ "$loaded" = 1 ] || { echo "kbridge.ko was not loaded by this runner (cannot reload it)"; return; } ;;
		opt:*) have_opt "${n#opt:}" || { echo "option missing: kblaunch ${n#opt:}"; return; } ;;
		exe:*) [ -x "${n#exe:}" ] || { echo "not built: ${n#exe:}"; return; } ;;
		*) echo "unknown need '$n'"; return ;;
		esac
	done
}

trim() {
	local s=$1
	s=${s#"${s%%[![:space:]]*}"}
	printf '%s' "${s%"${s##*[![:space:]]}"}"
}

# ---- the rows ----
names=() refs=() divs=() checks=() keys=() cmds=() runnable=()
while IFS='|' read -r name ref div needs check key cmd || [ -n "$name" ]; do
	name=$(trim "$name")
	case $name in ''|'#'*|'@'*) continue ;; esac
	if [ -n "$only" ] && ! printf '%s\n' "$name" | grep -qE -- "$only"; then
		echo "BENCH|na|$name|not selected (BENCH_ONLY)"
		continue
	fi
	div=$(trim "$div")
	case $div in -) ;; ''|*[!0-9]*|0) echo "$0: $rows_file: row '$name': bad divisor '$div'" >&2; exit 2 ;; esac
	names+=("$name") refs+=("$(trim "$ref")") divs+=("$div")
	checks+=("$(trim "$check")") keys+=("$(trim "$key")") cmds+=("$(trim "$cmd")")
	why=$(unmet "$(trim "$needs")")
	if [ -n "$why" ]; then
		echo "BENCH|na|$name|$why"
		runnable+=(0)
	else
		runnable+=(1)
	fi
done <"$rows_file"
[ ${#names[@]} -gt 0 ] || { echo "$0: no rows to run" >&2; exit 2; }

# check_report SPEC ITERS: the --report file shows what the row claims
check_report() {
	local spec=$1 path action nr=getppid
	[ "$spec" = - ] && return 0
	IFS=: read -r _ path action nr <<<"$spec"
	"$PY" bench/check_report.py "$REPORT" --syscall "${nr:-getppid}" \
		--min-calls "$2" --path "$path" --action "$action"
}

# run_cmd CMD N REPORT-CHECK: sets $result to the command's stdout, or
# to "FAIL reason", and $secs to how long it took
run_cmd() {
	local rc why t0
	rm -f "$REPORT"
	t0=$(date +%s.%N)
	N=$2 timeout -k 5 600 bash -c "$1" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	if [ "$rc" -ne 0 ]; then
		result="FAIL exit status $rc: $(tr '\n' ' ' <"$tmp/err" | cut -c1-300)"
	elif ! why=$(check_report "$3" "$2" 2>&1); then
		result="FAIL $(printf '%s' "$why" | tr '\n' ' ')"
	else
		result=$(cat "$tmp/out")
	fi
}

# value KEY OUTPUT: the last KEY=NUMBER in OUTPUT
value() {
	printf '%s\n' "$2" | grep -oE "(^|[[:space:]])$1=[0-9.]+" | tail -n 1 | sed 's/.*=//'
}

# Iterations per row: fixed, or from a short calibration run. Rows with
# the same command and divisor share one count, hence one run per
# repetition: the values of paired rows come from the same process.
failed=0
counts=()
declare -A calibrated=()
for i in "${!names[@]}"; do
	counts[i]=1
	[ "${runnable[$i]}" = 1 ] || continue
	[ "${divs[$i]}" = - ] && continue
	if [ -n "${calibrated["${divs[$i]} ${cmds[$i]}"]+x}" ]; then
		counts[i]=${calibrated["${divs[$i]} ${cmds[$i]}"]}
		continue
	fi
	if [ -n "$iters" ]; then
		counts[i]=$((iters / ${divs[$i]}))
		[ "${counts[$i]}" -gt 0 ] || counts[i]=1
		continue
	fi
	probe=$((20000 / ${divs[$i]}))
	[ "$probe" -ge 200 ] || probe=200
	run_cmd "${cmds[$i]}" "$probe" "${checks[$i]}"
	out=$result
	ns=$(value "${keys[$i]}" "$out")
	if [ "${out#FAIL }" != "$out" ] || [ -z "$ns" ]; then
		echo "BENCH|fail|${names[$i]}|0|calibration run (N=$probe): ${out#FAIL }"
		runnable[i]=0
		failed=1
		continue
	fi
	# Two significant digits, so that the counts read well in the table.
	counts[i]=$(awk -v ms="$rep_ms" -v ns="$ns" 'BEGIN {
		n = ms * 1e6 / (ns > 0 ? ns : 1)
		if (n < 1000) n = 1000
		if (n > 50000000) n = 50000000
		p = 10 ^ (int(log(n) / log(10)) - 1)
		printf "%d", int(n / p + 0.5) * p }')
	calibrated["${divs[$i]} ${cmds[$i]}"]=${counts[$i]}
	echo "# calibrated: ${names[$i]}: ${ns} ns per call at N=$probe -> N=${counts[$i]}"
done

declare -A out_of=()
for ((rep = 1; rep <= reps; rep++)); do
	# Commands shared by several rows run once per repetition.
	out_of=()
	for i in "${!names[@]}"; do
		[ "${runnable[$i]}" = 1 ] || continue
		name=${names[$i]}
		n=${counts[$i]}
		cache_key="$n ${cmds[$i]}"
		if [ -z "${out_of[$cache_key]+x}" ]; then
			run_cmd "${cmds[$i]}" "$n" "${checks[$i]}"
			out_of[$cache_key]=$result
			echo "# rep $rep/$reps: $name (N=$n): ${secs}s"
		fi
		out=${out_of[$cache_key]}
		if [ "${out#FAIL }" != "$out" ]; then
			echo "BENCH|fail|$name|$rep|${out#FAIL }"
			runnable[i]=0
			failed=1
			continue
		fi
		ns=$(value "${keys[$i]}" "$out")
		n_run=$(value iters "$out")
		if [ -z "$ns" ]; then
			echo "BENCH|fail|$name|$rep|no ${keys[$i]}= in its output: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-200)"
			runnable[i]=0
			failed=1
			continue
		fi
		echo "BENCH|ok|$name|$rep|$ns|${n_run:-$n}"
	done
done

if [ "$loaded" = 1 ]; then
	bad=$(dmesg | tail -n +"$((dmesg_before + 1))" | grep -E 'BUG:|WARNING:|Oops|general protection|Call Trace')
	if [ -n "$bad" ]; then
		printf '%s\n' "$bad" | sed 's/^/# dmesg: /'
		echo "BENCH|env|dmesg=dirty"
		failed=1
	fi
fi
exit "$failed"
