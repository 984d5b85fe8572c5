#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbctl analyze on real applications, on the host (no module: kblaunch
# decides in process): redis-server, nginx, memcached, python3, sort (of
# coreutils) and sqlite3, each under its workload in tests/workloads/,
# with the group method and one replica. For each application:
#  - the analysis exits 0 and its generated profile passes;
#  - analysis.json holds together and so does generated.profile
#    (tests/lib/analyze_check.py consistent);
#  - the facts any correct analysis must find: the application does not
#    call execve (the workload's shell execs it, before its policy
#    applies, and none of these execs a program); all are dynamically
#    linked, so ld.so's openat, read and mmap of the libraries and its
#    arch_prctl (the thread pointer) are required; a server's socket,
#    bind, listen, epoll_wait and the syscalls that read requests and
#    write answers are required; so are the syscalls whose effect a
#    workload checks (python3's rename, unlink, getdents64; the output
#    writes);
#  - the generated profile, applied by hand (kblaunch --only APP
#    --profile), lets the workload pass, every line of it in force
#    (tests/lib/analyze_check.py in-force).
# For redis and sqlite3, --exhaustive (Loupe's method, one syscall at a
# time) runs too, and the two methods must give every syscall, command
# and pseudo-file the same class.
#
# The analyses run ANALYZE_JOBS at a time (default 2): much of an
# analysis is spent waiting out runs that a stub made hang, with the CPUs
# idle. An application whose package is missing is skipped. KBCTL=PATH
# tests another kbctl (with the kblaunch next to it, as kbctl itself
# does); WL_WAIT and WL_QUICK (tests/workloads/lib.sh) give the workloads
# more time on a slow machine. Prints TAP.
set -u
KBOPT=
# Before kblaunch_common.sh changes to the repository's root.
[ -n "${KBCTL:-}" ] && KBCTL=$(realpath "$KBCTL")
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"
C=${KBCTL:-$PWD/.output/kbctl}
K=$(dirname "$C")/kblaunch
W=$PWD/tests/workloads
JOBS=${ANALYZE_JOBS:-2}
t_start=$EPOCHREALTIME

if [ ! -x "$C" ] || [ ! -x "$K" ]; then
	not_ok "kbctl and kblaunch are built (make), or KBCTL names them"
	kb_done
	exit 1
fi

# Per application: the commands its workload needs (the first is the
# application), the syscalls it must need beyond ld.so's, kbctl options.
apps=(redis nginx memcached python3 coreutils sqlite3)
declare -A cmds req opts app
cmds[redis]="redis-server redis-benchmark redis-cli"
cmds[nginx]="nginx curl wrk"
cmds[memcached]="memcached"
cmds[python3]=$PY
cmds[coreutils]="sort"
cmds[sqlite3]="sqlite3"
# redis and memcached read requests with read, one of ld.so's.
req[redis]="socket bind listen epoll_wait accept4 write"
req[nginx]="socket bind listen epoll_wait recvfrom writev"
req[memcached]="socket bind listen epoll_wait sendmsg"
req[python3]="write rename unlink getdents64"
req[coreutils]="write"
req[sqlite3]="write pwrite64"
# sqlite3.sh (shared with tests/host/analyze_host.sh) bounds itself at 5 s:
# -t ends its runs that a stub makes hang sooner (natively 30 ms).
opts[sqlite3]="-t 3"
# Its two methods must see the same job. Without a vDSO (the default) a
# faked gettimeofday leaves redis's timeval as the stack happened to hold
# it, which differs between a test alone and a test in a group.
opts[redis]="--vdso=keep"
dyn_req="openat read mmap arch_prctl"
exhaustive=(redis sqlite3)
# The workloads' temp dirs, here: a run killed by kbctl's time limit
# cannot remove its own.
export TMPDIR=$kb_tmp/tmp
# make check runs this beside a guest: a server's start under kblaunch
# can then take longer than the workloads' 1 s default (a baseline of
# nginx failed at 1.1 s), and every analysis needs its baseline to pass.
export WL_WAIT=${WL_WAIT:-3}
mkdir -p "$TMPDIR"

