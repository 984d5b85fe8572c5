#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbctl rule in the guest (root, module loaded): a rule added with kbctl
# puts a program started by sh under its profile, with no kblaunch; kbctl
# rule list shows it with the programs under it, kbctl ps lists it under
# its profile and kbctl stats --rule counts its syscalls; a profile that
# needs a runtime is refused with a reason, and runs through kblaunch with
# --runtime; an unprivileged user cannot add a global rule; after kbctl
# rule del, new execs are untouched. Prints TAP.
set -u
KBOPT=
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"
C=.output/kbctl

kb_require_guest "kbctl and tests/progs are built" "$C" "$P/exec_getppid" || exit 1

d=$kb_tmp/x
mkdir -p "$d/match" "$d/other"
chmod -R 755 "$kb_tmp"
cp "$P/exec_getppid" "$d/match/app"
cp "$P/exec_getppid" "$d/other/app"
printf 'getppid stub ESRCH\n' >"$kb_tmp/legacy.profile"
printf 'openat when path=/etc/* stub EACCES\n' >"$kb_tmp/runtime.profile"

id=$("$C" rule add --path "$d/match/*" --profile "$kb_tmp/legacy.profile" \
	--global 2>"$kb_tmp/err")
rc=$?
if [ "$rc" -eq 0 ] && [ -n "$id" ]; then
	ok "kbctl rule add --path --profile --global: rule $id"
else
	not_ok "kbctl rule add --path --profile --global (exit $rc)"
	show "$kb_tmp/err" stderr
fi

DBG=/sys/kernel/debug/kbridge/exec
field() { awk -v k="$1" '$1 == k { print $2 }' "$DBG"; }
l0=$(field lookups) t0=$(field lookup_ns)
out=$(sh -c "$d/match/app; $d/other/app")
case $out in
"getppid -3"$'\n'"getppid "[0-9]*) ok "sh starts the matched program under the profile, the other natively" ;;
*) not_ok "sh starts the matched program under the profile, the other natively (got '$out')" ;;
esac
l1=$(field lookups) t1=$(field lookup_ns)
# sh, then the two programs: three lookups, each taking some time.
if [ -n "$l0" ] && [ $((l1 - l0)) -ge 3 ] && [ "$t1" -gt "$t0" ]; then
	ok "debugfs kbridge/exec: $((l1 - l0)) lookups, $(((t1 - t0) / (l1 - l0))) ns each"
else
	not_ok "debugfs kbridge/exec counts the lookups (${l0:-none} -> ${l1:-none}, ${t0:-none} -> ${t1:-none} ns)"
fi

# A program under the rule, waiting: list counts it.
mkfifo "$kb_tmp/in"
"$d/match/app" wait <"$kb_tmp/in" >"$kb_tmp/waiting" &
w=$!
exec {in}>"$kb_tmp/in"
sleep 0.5
"$C" rule list >"$kb_tmp/list" 2>&1
line=$(grep "^$id " "$kb_tmp/list")
if echo "$line" | grep -q "path $d/match/\* *legacy *global *[1-9][0-9]* *1 *2 "; then
	ok "kbctl rule list: the rule, its personality, session, the 1 program under it, 2 execs"
else
	not_ok "kbctl rule list: the rule, its personality, session, the 1 program under it, 2 execs"
	show "$kb_tmp/list" list
fi
session=$(echo "$line" | awk '{print $6}')
"$C" ps >"$kb_tmp/ps" 2>&1
if grep -q "^legacy *$id *$session *$w *root *1 *app *-$" "$kb_tmp/ps"; then
	ok "kbctl ps: the waiting program under its profile, rule and session"
else
	not_ok "kbctl ps: the waiting program under its profile, rule and session"
	show "$kb_tmp/ps" ps
