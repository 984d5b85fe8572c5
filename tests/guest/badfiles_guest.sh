#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad profiles against the module, inside the guest as root with
# kbridge.ko loaded (issue 9, "nothing is half-applied"; the parsers
# themselves are tests/host/badfiles_host.sh's):
#   - kblaunch --profile with a profile that is wrong somewhere (its last
#     line, a NUL byte, a directory) refuses before it starts the program;
#   - kbctl set -f on a live program (4 threads calling getppid under
#     "getppid fake 77") with fragments that are wrong somewhere: each is
#     refused with FILE:LINE (or FILE: for what is no fragment at all),
#     and afterwards the session's rules (kbctl get, hits aside) are what
#     they were and every thread still gets 77;
#   - the control: a good fragment does change the policy.
# Prints TAP.
set -u
KBOPT=
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"
C=$PWD/.output/kbctl
# How long the program may take to answer one command (TCG is slow).
ANSWER_S=60

kb_require_guest "kbctl and tests/progs are built (make)" "$C" "$P/live_getppid" || exit 1
D=$kb_tmp/bad
mkdir -p "$D"

# ---- kblaunch --profile: refused before the program starts ----
{ for s in read write close fstat lseek mmap brk; do echo "$s pass"; done
  echo 'getppid frob'; } >"$D/last_line.profile"
