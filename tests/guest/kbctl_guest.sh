#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbctl against live sessions, inside the guest as root with kbridge.ko
# loaded: a multi-threaded program under kblaunch gets its policy changed
# while it runs (kbctl set), and every thread's next syscall obeys; kbctl
# get shows the rules with their hits; an unprivileged user can neither
# read nor change a root program's session; kbctl status agrees with
# KB_IOC_GET_VERSION; and a --profile run's JSON report counts stubbed
# and faked calls and rule hits exactly. Prints TAP.
set -u
KBOPT=
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"
C=$PWD/.output/kbctl
# How long the program may take to answer one command (TCG is slow).
ANSWER_S=60

kb_require_guest "kbctl and tests/progs are built (make)" "$C" "$P/live_getppid" || exit 1

# The module's own answer to KB_IOC_GET_VERSION, read without kbctl:
# "release api nr_syscalls features status".
read -r v_release v_api v_nr v_features v_status < <("$PY" - <<'EOF'
import fcntl, os, struct
# struct kb_version: u32 size, flags, api, nr; u64 features;
# char release[32]; u32 status, reserved
fmt = "=IIIIQ32sII"
size = struct.calcsize(fmt)
cmd = (3 << 30) | (size << 16) | (0xBB << 8) | 0
buf = bytearray(struct.pack(fmt, size, 0, 0, 0, 0, b"", 0, 0))
fd = os.open("/dev/kbridge", os.O_RDWR)
fcntl.ioctl(fd, cmd, buf)
_, _, api, nr, feat, rel, status, _ = struct.unpack(fmt, buf)
print(rel.split(b"\0")[0].decode(), api, nr, feat, status)
EOF
)
has_feature() { [ $(((v_features >> $1) & 1)) -eq 1 ]; }

# ---- kbctl status ----
"$C" status >"$kb_tmp/st" 2>"$kb_tmp/err"
rc=$?
# The hook from KB_STATUS_HOOK_DIRECT (2) and KB_STATUS_HOOK_KPROBE (4).
hook=None
if [ $((v_status & 1)) -eq 1 ]; then
	path_line="decision path: in-kernel fast path"
	case $((v_status & 6)) in
	2) hook=direct ;;
	4) hook=kprobe ;;
	*) hook=unknown ;;
	esac
else
	path_line="decision path: ioctl (SIGSYS); in-kernel fast path not armed"
fi
if [ "$rc" -eq 0 ] &&
   grep -qx "module: kbridge.ko release $v_release, API $v_api, $v_nr syscall numbers" "$kb_tmp/st" &&
   grep -qx "$path_line" "$kb_tmp/st" &&
   { [ "$hook" = None ] || grep -qx "fast-path hook: $hook" "$kb_tmp/st"; }; then
	ok "kbctl status: release $v_release, API $v_api, '$path_line', hook $hook, as KB_IOC_GET_VERSION says"
else
	not_ok "kbctl status: exit status $rc, disagrees with KB_IOC_GET_VERSION ($v_release $v_api $v_nr status $v_status)"
	show "$kb_tmp/st" out
	show "$kb_tmp/err" stderr