missing() { # NAME: the first of NAME's commands that is not installed
	local c
	for c in ${cmds[$1]}; do
		command -v "$c" >/dev/null 2>&1 || { echo "$c"; return; }
	done
}
for a in "${apps[@]}"; do
	[ -z "$(missing "$a")" ] && app[$a]=$(command -v "${cmds[$a]%% *}")
done

# analyze NAME METHOD: kbctl analyze of NAME's application under its
# workload into $kb_tmp/NAME-METHOD{,.out,.err,.rc}.
analyze() {
	local a=$1 method=$2 d=$kb_tmp/$1-$2 x=
	[ "$method" = exhaustive ] && x=--exhaustive
	# shellcheck disable=SC2086 # opts are words
	PYTHON=$PY "$C" analyze $x ${opts[$a]:-} --app "${app[$a]}" -o "$d" -r 1 -- \
		"$W/$a.sh" >"$d.out" 2>"$d.err"
	echo $? >"$d.rc"
}

# Longest first, JOBS at a time.
queue=()
for a in nginx redis memcached sqlite3 python3 coreutils; do
	[ -n "${app[$a]:-}" ] || continue
	queue+=("$a groups")
	[[ " ${exhaustive[*]} " == *" $a "* ]] && queue+=("$a exhaustive")