fi
"$C" ps --json --rule "$id" >"$kb_tmp/ps.json" 2>&1
if python3 -c 'import json,sys
j=json.load(open(sys.argv[1]))["processes"]
assert [(p["pid"],p["profile"],p["rule"],p["session"],p["exec_rule"],p["comm"],len(p["threads"])) for p in j]==[(int(sys.argv[2]),"legacy",int(sys.argv[3]),int(sys.argv[4]),True,"app",1)], j' \
	"$kb_tmp/ps.json" "$w" "$id" "$session"; then
	ok "kbctl ps --json --rule $id: only that program, with its threads"
else
	not_ok "kbctl ps --json --rule $id"
	show "$kb_tmp/ps.json" json
fi
[ "$("$C" ps --rule $((id + 1000)) | wc -l)" -eq 1 ] &&
	ok "kbctl ps --rule of another rule: no process" ||
	not_ok "kbctl ps --rule of another rule: no process"
"$C" status "$w" >/dev/null 2>"$kb_tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "PID $w runs under exec rule $id (legacy, session $session)" "$kb_tmp/err" &&
	ok "kbctl status of a rule's program says which rule, and where to look" ||
	{ not_ok "kbctl status of a rule's program (exit $rc)"; show "$kb_tmp/err" stderr; }
echo x >&"$in"
exec {in}>&-
wait "$w"
[ "$(cat "$kb_tmp/waiting")" = "getppid -3" ] && ok "the waiting program got the stub" ||
	not_ok "the waiting program got the stub (got '$(cat "$kb_tmp/waiting")')"

# The eBPF counters see the rule's session: kbctl stats --rule.
PIN=/sys/fs/bpf/kbridge
[ -d "$PIN" ] && "$C" stats --bpf unload >/dev/null 2>&1
if "$C" stats --bpf load >/dev/null 2>"$kb_tmp/err"; then
	for i in 1 2 3; do "$d/match/app" >/dev/null; done
	"$C" stats --rule "$id" --json >"$kb_tmp/stats.json" 2>"$kb_tmp/err"
	if python3 -c 'import json,sys
j=json.load(open(sys.argv[1]))
assert j["scope"]=="session" and j["session"]==int(sys.argv[2]), j
g=[r for r in j["syscalls"] if r["name"]=="getppid"]
assert [(r["action"],r["path"],r["count"]) for r in g]==[("stub","kernel",3)], g' \
		"$kb_tmp/stats.json" "$session"; then
		ok "kbctl stats --rule $id: the 3 getppid stubs of its programs, decided in the kernel"
	else
		not_ok "kbctl stats --rule $id"
		show "$kb_tmp/stats.json" json
		show "$kb_tmp/err" stderr
	fi
	"$C" stats --bpf unload >/dev/null 2>&1
else
	not_ok "kbctl stats --bpf load"
	show "$kb_tmp/err" stderr
fi

"$C" rule add --osabi 97 --profile "$kb_tmp/runtime.profile" --global \
	>/dev/null 2>"$kb_tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "need kblaunch's runtime (add --runtime)" "$kb_tmp/err" &&
	ok "a profile with path conditions is refused, saying why" ||
	{ not_ok "a profile with path conditions is refused (exit $rc)"; show "$kb_tmp/err" stderr; }

# With --runtime, the same profile runs through kblaunch: its path
# conditions apply, and the program is listed under the profile's name.
mkdir -p "$d/rt"
cp "$(command -v cat)" "$d/rt/cat"
rid=$("$C" rule add --path "$d/rt/*" --profile "$kb_tmp/runtime.profile" \
	--global --runtime 2>"$kb_tmp/err")
rc=$?
if [ "$rc" -eq 0 ] && [ -n "$rid" ]; then
	ok "kbctl rule add --runtime: rule $rid"
else
	not_ok "kbctl rule add --runtime (exit $rc)"
	show "$kb_tmp/err" stderr
fi
"$C" rule list >"$kb_tmp/list" 2>&1
if grep -q "^$rid *path $d/rt/\* *runtime *global,runtime *- *0 *0 *0$" "$kb_tmp/list" &&
	grep -q "^ *runs: $(realpath .output/kblaunch) --profile $(realpath "$kb_tmp/runtime.profile") -- PROGRAM ARGS...$" "$kb_tmp/list"; then
	ok "kbctl rule list: the runtime rule and the command it runs"
