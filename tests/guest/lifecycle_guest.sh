#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest test (root, kbridge.ko loaded): the module's objects over the
# lifetime of their users, checked against /sys/kernel/debug/kbridge/objects
# (live sessions, members, rule sets) and the kernel log:
#  - rmmod while sessions run: refused, and the programs go on with right
#    answers (a kblaunch'd program deciding in the kernel; a session whose
#    last file was closed while its members live); rmmod works after, also
#    retried in a loop while the last member exits;
#  - the creator of a session exits first: its members keep the policy,
#    and everything is freed when the last one exits;
#  - members (short-lived threads and children) exit while 4 threads keep
#    replacing the policy (.output/tests/lifecycle_helper churn);
#  - a fork bomb in a session, as an unprivileged user under RLIMIT_NPROC:
#    the bomb gets EAGAIN, the module holds no more members than there are
#    processes, and nothing is left once it is over;
#  - every Nth allocation of the module failing (fail_every = 2 ... 29):
#    sessions, joins, rules, stats and kblaunch fail cleanly (ENOMEM),
#    and forks and threads of members never fail (their members are the
#    spares allocated before);
#  - 1000 session create/join/set-rules/close cycles leave the module's
#    counters exactly as before and the slab caches within a tolerance.
# No BUG/WARNING/Oops in the kernel log; the module ends loaded as it was
# at the start, with fail_every 0 and /dev/kbridge's owner and mode as
# they were. Prints TAP. The C side is tests/guest/lifecycle_helper.c.
set -u
cd "$(dirname "$0")/../.." || exit 2

