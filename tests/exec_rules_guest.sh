#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbctl rule in the guest (root, module loaded): a rule added with kbctl
# puts a program started by sh under its profile, with no kblaunch; kbctl
# rule list shows it with the programs under it; a profile that needs a
# runtime is refused with a reason; an unprivileged user cannot add a
# global rule; after kbctl rule del, new execs are untouched. Prints TAP.
set -u
KBOPT=
# shellcheck source=tests/kblaunch_common.sh
. "$(dirname "$0")/kblaunch_common.sh"
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

out=$(sh -c "$d/match/app; $d/other/app")
case $out in
"getppid -3"$'\n'"getppid "[0-9]*) ok "sh starts the matched program under the profile, the other natively" ;;
*) not_ok "sh starts the matched program under the profile, the other natively (got '$out')" ;;
esac

# A program under the rule, waiting: list counts it.
mkfifo "$kb_tmp/in"
"$d/match/app" wait <"$kb_tmp/in" >"$kb_tmp/waiting" &
w=$!
exec {in}>"$kb_tmp/in"
sleep 0.5
"$C" rule list >"$kb_tmp/list" 2>&1
line=$(grep "^$id " "$kb_tmp/list")
if echo "$line" | grep -q "path $d/match/\* *legacy *global *1 "; then
	ok "kbctl rule list: the rule, its personality and the 1 program under it"
else
	not_ok "kbctl rule list: the rule, its personality and the 1 program under it"
	show "$kb_tmp/list" list
fi
echo x >&"$in"
exec {in}>&-
wait "$w"
[ "$(cat "$kb_tmp/waiting")" = "getppid -3" ] && ok "the waiting program got the stub" ||
	not_ok "the waiting program got the stub (got '$(cat "$kb_tmp/waiting")')"

"$C" rule add --osabi 97 --profile "$kb_tmp/runtime.profile" --global \
	>/dev/null 2>"$kb_tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "need kblaunch's runtime" "$kb_tmp/err" &&
	ok "a profile with path conditions is refused, saying why" ||
	{ not_ok "a profile with path conditions is refused (exit $rc)"; show "$kb_tmp/err" stderr; }

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