else
	not_ok "kbctl rule list: the runtime rule and the command it runs"
	show "$kb_tmp/list" list
fi
out=$(sh -c "$d/rt/cat /etc/hostname" 2>&1)
rc=$?
case $rc:$out in
1:*"Permission denied"*) ok "a --runtime rule's program gets the profile's path condition (EACCES)" ;;
*) not_ok "a --runtime rule's program gets the profile's path condition (exit $rc, '$out')" ;;
esac
out=$(sh -c "$d/rt/cat $kb_tmp/legacy.profile; cat /etc/hostname >/dev/null && echo native" 2>&1)
[ "$out" = "getppid stub ESRCH"$'\n'"native" ] &&
	ok "other paths pass, and cat elsewhere is untouched" ||
	not_ok "other paths pass, and cat elsewhere is untouched (got '$out')"
mkfifo "$kb_tmp/rtin"
"$d/rt/cat" <"$kb_tmp/rtin" >/dev/null &
rw=$!
exec {in}>"$kb_tmp/rtin"
for _ in $(seq 50); do
	"$C" ps --name runtime >"$kb_tmp/ps" 2>&1
	[ "$(wc -l <"$kb_tmp/ps")" -gt 1 ] && break
	sleep 0.1
done
if grep -q "^runtime *- *[1-9][0-9]* *[0-9]* *root *1 " "$kb_tmp/ps"; then
	ok "kbctl ps --name runtime: the program kblaunch runs for the rule"
else
	not_ok "kbctl ps --name runtime: the program kblaunch runs for the rule"
	show "$kb_tmp/ps" ps
fi
exec {in}>&-
wait "$rw"
"$C" rule list >"$kb_tmp/list" 2>&1
grep -q "^$rid .* - *0 *3 *0$" "$kb_tmp/list" &&
	ok "kbctl rule list: the runtime rule matched 3 execs" ||
	{ not_ok "kbctl rule list: the runtime rule matched 3 execs"; show "$kb_tmp/list" list; }
"$C" rule del "$rid" 2>/dev/null

node=$(stat -c '%a' /dev/kbridge)
chmod 666 /dev/kbridge
setpriv --reuid=65534 --regid=65534 --clear-groups -- "$C" rule add \
	--osabi 97 --profile "$kb_tmp/legacy.profile" --global >/dev/null 2>"$kb_tmp/err"
rc=$?
chmod "$node" /dev/kbridge
[ "$rc" -eq 1 ] && grep -q "needs CAP_SYS_ADMIN" "$kb_tmp/err" &&
	ok "an unprivileged user cannot add a global rule (needs CAP_SYS_ADMIN)" ||
	{ not_ok "an unprivileged user cannot add a global rule (exit $rc)"; show "$kb_tmp/err" stderr; }

# A note naming the personality, added with objcopy.
python3 -c 'import struct,sys
n=b"kbridge.personality\0"; d=b"legacy\0"
p=lambda b: b+b"\0"*(-len(b)%4)
sys.stdout.buffer.write(struct.pack("<III",len(n),len(d),1)+p(n)+p(d))' >"$kb_tmp/note"
objcopy --add-section .note.kbridge.personality="$kb_tmp/note" \
	"$d/other/app" "$d/other/noted"
nid=$("$C" rule add --elf-note kbridge.personality --name legacy \
	--profile "$kb_tmp/legacy.profile" --global 2>"$kb_tmp/err")
out=$(sh -c "$d/other/noted; $d/other/app")
case $out in
"getppid -3"$'\n'"getppid "[0-9]*) ok "kbctl rule add --elf-note: the program with the note is under the profile" ;;
*) not_ok "kbctl rule add --elf-note: the program with the note is under the profile (got '$out')"; show "$kb_tmp/err" stderr ;;
esac
"$C" rule list | grep -q "^$nid *note kbridge.personality *legacy" &&
	ok "kbctl rule list shows the note rule" || not_ok "kbctl rule list shows the note rule"