ko=./kbridge.ko
H=.output/tests/lifecycle_helper
K=.output/kblaunch
P=.output/tests/progs
OBJ=/sys/kernel/debug/kbridge/objects
PARAMS=/sys/module/kbridge/parameters
CYCLES=${KB_LIFECYCLE_CYCLES:-1000}
NPROC=40		# the bomb's RLIMIT_NPROC
BOMB_UID=65534		# nobody
BOMB_GID=64222		# a group of its own, given /dev/kbridge for the test
# Slab objects a cache may gain over the cycles without a leak; see the
# slab section below for why this many.
SLAB_TOLERANCE=${KB_SLAB_TOLERANCE:-300}

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { # description command...
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
show() { printf '%s\n' "$1" | sed '/^$/d; s/^/# /' | head -n "${2:-20}"; }

# shellcheck source=tests/lib/module_common.sh
. "$(dirname "$0")/../lib/module_common.sh"
load() { kb_load "$ko"; }
set_fail() { [ -w "$PARAMS/fail_every" ] && echo "$1" >"$PARAMS/fail_every"; }

# "S M R P W": live sessions, members, rule sets, spare members and
# watched execs, or why there are none; closed_sessions: of the sessions,
# those whose file is closed.
objs() {
	[ -r "$OBJ" ] || { echo "no $OBJ"; return; }
	awk '$1 == "sessions" { s = $2 } $1 == "members" { m = $2 }
	     $1 == "rulesets" { r = $2 } $1 == "spares" { p = $2 }
	     $1 == "watched" { w = $2 }
	     END { if (s == "" || m == "" || r == "" || p == "" || w == "")
			print "unreadable";
		   else print s, m, r, p, w }' "$OBJ"
}
closed_sessions() { awk '$1 == "closed" { print $2 }' "$OBJ" 2>/dev/null; }
# Frees come after an RCU grace period, exits after the reaping: wait.
objs_zero() {
	[ -r "$OBJ" ] || return 1
	for _ in $(seq 100); do
		[ "$(objs)" = "0 0 0 0 0" ] && return 0
		sleep 0.1
	done
	return 1
}
check_zero() { # what
	if objs_zero; then
		ok "$1: objects back to 0 0 0 0 0"
	else
		not_ok "$1: objects $(objs), want 0 0 0 0 0"
	fi
}

# Kernel log lines since line $1 that no test may provoke.
check_log() { # since what
	local bad
	bad=$(kb_log_since "$1")
	if [ -z "$bad" ]; then
		ok "$2: kernel log free of BUG/WARNING/Oops"
	else
		not_ok "$2: kernel log"
		show "$bad"
	fi
}

# A program with its stdin and stdout on fifos: fd $pin writes to it,
# fd $pout reads from it; $bg is its pid.
proc_start() {
	rm -f "$tmp/in" "$tmp/out"
	mkfifo "$tmp/in" "$tmp/out" || return 1
	"$@" <"$tmp/in" >"$tmp/out" 2>"$tmp/err" &
	bg=$!
	exec {pin}>"$tmp/in" {pout}<"$tmp/out"
}
getline() { line=; read -r -t "${1:-60}" -u "$pout" line; }
ask() { echo "$1" >&"$pin"; getline; }
# Close its stdin, collect the rest of its output into $rest.
proc_end() {
	exec {pin}>&-
	rest=
	while getline 60; do rest+="$line"$'\n'; done
	exec {pout}<&-
}

# The time each part took, as a comment when the next one starts.
part_name='' part_start=$SECONDS
part() {
	[ -n "$part_name" ] && echo "# $part_name: $((SECONDS - part_start)) s"
	part_name=$1 part_start=$SECONDS
}

tmp=$(mktemp -d)
chmod 755 "$tmp"
dev_owner=
was_loaded=0
kb_loaded && was_loaded=1
cleanup() {
	set_fail 0 2>/dev/null
	if [ -n "$dev_owner" ] && [ -c /dev/kbridge ]; then
		set -- $dev_owner
		chown "$1:$2" /dev/kbridge
		chmod "$3" /dev/kbridge
	fi
	[ -n "${bg:-}" ] && kill -9 "$bg" 2>/dev/null
	if [ "$was_loaded" = 1 ]; then load; elif kb_loaded; then rmmod kbridge; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ] || [ ! -f "$ko" ] || [ ! -x "$H" ]; then
	echo "1..0 # SKIP needs root, $ko and $H (make guest-build tests)"
	exit 0
fi
load || { not_ok "kbridge.ko loaded"; exit 1; }
log_start=$(dmesg | wc -l)
start_objs=$(objs)
if [ "$start_objs" = "0 0 0 0 0" ]; then
	ok "$OBJ reads 0 0 0 0 0 with no session"
else
	not_ok "$OBJ: '$start_objs' with no session"
fi

# --- rmmod under a kblaunch'd program deciding in the kernel ---------
part "rmmod under kblaunch"
printf 'getppid fake 4242\n' >"$tmp/fake.profile"
proc_start "$K" --profile "$tmp/fake.profile" --report "$tmp/r.json" -- \
	"$P/live_getppid" 4
getline
ready=$line
ask "expect 4242"
a1=$line
rm_out=$(rmmod kbridge 2>&1)
rm_rc=$?
ask "expect 4242"
a2=$line
echo quit >&"$pin"
proc_end
wait "$bg"
rc=$?
bg=
# totals.fastpath, without a python start-up (seconds under TCG)
fast=$(tr -d '\n' <"$tmp/r.json" | sed -n 's/.*"totals": *{[^}]*"fastpath": *\([0-9]*\).*/\1/p')
echo "# kblaunch: '$ready', '$a1', rmmod $rm_rc ($rm_out), '$a2', exit $rc, $fast decided in the kernel"
if [ "$rm_rc" -ne 0 ] && kb_loaded && [ -c /dev/kbridge ]; then
	ok "rmmod refused while a kblaunch'd program runs"
else
	not_ok "rmmod refused while a kblaunch'd program runs"
	load
fi
if [ "$a1" = "expect 4242: ok 4" ] && [ "$a2" = "expect 4242: ok 4" ] &&
	[ "$rc" -eq 0 ] && [ "${fast:-0}" -gt 0 ]; then
	ok "the program's 4 threads keep their fake getppid across the refused rmmod, in the kernel"
else
	not_ok "the kblaunch'd program across the refused rmmod"
	show "$(cat "$tmp/err")"
fi
check_zero "kblaunch ended"
if rmmod kbridge && load; then
	ok "rmmod and insmod once the program has ended"
else
	not_ok "rmmod and insmod once the program has ended"
	load
fi

# --- the creator exits first; then its last file closes -------------
part "creator first, closed file"
# hold_run MODE: the creator forks a member (main thread + one thread)
# and exits; sets $armed and checks what holds while the member runs.
hold_run() {
	local mode=$1 o1 o2 a1 t1 rm_rc
	proc_start "$H" hold $mode
	getline
	set -- $line
	armed=${4:-0}
	wait "$bg"
	local crc=$?
	bg=${2:-}
	if [ "$1" != ready ] || [ "$crc" -ne 0 ]; then
		not_ok "hold $mode: the member is ready and its creator exited (got '$line', creator $crc)"
		show "$(cat "$tmp/err")"
		proc_end
		return 1
	fi
	o1=$(objs)
	closed=$(closed_sessions)
	held=$(find /proc/[0-9]*/fd -lname /dev/kbridge 2>/dev/null | wc -l)
	rm_rc=
	if [ "$mode" = close ]; then
		rmmod kbridge 2>/dev/null
		rm_rc=$?
		kb_loaded || load
	fi
	ask c
	a1=$line
	ask t
	t1=$line
	o2=$(objs)
	proc_end
	echo "# hold $mode: objects '$o1' with 2 members, '$o2' with 1; $held open files; rmmod ${rm_rc:-not tried}; '$a1'; '$t1'; at exit: $(echo $rest)"
	if [ "$armed" != 1 ]; then
		skip "hold $mode: members keep the policy" "fast path hook not armed: with no file, nothing else decides"
	elif [ "$a1" = "calls 600 bad 0 sigsys 0" ] &&
		[ "${t1% bad 0}" != "$t1" ] && [ "$rest" = $'exit bad 0\n' ]; then
		ok "hold $mode: both members keep the policy after the creator exited (stub and fake in the kernel)"
	else
		not_ok "hold $mode: the members' answers after the creator exited"
	fi
	set -- $o1
	local s1=$1 m1=${2:-}
	set -- $o2
	if [ "$s1" = 1 ] && [ "$m1" = 2 ] && [ "$1" = 1 ] && [ "${2:-}" = 1 ]; then
		ok "hold $mode: the session lives with 2, then 1 member"
	else
		not_ok "hold $mode: objects '$o1' then '$o2', want '1 2 R' then '1 1 R'"
	fi
	if [ "$mode" = close ]; then
		if [ "$held" -eq 0 ] && [ "$closed" = 1 ] && [ "$rm_rc" -ne 0 ]; then
			ok "hold close: no file of the session left open (1 closed session), and rmmod is refused while its members live"
		else
			not_ok "hold close: $held files open, ${closed:-?} closed sessions, rmmod status $rm_rc (want 0, 1, refused)"
		fi
	fi
	check_zero "hold $mode: the last member exited"
}
hold_run keep
hold_run close
if rmmod kbridge && load; then
	ok "rmmod and insmod once the members have exited"
else
	not_ok "rmmod and insmod once the members have exited"
	load
fi

part "rmmod against the last exit"
# rmmod in a loop while the last member of a closed session exits: the
# session ends (from a workqueue) and lets go of the module in between.
since=$(dmesg | wc -l)
race_bad=
for round in 1 2; do
	proc_start "$H" hold close
	getline
	wait "$bg"
	bg=
	[ "${line%% *}" = ready ] || { race_bad="round $round: '$line'"; proc_end; break; }
	exec {pin}>&-
	end=$(($(date +%s) + 20))
	until rmmod kbridge 2>/dev/null; do
		[ "$(date +%s)" -gt "$end" ] && break
	done
	unloaded=$(kb_loaded || echo yes)
	rest=
	while getline 30; do rest+="$line"$'\n'; done
	exec {pout}<&-
	load
	if [ "$unloaded" != yes ] || [ "$rest" != $'exit bad 0\n' ]; then
		race_bad="round $round: unloaded '$unloaded', member said '$rest'"
		break
	fi
done
if [ -z "$race_bad" ]; then
	ok "rmmod retried while the last member exits: unloads once the session has ended, 2 rounds"
else
	not_ok "rmmod retried while the last member exits: $race_bad"
fi
check_log "$since" "rmmod against the last member's exit"

# --- members exit while the policy changes ---------------------------
part "churn"
since=$(dmesg | wc -l)
out=$(timeout "$(kb_t 120)" "$H" churn 2 2>&1)
rc=$?
show "$out"
if [ "$rc" -eq 0 ]; then
	ok "short-lived threads and children exit during policy updates: every call counted once, every answer a version's"
else
	not_ok "churn: exit status $rc"
fi
check_zero "churn"
check_log "$since" "churn"

# --- a fork bomb under RLIMIT_NPROC, as nobody -----------------------
part "fork bomb"
since=$(dmesg | wc -l)
dev_owner=$(stat -c '%u %g %a' /dev/kbridge)
chgrp "$BOMB_GID" /dev/kbridge && chmod 0660 /dev/kbridge
cp "$H" "$tmp/helper" && chmod 755 "$tmp/helper"
proc_start prlimit --nproc="$NPROC" setpriv --reuid="$BOMB_UID" \
	--regid="$BOMB_GID" --clear-groups -- "$tmp/helper" bomb
getline 90
sat=$line
set -- $sat
alive=${3:-0}
members=$(objs)
members=$(echo "$members" | awk '$2 ~ /^[0-9]+$/ { print $2 }')
procs=$(grep -l "^Uid:[[:space:]]*${BOMB_UID}[[:space:]]" /proc/[0-9]*/status 2>/dev/null | wc -l)
echo stop >&"$pin"
proc_end
wait "$bg"
rc=$?
bg=
echo "# bomb: '$sat'; $procs processes of uid $BOMB_UID, $members members; then: $(echo $rest), exit $rc"
show "$(cat "$tmp/err")" 5
if [ "$1" = saturated ] && [ "${5:-0}" -gt 0 ] && [ "$procs" -le "$NPROC" ] &&
	[ "$procs" -gt 1 ]; then
	ok "the bomb hit EAGAIN at RLIMIT_NPROC=$NPROC ($procs processes)"
else
	not_ok "the bomb did not saturate at RLIMIT_NPROC=$NPROC: '$sat', $procs processes"
fi
if [ -n "$members" ] && [ "$members" -le "$procs" ] && [ -n "$alive" ] &&
	[ "$members" -eq $((alive + 1)) ]; then
	ok "the module holds $members members for $procs processes"
else
	not_ok "members '$members' for $procs processes ($alive bombers + 1)"
fi
set -- $rest
if [ "$rc" -eq 0 ] && [ "${1:-}" = "done" ] && [ "${3:-x}" = "${5:-y}" ] &&
	[ "${3:-0}" -ge "$alive" ]; then
	ok "the bomb stopped and every process it made was reaped"
else
	not_ok "the bomb's end: exit $rc, '$rest' (want every process it made reaped)"
fi
check_zero "bomb"
check_log "$since" "bomb"
set -- $dev_owner
chown "$1:$2" /dev/kbridge && chmod "$3" /dev/kbridge
dev_owner=

# --- every Nth allocation fails --------------------------------------
part "fault injection"
since=$(dmesg | wc -l)
if [ ! -w "$PARAMS/fail_every" ] || [ ! -r "$PARAMS/fault_injected" ]; then
	not_ok "fault injection: no $PARAMS/fail_every and fault_injected"
	for _ in 1 2 3; do not_ok "fault injection: not run"; done
else
	inj0=$(cat "$PARAMS/fault_injected")
	bad=0
	for nth in 2 3 7 11 29; do
		out=$(timeout "$(kb_t 120)" "$H" oom "$nth" 6 2>&1)
		rc=$?
		show "$out"
		[ "$rc" -eq 0 ] || bad=$((bad + 1))
	done
	set_fail 0
	if [ "$bad" -eq 0 ]; then
		ok "fail_every 2, 3, 7, 11, 29: create, join, rules and stats succeed or fail cleanly, all or nothing; forks and threads of members succeed"
	else
		not_ok "fault injection: $bad of 5 runs saw an unclean failure (or none at all)"
	fi
	# kblaunch: the program's answer, kblaunch's ENOMEM error (status 1),
	# the runtime's (127, errno 12), or SIGKILL for an unallocatable task.
	printf 'getppid fake 7\n' >"$tmp/kl.profile"
	kl_ok=0 kl_err=0 kl_kill=0 kl_bad=0
	for nth in 2 3 7 13; do
		for opt in "" --no-fastpath; do
			set_fail "$nth"
			# shellcheck disable=SC2086
			o=$(timeout "$(kb_t 60)" "$K" $opt --profile "$tmp/kl.profile" -- \
				"$P/static_getppid" 50 2>"$tmp/kerr")
			rc=$?
			set_fail 0
			e=$(head -c 300 "$tmp/kerr")
			if [ "$rc" -eq 3 ] && [ "$o" = "done" ]; then
				kl_ok=$((kl_ok + 1))
			elif [ "$rc" -eq 1 ] &&
				grep -q '^kblaunch: .*Cannot allocate memory' "$tmp/kerr"; then
				kl_err=$((kl_err + 1))
			elif [ "$rc" -eq 127 ] && grep -q 'kblaunch: runtime: .*errno 12' "$tmp/kerr"; then
				kl_err=$((kl_err + 1))
			elif [ "$rc" -eq 137 ]; then
				kl_kill=$((kl_kill + 1))
			else
				kl_bad=$((kl_bad + 1))
				echo "# kblaunch $opt under fail_every=$nth: status $rc, out '$o', err: $e"
			fi
		done
	done
	echo "# kblaunch under fault injection: $kl_ok ran, $kl_err clean errors, $kl_kill killed, $kl_bad otherwise"
	if [ "$kl_bad" -eq 0 ]; then
		ok "kblaunch under fail_every: runs, fails with a clean error, or is killed"
	else
		not_ok "kblaunch under fail_every: $kl_bad unclean outcomes"
	fi
	inj1=$(cat "$PARAMS/fault_injected")
	echo "# fault_injected $inj0 -> $inj1"
	if [ "$inj1" -gt "$inj0" ] && [ "$(cat "$PARAMS/fail_every")" = 0 ]; then
		ok "faults were injected ($((inj1 - inj0))), fail_every is 0 again"
	else
		not_ok "fault_injected $inj0 -> $inj1, fail_every $(cat "$PARAMS/fail_every")"
	fi
fi
check_zero "fault injection"
check_log "$since" "fault injection"

# --- slab counts across session cycles -------------------------------
part "slab cycles"
# The caches watched: kb_member's (under the name of the cache SLUB merged
# it into, if it did) and every kmalloc cache, which the module's
# sessions, rule tables, rule sets and globs come from (kmalloc-cg-*:
# they are accounted to the caller's memory cgroup).
declare -A SLAB
member_cache=
watched=
while read -r name _; do
	case $name in
	kmalloc-*) watched+="$name " ;;
	*) [ -e /sys/kernel/slab/kb_member ] &&
		[ /sys/kernel/slab/"$name" -ef /sys/kernel/slab/kb_member ] &&
		member_cache=$name ;;
	esac