done
printf '# %d analyses, %d at a time:' "${#queue[@]}" "$JOBS"
printf ' %s,' "${queue[@]}" | sed 's/,$/\n/'
running=0
for q in "${queue[@]}"; do
	if [ "$running" -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
	# shellcheck disable=SC2086 # "name method"
	analyze $q &
	running=$((running + 1))
done
wait

# aj DIR EXPR: EXPR of DIR/analysis.json (a), evaluated by python3.
aj() {
	"$PY" -S -c 'import json, sys
a = json.load(open(sys.argv[1] + "/analysis.json"))
print(eval(sys.argv[2]))' "$@"
}
# summary DIR: "R runs in T s: N required, ..." for TAP lines.
summary() {
	aj "$1" '"%d runs in %.0f s: %d required, %d stub, %d fake, %d either" % (a["runs"], a["wall_seconds"], a["classes"]["required"], a["classes"]["stub"], a["classes"]["fake"], a["classes"]["either"])'
}
# classes DIR: "name class" for each syscall of DIR/analysis.json and
# "name condition class" for each command and pseudo-file, sorted.
classes() {
	"$PY" -S -c 'import json, sys
a = json.load(open(sys.argv[1] + "/analysis.json"))
for s in a["syscalls"]:
    print(s["name"], s["class"])
for s in a.get("subfeatures", []) + a.get("pseudo_files", []):
    print(s["name"], s["condition"], s["class"])' "$1" | sort
}
check() { "$PY" -S "$PWD/tests/lib/analyze_check.py" "$@"; }

for a in "${apps[@]}"; do
	m=$(missing "$a")
	if [ -n "$m" ]; then
		need "$a: kbctl analyze" "$m"
		continue
	fi
	d=$kb_tmp/$a-groups
	rc=$(cat "$d.rc")
	if [ "$rc" -eq 0 ] && grep -q 'generated.profile passes$' "$d.out" &&
	   [ -s "$d/analysis.json" ]; then
		ok "$a: kbctl analyze --app ${app[$a]} (groups, -r 1): $(summary "$d"); the generated profile passes"
	else
		not_ok "$a: kbctl analyze --app ${app[$a]}: exit status $rc"
		show "$d.out" stdout
		grep -v ': ok, ' "$d.err" >"$d.fails"
		show "$d.fails" stderr
		continue
	fi

	if got=$(check consistent "$d" "${app[$a]}" groups 2>&1); then
		ok "$a: analysis.json and generated.profile consistent: $got"
	else
		not_ok "$a: analysis.json or generated.profile inconsistent"
		printf '%s\n' "$got" >"$d.bad"
		show "$d.bad" inconsistent
	fi

	classes "$d" >"$d.classes"
	bad=
	grep -q '^execve ' "$d.classes" && bad=" execve made"
	for s in $dyn_req ${req[$a]}; do
		grep -qx "$s required" "$d.classes" ||
			bad="$bad $s $(sed -n "s/^$s \([a-z]*\)$/\1/p" "$d.classes")"
	done
	if [ -z "$bad" ]; then
		ok "$a: no execve among its $(aj "$d" 'len(a["syscalls"])') syscalls; required: $dyn_req ${req[$a]}"
	else
		not_ok "$a: wrong:$bad"
	fi

	# The profile by hand, as a user would apply it, in the environment
	# the analysis ran the workload in. A faked call that leaves a buffer
	# unwritten (sort's ld.so and newfstatat) makes the program read
	# whatever its own earlier code left on the stack, which moves with
	# the environment and from run to run: sort's profile once failed
	# here in one CI run and passed in the next. The analysis now
	# confirms its profile in four environments (kbctl analyze's
	# KBRIDGE_ANALYZE_PAD) and drops such a fake.
	rep=$d/by-hand.json
	PYTHON=$PY timeout -k 5 120 "$K" --only "${app[$a]}" --profile "$d/generated.profile" \
		--report "$rep" -- "$W/$a.sh" >"$d.hand.out" 2>"$d.hand.err"
	rc=$?
	got=$(check in-force "$d/generated.profile" "$rep" 2>&1)
	frc=$?
	if [ "$rc" -eq 0 ] && [ "$frc" -eq 0 ]; then
		ok "$a: the workload passes under kblaunch --only APP --profile generated.profile, every line in force ($got)"
	else
		not_ok "$a: under the generated profile: exit status $rc; $got"
		show "$d.hand.err" stderr
		show "$d.hand.out" stdout
		"$PY" -c 'import json, sys
j = json.load(open(sys.argv[1]))
print("report: exit %s, last_changed %s" % (j.get("exit"), j.get("last_changed")))' "$rep" 2>&1 |
			sed 's/^/# /'
	fi
done

for a in "${exhaustive[@]}"; do
	[ -n "${app[$a]:-}" ] || continue
	g=$kb_tmp/$a-groups x=$kb_tmp/$a-exhaustive
	rc=$(cat "$x.rc")
	if [ "$rc" -ne 0 ] || [ "$(cat "$g.rc")" -ne 0 ]; then
		not_ok "$a: --exhaustive exit status $rc, groups $(cat "$g.rc")"
		grep -v ': ok, ' "$x.err" >"$x.fails"
		show "$x.fails" stderr
		continue
	fi
	classes "$g" >"$g.classes"
	classes "$x" >"$x.classes"
	gr=$(aj "$g" '"%d runs (%.0f s)" % (a["runs"], a["wall_seconds"])')
	xr=$(aj "$x" '"%d runs (%.0f s)" % (a["runs"], a["wall_seconds"])')
	n=$(aj "$g" 'len(a["syscalls"])')
	f=$(($(wc -l <"$g.classes") - n))
	if cmp -s "$g.classes" "$x.classes"; then
		ok "$a: groups agree with --exhaustive on $n syscalls and $f commands or pseudo-files: $gr vs $xr"
	else
		not_ok "$a: groups disagree with --exhaustive: $gr vs $xr (< groups, > exhaustive)"
		diff "$g.classes" "$x.classes" | grep '^[<>]' | sed 's/^/# /'
	fi
done

echo "# analyze_apps_host: $(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s, $JOBS analyses at a time"
kb_done