"$C" rule del "$nid" 2>/dev/null

# --elf-note without --profile: a rule per profile, so that the note
# alone picks the profile; one that needs the runtime is skipped, saying so.
mkdir -p "$kb_tmp/profiles"
cp "$kb_tmp/legacy.profile" "$kb_tmp/profiles/legacy.profile"
printf 'getppid fake 77\n' >"$kb_tmp/profiles/alt.profile"
cp "$kb_tmp/runtime.profile" "$kb_tmp/profiles/paths.profile"
python3 -c 'import struct,sys
n=b"kbridge.personality\0"; d=b"alt\0"
p=lambda b: b+b"\0"*(-len(b)%4)
sys.stdout.buffer.write(struct.pack("<III",len(n),len(d),1)+p(n)+p(d))' >"$kb_tmp/note2"
objcopy --add-section .note.kbridge.personality="$kb_tmp/note2" \
	"$d/other/app" "$d/other/noted-alt"
KB_PROFILE_PATH=$kb_tmp/profiles "$C" rule add --elf-note kbridge.personality \
	--global >"$kb_tmp/ids" 2>"$kb_tmp/err"
rc=$?
out=$(sh -c "$d/other/noted; $d/other/noted-alt; $d/other/app")
if [ "$rc" -eq 0 ] && grep -q "^[0-9]* alt$" "$kb_tmp/ids" &&
	grep -q "^[0-9]* legacy$" "$kb_tmp/ids" && ! grep -q " paths$" "$kb_tmp/ids" &&
	grep -q "skipped $kb_tmp/profiles/paths.profile: its path conditions need kblaunch's runtime (add --runtime)" "$kb_tmp/err"; then
	ok "kbctl rule add --elf-note without --profile: a rule per profile ($(wc -l <"$kb_tmp/ids")), the runtime one skipped"
else
	not_ok "kbctl rule add --elf-note without --profile (exit $rc)"
	show "$kb_tmp/ids" ids
	show "$kb_tmp/err" stderr
fi
case $out in
"getppid -3"$'\n'"getppid 77"$'\n'"getppid "[0-9]*) ok "each program's note picks its profile" ;;
*) not_ok "each program's note picks its profile (got '$out')" ;;
esac
while read -r rid_ _; do "$C" rule del "$rid_"; done <"$kb_tmp/ids"

# A passthrough profile (no entry at all): the program runs as it would,
# its syscalls counted.
pid_=$("$C" rule add --path "$d/other/app" --profile profiles/passthrough.profile \
	--global 2>"$kb_tmp/err")
out=$("$d/other/app")
calls=$("$C" rule list | awk -v id="$pid_" '$1 == id { print $NF }')
case $out:${calls:-0} in
"getppid "[1-9]*:[1-9]*) ok "a passthrough rule: the program runs natively, $calls syscalls counted" ;;
*) not_ok "a passthrough rule (got '$out', ${calls:-no} calls)"; show "$kb_tmp/err" stderr ;;
esac
"$C" rule del "$pid_" 2>/dev/null

"$C" rule del "$id" 2>"$kb_tmp/err" && ok "kbctl rule del $id" ||
	{ not_ok "kbctl rule del $id"; show "$kb_tmp/err" stderr; }
out=$("$d/match/app")
case $out in
"getppid "[0-9]*) ok "after del, a new exec of the program is untouched" ;;
*) not_ok "after del, a new exec of the program is untouched (got '$out')" ;;
esac
"$C" rule del "$id" 2>"$kb_tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "no such rule" "$kb_tmp/err" &&
	ok "kbctl rule del of a deleted rule: no such rule" ||
	not_ok "kbctl rule del of a deleted rule (exit $rc)"
[ "$("$C" rule list | wc -l)" -eq 1 ] && ok "kbctl rule list: no rule left" ||
	not_ok "kbctl rule list: no rule left"

kb_done