done < <(tail -n +3 /proc/slabinfo)
[ -n "$member_cache" ] && watched+="$member_cache"
echo "# kb_member objects are counted in slab cache '${member_cache:-?}'"
# slab_read KEY: active objects of every cache into SLAB[KEY:NAME], the
# per-CPU allocator's kB into SLAB[KEY:Percpu], objects per slab into
# PERSLAB[NAME]. SLUB counts the free objects of per-CPU slabs as active:
# shrinking first hands them back, and of three reads the lowest count
# is kept (an allocation between the shrink and the read takes a slab
# back to a CPU). Builtins only, so that no process of this test
# allocates in between.
declare -A PERSLAB
slab_read() {
	local c name act per round
	for round in 1 2 3; do
		for c in $watched; do
			echo 1 >"/sys/kernel/slab/$c/shrink"
		done 2>/dev/null
		{
			read -r _
			read -r _
			while read -r name act _ _ per _; do
				if [ "$round" = 1 ] ||
					[ "$act" -lt "${SLAB[$1:$name]}" ]; then
					SLAB[$1:$name]=$act
				fi
				PERSLAB[$name]=$per
			done
		} </proc/slabinfo
	done
	while read -r name act _; do
		[ "$name" = Percpu: ] && SLAB[$1:Percpu]=$act
	done </proc/meminfo
}
# slab_diff A B: "NAME BEFORE AFTER DELTA PER-SLAB" of each watched cache
# that moved
slab_diff() {
	local c b a
	for c in $watched Percpu; do
		b=${SLAB[$1:$c]:-0}
		a=${SLAB[$2:$c]:-0}
		[ "$a" -ne "$b" ] && echo "$c $b $a $((a - b)) ${PERSLAB[$c]:-0}"
	done
}
objs_zero
o0=$(objs)
# What the kernel does by itself in a second, for comparison.
slab_read idle0
sleep 1
slab_read idle1
slab_read before
t0=$(date +%s.%N)
out=$(timeout "$(kb_t 300)" "$H" cycles "$CYCLES" 2>&1)
rc=$?
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
objs_zero
o1=$(objs)
# RCU frees of the last cycles' objects, then the same second of rest.
sleep 1
slab_read after
if [ "$rc" -eq 0 ]; then
	ok "$CYCLES cycles of open, create, join a child, set rules, close (${secs}s)"