printf 'getppid fake 7\nunl\0ink pass\n' >"$D/nul.profile"
mkdir "$D/dir.profile"
for f in "$D/last_line.profile:8: unknown action 'frob'" "$D/nul.profile:2: file contains a NUL byte$" \
	 "$D/dir.profile: not a regular file$"; do
	file=${f%%.profile*}.profile
	re=${f#"$file"}
	rm -f "$kb_tmp/started"
	"$K" --profile "$file" -- touch "$kb_tmp/started" >"$kb_tmp/out" 2>"$kb_tmp/err"
	rc=$?
	if [ "$rc" -eq 1 ] && [ ! -e "$kb_tmp/started" ] && [ ! -s "$kb_tmp/out" ] &&
	   head -1 "$kb_tmp/err" | grep -Eq "^kblaunch: $file$re"; then
		ok "kblaunch --profile $(basename "$file") with the module: refused, the program not started: '$(head -1 "$kb_tmp/err" | sed "s|$D/||")'"
	else
		not_ok "kblaunch --profile $(basename "$file"): exit status $rc$([ -e "$kb_tmp/started" ] && echo ', the program ran')"
		show "$kb_tmp/err" stderr
	fi
done

# ---- kbctl set -f against a live program ----
printf 'getppid fake 77\nunlink stub EACCES\nopenat partial\nopenat when path=/nonexistent/* stub ENOENT\n' \
	>"$D/start.profile"
if ! kb_live_start 4 --profile "$D/start.profile"; then
	kb_done
	exit 1
fi
a=$(kb_ask expect 77)
[ "$a" = "expect 77: ok 4" ] && ok "live_getppid (4 threads) under a profile: getppid faked to 77" ||
	not_ok "live_getppid under getppid fake 77: '$a'"
# rules: the session's rules as kbctl get prints them, hits and calls aside
rules() { "$C" get "$pid" 2>&1 | sed 's/ *#.*$//'; }
before=$(rules)
nbefore=$(grep -c . <<<"$before")
if [ "$nbefore" -ge 4 ] && grep -qx 'getppid fake 77' <<<"$before"; then
	ok "kbctl get: the profile's $nbefore rules"
else
	not_ok "kbctl get before the bad fragments: '$before'"
fi

# frag NAME: stdin into $D/NAME
frag() { cat >"$D/$1"; }
printf 'getppid fake 5\nunlink pass\nopenat stub EACCES\ngetppid frob\n' | frag last_line
printf 'unlink when path=/x stub EPERM\ngetppid fake 1\nread stub 4096\n' | frag bad_errno
printf 'getppid fake 5\ngetppid when arg0=1 pass\n' | frag conflict
printf 'getppid fake 5\ngetppid fake 6\n' | frag duplicate
printf 'getppid fake 5\ndefault stub\n' | frag default
printf 'getppid fake 5\npersonality-module foo\n' | frag personality
printf 'getppid fake 5\nunl\0ink pass\n' | frag nul_byte
{ echo 'getppid fake 5'; head -c 70000 /dev/zero | tr '\0' x; echo; } | frag long_line
{ echo 'getppid fake 5'; for i in $(seq 1 2100); do echo "ioctl when cmd=$i pass"; done; } | frag too_many
"$PY" -c 'import random, sys
r = random.Random(9)
sys.stdout.buffer.write(b"getppid fake 5\n" + bytes(r.choice(range(1, 256)) for _ in range(3000)))' | frag garbage
: | frag empty
mkdir "$D/a_directory"

# refused NAME REGEX CMD...: kbctl set refuses, names where, and changes nothing.
refused() {
	local name=$1 re=$2 after nafter
	shift 2
	"$@" >"$kb_tmp/out" 2>"$kb_tmp/err"
	rc=$?
	after=$(rules)
	nafter=$(grep -c . <<<"$after")
	a=$(kb_ask expect 77)
	if [ "$rc" -eq 1 ] && head -1 "$kb_tmp/err" | grep -Eq -- "$re" &&
	   [ "$after" = "$before" ] && [ "$a" = "expect 77: ok 4" ]; then
		ok "kbctl set $name: refused ('$(head -1 "$kb_tmp/err" | sed "s|$D/||" | LC_ALL=C tr -cd "\40-\176" | cut -c1-100)'), the same $nafter rules, every thread still gets 77"
	else
		not_ok "kbctl set $name: exit status $rc, $nafter rules (before $nbefore), '$a'"
		show "$kb_tmp/err" stderr
		diff <(echo "$before") <(echo "$after") | sed 's/^/# rules: /' | head -10
	fi
}
while IFS='|' read -r name re; do
	refused "-f $name" "^kbctl: $D/$name$re" "$C" set "$pid" -f "$D/$name"
done <<'EOF'
last_line|:4: unknown action 'frob'
bad_errno|:3: bad errno '4096'
conflict|:2: 'getppid when' conflicts with the whole-syscall rule of line 1$
duplicate|:2: duplicate rule for 'getppid' \(first at line 1\)$
default|:2: 'default' is not allowed here$
personality|:2: 'personality-module' is not allowed here$
nul_byte|:2: file contains a NUL byte$
long_line|:2: line too long \(more than 4096 bytes\)$
too_many|:[0-9]+: too many rules: more than [0-9]+ kernel entries$
garbage|:[0-9]+: 
empty|: no rule to set$
a_directory|: Is a directory$
missing|: No such file or directory$
EOF
refused "-f /dev/zero" "^kbctl: /dev/zero: longer than [0-9]+ bytes$" "$C" set "$pid" -f /dev/zero
refused "-f - (stdin, last line wrong)" "^kbctl: stdin:2: unknown action 'frob'" \
	sh -c "printf 'getppid fake 5\ngetppid frob\n' | \"$C\" set $pid -f -"
refused "on the command line, a word too many" "^kbctl: command line:1: unexpected 'extra' at the end of the line$" \
	"$C" set "$pid" getppid fake 5 extra

# The control: a good fragment is applied whole.
printf 'getppid fake 5\nunlink pass\n' >"$D/good"
"$C" set "$pid" -f "$D/good" 2>"$kb_tmp/err"
rc=$?
after=$(rules)
a=$(kb_ask expect 5)
if [ "$rc" -eq 0 ] && [ "$a" = "expect 5: ok 4" ] && grep -qx 'getppid fake 5' <<<"$after" &&
   grep -qx 'unlink pass' <<<"$after"; then
	ok "control: a good fragment is applied, every thread gets 5"
else
	not_ok "control: kbctl set -f good: exit status $rc, '$a'"
	show "$kb_tmp/err" stderr
fi

echo quit >&7
exec 7>&-
wait "$kbpid"
rc=$?
[ "$rc" -eq 0 ] && ok "live_getppid ended normally" || not_ok "live_getppid: exit status $rc"
kb_done