fi
got=$("$C" status --json | "$PY" -c 'import json,sys; m=json.load(sys.stdin)["module"]
print(m["release"], m["api"], m["nr_syscalls"], m["fastpath_armed"], m["fastpath_hook"], len(m["features"]))')
want="$v_release $v_api $v_nr $([ $((v_status & 1)) -eq 1 ] && echo True || echo False) $hook $("$PY" -c "print(bin($v_features).count('1'))")"
[ "$got" = "$want" ] && ok "kbctl status --json: $got" ||
	not_ok "kbctl status --json: '$got', expected '$want'"

# ---- a live program: 4 threads calling getppid ----
if ! kb_live_start 4 --report "$kb_tmp/live.json"; then
	kb_done
	exit 1
fi
ok "live_getppid (4 threads) runs under kblaunch as PID $pid"

a=$(kb_ask expect "$kbpid")
[ "$a" = "expect $kbpid: ok 4" ] && ok "before any change every thread's getppid is kblaunch's pid" ||
	not_ok "before any change: '$a'"

"$C" status "$pid" >"$kb_tmp/st" 2>"$kb_tmp/err"
rc=$?
members=$(sed -n 's/^  members: \([0-9]*\) live.*/\1/p' "$kb_tmp/st")
[ "$rc" -eq 0 ] && [ "${members:-0}" -ge 5 ] &&
	ok "kbctl status PID: $members members live (main + 4 threads)" ||
	{ not_ok "kbctl status PID: exit status $rc"; show "$kb_tmp/st" out; show "$kb_tmp/err" stderr; }

"$C" set "$pid" getppid fake 77 2>"$kb_tmp/err"
rc=$?
a=$(kb_ask expect 77)
[ "$rc" -eq 0 ] && [ "$a" = "expect 77: ok 4" ] &&
	ok "kbctl set PID getppid fake 77: all 4 threads get 77 from their next call" ||
	{ not_ok "getppid fake 77: kbctl exit status $rc, program says '$a'"; show "$kb_tmp/err" stderr; }

"$C" get "$pid" >"$kb_tmp/get" 2>"$kb_tmp/err"
rc=$?
hits=$(sed -n 's/^getppid fake 77  *# hits \([0-9]*\), calls [0-9]*$/\1/p' "$kb_tmp/get")
[ "$rc" -eq 0 ] && [ "${hits:-0}" -gt 0 ] &&
	ok "kbctl get PID: 'getppid fake 77' with $hits hits" ||
	{ not_ok "kbctl get PID: exit status $rc"; show "$kb_tmp/get" out; show "$kb_tmp/err" stderr; }
got=$("$C" get --json "$pid" getppid | "$PY" -c 'import json,sys; s=json.load(sys.stdin)["syscalls"][0]
print(s["name"], s["tier"], s["action"], s["value"], s["rules"][0]["rule"], s["rules"][0]["hits"] > 0, s["count"] >= s["rules"][0]["hits"])')
[ "$got" = "getppid stubbed fake 77 getppid fake 77 True True" ] &&
	ok "kbctl get --json PID getppid: tier, action, value, rule, hits" ||
	not_ok "kbctl get --json PID getppid: '$got'"

"$C" set "$pid" getppid pass 2>"$kb_tmp/err"
rc=$?
a=$(kb_ask expect "$kbpid")
[ "$rc" -eq 0 ] && [ "$a" = "expect $kbpid: ok 4" ] &&
	ok "kbctl set PID getppid pass: the real parent pid again, in every thread" ||
	{ not_ok "getppid pass: kbctl exit status $rc, program says '$a'"; show "$kb_tmp/err" stderr; }

# ---- unlink stubbed live ----
victim=$kb_tmp/victim
: >"$victim"
"$C" set "$pid" unlink stub 2>"$kb_tmp/err"
a=$(kb_ask unlink "$victim")
[ "$a" = "unlink: ENOSYS" ] && [ -e "$victim" ] &&
	ok "kbctl set PID unlink stub: unlink fails with ENOSYS, the file stays" ||
	{ not_ok "unlink stub: '$a', file $([ -e "$victim" ] && echo stays || echo gone)"; show "$kb_tmp/err" stderr; }
"$C" set "$pid" unlink stub EACCES 2>"$kb_tmp/err"
a=$(kb_ask unlink "$victim")
[ "$a" = "unlink: EACCES" ] && [ -e "$victim" ] &&
	ok "kbctl set PID unlink stub EACCES: EACCES, the file stays" ||
	{ not_ok "unlink stub EACCES: '$a'"; show "$kb_tmp/err" stderr; }

if has_feature 5; then
	# A condition appended to the current rule: only matching paths fail.
	: >"$kb_tmp/keep1"
	"$C" set "$pid" unlink pass 2>"$kb_tmp/err" &&
	"$C" set "$pid" unlink when "path=$kb_tmp/keep*" stub EPERM 2>>"$kb_tmp/err"
	rc=$?
	a=$(kb_ask unlink "$kb_tmp/keep1")
	b=$(kb_ask unlink "$victim")
	if [ "$rc" -eq 0 ] && [ "$a" = "unlink: EPERM" ] && [ "$b" = "unlink: ok" ] &&
	   [ -e "$kb_tmp/keep1" ] && [ ! -e "$victim" ]; then
		ok "kbctl set PID unlink when path=...: only matching paths refused"
	else
		not_ok "unlink when path=: kbctl exit status $rc, '$a', '$b'"
		show "$kb_tmp/err" stderr
	fi
	"$C" get "$pid" unlink >"$kb_tmp/get" 2>&1
	grep -q '^unlink partial pass  *# hits 1, calls ' "$kb_tmp/get" &&
	grep -q "^unlink when path=$kb_tmp/keep\\* stub EPERM  *# hits 1\$" "$kb_tmp/get" &&
		ok "kbctl get PID unlink: the partial rule and its condition, 1 hit each" ||
		{ not_ok "kbctl get PID unlink after a condition"; show "$kb_tmp/get" out; }
else
	skip "kbctl set PID unlink when path=..." "no KB_FEATURE_PARTIAL"
	skip "kbctl get PID unlink: partial rule" "no KB_FEATURE_PARTIAL"
fi
"$C" set "$pid" unlink pass
: >"$victim"
a=$(kb_ask unlink "$victim")
[ "$a" = "unlink: ok" ] && [ ! -e "$victim" ] &&
	ok "kbctl set PID unlink pass: unlink works again" ||
	not_ok "unlink pass: '$a'"

# A bad line changes nothing.
"$C" set "$pid" -f - 2>"$kb_tmp/err" <<EOF
getppid fake 5
getppid frobnicate
EOF
rc=$?
a=$(kb_ask expect "$kbpid")
[ "$rc" -eq 1 ] && grep -q '^kbctl: stdin:2: ' "$kb_tmp/err" && [ "$a" = "expect $kbpid: ok 4" ] &&
	ok "kbctl set -f with an error on line 2: '$(head -1 "$kb_tmp/err")', nothing changed" ||
	{ not_ok "kbctl set -f with a bad line: exit status $rc, '$a'"; show "$kb_tmp/err" stderr; }

# ---- who may ----
nobody_c=$kb_tmp/kbctl
cp "$C" "$nobody_c"
chmod 711 "$kb_tmp"
chmod 755 "$nobody_c"
for cmd in "get $pid" "set $pid getppid fake 1" "status $pid"; do
	# shellcheck disable=SC2086
	setpriv --reuid=65534 --regid=65534 --clear-groups "$nobody_c" $cmd \
		>/dev/null 2>"$kb_tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] && grep -q "^kbctl: not permitted to inspect PID $pid (same user or CAP_SYS_PTRACE needed)$" "$kb_tmp/err" &&
		ok "user nobody: kbctl $cmd on a root program: not permitted, exit 1" ||
		{ not_ok "user nobody: kbctl $cmd: exit status $rc"; show "$kb_tmp/err" stderr; }
done
a=$(kb_ask expect "$kbpid")
[ "$a" = "expect $kbpid: ok 4" ] && ok "after nobody's attempts getppid still passes" ||
	not_ok "after nobody's attempts: '$a'"

"$C" get $$ >/dev/null 2>"$kb_tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -qx "kbctl: PID $$ is not running under kbridge" "$kb_tmp/err" &&
	ok "kbctl get on a shell not under kbridge: '$(cat "$kb_tmp/err")'" ||
	{ not_ok "kbctl get on a PID not under kbridge: exit status $rc"; show "$kb_tmp/err" stderr; }
# kblaunch itself holds the session too.
"$C" get "$kbpid" >/dev/null 2>"$kb_tmp/err" &&
	ok "kbctl get on kblaunch's own PID reaches the same session" ||
	{ not_ok "kbctl get on kblaunch's PID"; show "$kb_tmp/err" stderr; }

echo quit >&7
exec 7>&-
wait "$kbpid"
rc=$?
[ "$rc" -eq 0 ] && ok "live_getppid ended normally" || not_ok "live_getppid: exit status $rc"

# ---- --profile: exact counts and hits in the report ----
cat >"$kb_tmp/p.profile" <<EOF
# the live test's changes, from the start
getppid fake 77
unlink stub EACCES
EOF
rep=$kb_tmp/p.json
: >"$victim"
printf 'expect 77\nexpect 77\nexpect 77\nunlink %s\nunlink %s\n' "$victim" "$victim" |
	"$K" --profile "$kb_tmp/p.profile" --report "$rep" -- "$P/live_getppid" 0 >"$out" 2>"$kb_tmp/err"
rc=$?
got=$(grep -c -e '^expect 77: ok 1$' -e '^unlink: EACCES$' "$out")
[ "$rc" -eq 0 ] && [ "$got" -eq 5 ] && [ -e "$victim" ] &&
	ok "--profile: getppid faked, unlink stubbed from the first instruction" ||
	{ not_ok "--profile run: exit status $rc"; show "$out" out; show "$kb_tmp/err" stderr; }
got=$(report_py "$rep" '[r["mode"], r["profile"]["origin"] == sys.argv[3],
 [(s["count"], s["tier"], s["action"], s.get("value"), s.get("errno"),
   [(x["rule"], x["line"], x["hits"]) for x in s["rules"]]) for s in (sc("getppid"), sc("unlink"))]]' \
	"$kb_tmp/p.profile" 2>&1)
want="['module', True, [(3, 'stubbed', 'fake', 77, None, [('getppid fake 77', 2, 3)]), (2, 'stubbed', 'stub', None, 'EACCES', [('unlink stub EACCES', 3, 2)])]]"
[ "$got" = "$want" ] &&
	ok "--profile report: counts 3 and 2, rules with their profile lines and exact hits" ||
	{ not_ok "--profile report"; echo "# got:  $got"; echo "# want: $want"; }

if has_feature 5; then
	cat >"$kb_tmp/q.profile" <<EOF
unlink partial pass
unlink when path=$kb_tmp/keep* stub EPERM
EOF
	: >"$kb_tmp/keep2"
	: >"$kb_tmp/gone1"
	printf 'unlink %s\nunlink %s\nunlink %s\n' "$kb_tmp/keep2" "$kb_tmp/gone1" "$kb_tmp/keep2" |
		"$K" --profile "$kb_tmp/q.profile" --report "$rep" -- "$P/live_getppid" 0 >"$out" 2>"$kb_tmp/err"
	got=$(grep '^unlink' "$out" | tr '\n' ' ')
	[ "$got" = "unlink: EPERM unlink: ok unlink: EPERM " ] &&
		ok "--profile with a partial rule: matching paths refused" ||
		{ not_ok "--profile partial: '$got'"; show "$kb_tmp/err" stderr; }
	got=$(report_py "$rep" '[(s["count"], s["tier"], [(x["line"], x["hits"]) for x in s["rules"]]) for s in [sc("unlink")]]' 2>&1)
	[ "$got" = "[(3, 'partial', [(1, 1), (2, 2)])]" ] &&
		ok "--profile partial report: 1 call by the rule, 2 by its condition" ||
		not_ok "--profile partial report: '$got'"
else
	skip "--profile with a partial rule" "no KB_FEATURE_PARTIAL"
	skip "--profile partial report" "no KB_FEATURE_PARTIAL"
fi

# --no-fastpath: nothing decided in the kernel, same counts.
rm -f "$rep"
"$K" --no-fastpath --report "$rep" -- "$P/static_getppid" 300 >/dev/null
got=$(report_py "$rep" '[r["path"], r["totals"]["fastpath"], sc("getppid")["count"]]' 2>&1)
[ "$got" = "['ioctl', 0, 300]" ] &&
	ok "--no-fastpath: path ioctl, no call decided in the kernel, 300 getppid" ||
	not_ok "--no-fastpath report: '$got'"
if [ $((v_status & 1)) -eq 1 ]; then
	rm -f "$rep"
	"$K" --report "$rep" -- "$P/static_getppid" 300 >/dev/null
	got=$(report_py "$rep" '[r["path"], r["totals"]["fastpath"] >= 300, sc("getppid")["count"]]' 2>&1)
	[ "$got" = "['fastpath', True, 300]" ] &&
		ok "fast path armed: path fastpath, the getppid calls decided in the kernel" ||
		not_ok "fast path report: '$got'"
else
	skip "fast path report" "the module's fast path is not armed"
fi

# A daemon that outlives kblaunch (pg_ctl start, a shell's '&'): its
# session shows as closed once kblaunch has gone, though the daemon
# still holds the session's file.
# The shell may exit before its child has finished exec'ing sleep (under
# kblaunch the exec goes through the runtime's loader, comm "kblaunch"
# until then): wait for the exec, up to 20 s, before judging.
pid=$("$K" -- sh -c 'sleep 30.2718 </dev/null >/dev/null 2>&1 & echo $!')
for _ in $(seq 200); do
	[ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ] && break
	sleep 0.1
done
"$C" ps >"$kb_tmp/ps" 2>&1
if [ -n "$pid" ] && grep -qE " $pid .* sleep +closed\$" "$kb_tmp/ps"; then
	ok "kbctl ps: a program whose kblaunch has exited shows as closed"
else
	not_ok "kbctl ps: pid '$pid' not shown closed after kblaunch exited"
	show "$kb_tmp/ps" ps
fi
[ -n "$pid" ] && kill "$pid" 2>/dev/null
kb_done