else
	not_ok "$CYCLES cycles: exit status $rc"
	show "$out"
fi
if [ "$o0" = "0 0 0 0 0" ] && [ "$o1" = "0 0 0 0 0" ]; then
	ok "module counters exactly back after $CYCLES cycles ($o0 -> $o1)"
else
	not_ok "module counters: '$o0' before $CYCLES cycles, '$o1' after"
fi
slab_diff idle0 idle1 | awk '{ printf "# idle second: %s %d -> %d (%+d)\n", $1, $2, $3, $4 }'
moved=$(slab_diff before after)
printf '%s\n' "$moved" | awk 'NF { printf "# %d cycles: %s %d -> %d (%+d)\n", c, $1, $2, $3, $4 }' c="$CYCLES"
# A leak of one object per cycle shows as $CYCLES more objects in some
# cache (and one session's per-CPU counters as 4 kB per CPU per cycle).
# What moves meanwhile without a leak: objects the rest of the system
# allocates or frees (the helper's process, this shell's commands, /proc
# and /sys reads, RCU frees in flight) and SLUB's per-CPU slabs, whose
# free objects count as active: a whole slab's worth appears or goes
# when a CPU takes a slab between our shrink and our read (kmalloc-8
# went from 2175 to 1714 in an idle second of this guest, one slab of
# 512). Only growth is a leak. A cache may grow by at most 300 objects
# or one slab, whichever is more: 512 at most for the kmalloc caches,
# half a leak of one object per cycle. Percpu counts the allocator's
# populated pages, which it gives back only when a chunk empties (+168 kB
# seen here after the cycles): it may grow by 1 MB, an eighth of what
# 1000 sessions' per-CPU counters (8 kB each on 2 CPUs) would leave.
over=$(printf '%s\n' "$moved" | awk -v t="$SLAB_TOLERANCE" '
	!NF { next }
	$1 == "Percpu" { if ($4 > 1024) print; next }
	$1 == "kb_member" && $4 != 0 { print; next }	# unmerged: ours alone
	$4 > (t > $5 ? t : $5) { print }')
if [ -z "$over" ]; then
	ok "no slab cache grew by more than max($SLAB_TOLERANCE, a slab) active objects, per-CPU memory by more than 1 MB"
else
	not_ok "slab counts moved after $CYCLES cycles"
	show "$over"
fi

# --- the end ----------------------------------------------------------
part ""
check_log "$log_start" "whole run"
trap - EXIT
cleanup
if [ "$was_loaded" = 1 ] && kb_loaded && [ -c /dev/kbridge ]; then
	ok "kbridge.ko loaded, as at the start"
else
	not_ok "kbridge.ko not in its starting state"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
