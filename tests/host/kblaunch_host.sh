#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kblaunch on the build machine, without the module (--no-module): the
# loader, the initial stack, the runtime and the supervisor, with real
# programs compared against their native runs and exact syscall counts
# from programs that make a known number of syscalls. Prints TAP.
#
# Needs: make userland tests (kblaunch and .output/tests/progs/), a
# kernel with Syscall User Dispatch (5.11+); python3, sqlite3 and
# busybox-static for the real-program checks (skipped if missing).
set -u
KBOPT=--no-module
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"

if [ ! -x "$K" ] || [ ! -x "$P/static_getppid" ]; then
	not_ok "kblaunch and tests/progs are built (make userland tests)"
	kb_done
	exit 1
fi

# ---- kblaunch's own failures ----
if [ -e /dev/kbridge ]; then
	skip "no /dev/kbridge: clear message, exit 1" "/dev/kbridge exists here"
else
	"$K" -- sh -c 'true; true' 2>"$kb_tmp/err"
	rc=$?
	# Said once, even though sh runs and execs.
	if [ "$rc" -eq 0 ] && [ "$(wc -l <"$kb_tmp/err")" -eq 1 ] &&
	   grep -qx 'kblaunch: /dev/kbridge not found: the tier core decides in this process (no module; as --no-module)' "$kb_tmp/err"; then
		ok "no /dev/kbridge: the program runs in process, said once on stderr"
	else
		not_ok "no /dev/kbridge: exit status $rc"
		show "$kb_tmp/err" stderr
	fi
fi

"$K" --no-module -- sh -c 'true; exec true' 2>"$kb_tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && [ "$(wc -l <"$kb_tmp/err")" -eq 1 ] &&
   grep -qx 'kblaunch: --no-module: the tier core decides in this process' "$kb_tmp/err"; then
	ok "--no-module: said once on stderr, across an exec too"
else
	not_ok "--no-module: exit status $rc"
	show "$kb_tmp/err" stderr
fi

printf 'just text\n' >"$kb_tmp/text"
head -c 100 /bin/true >"$kb_tmp/truncated"
printf '#!/nonexistent/interpreter\n' >"$kb_tmp/badinterp"
printf '#!/bin/sh\necho "$0 $*"\n' >"$kb_tmp/script"
printf '#!%s/script one\n' "$kb_tmp" >"$kb_tmp/script2"
# Another machine's ELF (e_machine, offset 18, = EM_ARM); program headers
# far past the end (e_phoff, offset 32); a PT_LOAD past the end (p_offset
# of the first program header, offset 64 + 8).
cp /bin/true "$kb_tmp/arm"
printf '\x28\x00' | dd of="$kb_tmp/arm" bs=1 seek=18 conv=notrunc 2>/dev/null
cp /bin/true "$kb_tmp/badphdr"
printf '\xff\xff\xff\x7f\x00\x00\x00\x00' |
	dd of="$kb_tmp/badphdr" bs=1 seek=32 conv=notrunc 2>/dev/null
cp "$P/static_getppid" "$kb_tmp/badload"
printf '\x00\x00\x00\x7f\x00\x00\x00\x00' |
	dd of="$kb_tmp/badload" bs=1 seek=72 conv=notrunc 2>/dev/null
chmod +x "$kb_tmp/text" "$kb_tmp/truncated" "$kb_tmp/badinterp" \
	"$kb_tmp/script" "$kb_tmp/script2" "$kb_tmp/arm" "$kb_tmp/badphdr" \
	"$kb_tmp/badload"
expect_fail "missing program" 127 'kblaunch: /nonexistent/prog: No such file' -- /nonexistent/prog
expect_fail "program not in PATH" 127 'kblaunch: kb-no-such-cmd: command not found' -- kb-no-such-cmd
expect_fail "text file without #!" 126 'Exec format error' -- "$kb_tmp/text"
expect_fail "truncated ELF" 126 'kblaunch: .*truncated: ' -- "$kb_tmp/truncated"
expect_fail "ELF for another machine" 126 'kblaunch: .*arm: ELF header: not an x86_64 ELF \(class 2, data 1, machine 40\)' -- "$kb_tmp/arm"
expect_fail "program headers past the end" 126 'kblaunch: .*badphdr: ELF header: program headers past the end of the file' -- "$kb_tmp/badphdr"
expect_fail "a segment past the end" 126 'kblaunch: .*badload: program header [0-9]+: PT_LOAD past the end' -- "$kb_tmp/badload"
expect_fail "a directory" 126 'Permission denied' -- /tmp
expect_fail "#! interpreter missing" 127 '/nonexistent/interpreter: No such file' -- "$kb_tmp/badinterp"
"$K" --no-module --report /nonexistent/dir/report -- /bin/true 2>"$kb_tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'report' "$kb_tmp/err" &&
	ok "unwritable --report file: exit 1 before running" ||
	not_ok "unwritable --report: exit status $rc"

# ---- command line and program lookup ----
out=$(kb -- sh -c 'echo "$@"' x -v --report)
[ "$out" = "-v --report" ] && ok "options after PROGRAM are the program's" ||
	not_ok "options after PROGRAM: '$out'"
out=$("$K" --no-module echo -n hi)
[ "$out" = hi ] && ok "PROGRAM without --, found in PATH" ||
	not_ok "PROGRAM without --: '$out'"
same_as_native "#! script with arguments" "$kb_tmp/script" a 'b c'
same_as_native "#! script whose interpreter is a script" "$kb_tmp/script2" z
same_as_native "argv[0] is what was typed" sh -c 'echo $0'

# ---- the JSON report (docs/report.md) and --profile without the module ----
rep=$kb_tmp/report.json
rm -f "$rep"
out=$(kb --report "$rep" -- "$P/static_getppid" 700)
rc=$?
# Every field the schema promises, with the exact counts of a program
# that makes 702 syscalls and nothing else.
got=$(report_py "$rep" '[r["kbridge"]["release"], r["kbridge"]["api"], r["mode"], r["path"],
 r["profile"], r["exit"], r["totals"],
 [(s["nr"], s["name"], s["count"], s["tier"], s["action"], s.get("rules")) for s in r["syscalls"]]]' 2>&1)
want="['$kb_ver', 1, 'no-module', 'in-process', None, {'status': 3}, {'total': 702, 'fastpath': 0, 'out_of_range': 0, 'joined': None}, [(1, 'write', 1, 'full', 'pass', []), (110, 'getppid', 700, 'full', 'pass', []), (231, 'exit_group', 1, 'full', 'pass', [])]]"
if [ "$rc" -eq 3 ] && [ "$got" = "$want" ]; then
	ok "JSON report: every field, exact counts (static_getppid 700)"
else
	not_ok "JSON report: exit status $rc"
	echo "# got:  $got"
	echo "# want: $want"
	show "$rep" report
fi
rm -f "$rep"
kb --report "$rep" -- sh -c 'kill -TERM $$' 2>/dev/null
got=$(report_py "$rep" 'r["exit"]' 2>&1)
[ "$got" = "{'signal': 15}" ] && ok "JSON report: a program killed by SIGTERM has exit.signal 15" ||
	not_ok "JSON report of a killed program: exit is '$got'"

rm -f "$kb_tmp/report.txt"
kb --report-format text --report "$kb_tmp/report.txt" -- "$P/static_getppid" 9 >/dev/null
printf 'write 1\ngetppid 9\nexit_group 1\ntotal 11\nout_of_range 0\n' >"$kb_tmp/want.txt"
cmp -s "$kb_tmp/want.txt" "$kb_tmp/report.txt" &&
	ok "--report-format text: the name/count lines" ||
	{ not_ok "--report-format text"; show "$kb_tmp/report.txt" report; }
"$K" --no-module --report-format xml --report "$rep" -- /bin/true 2>"$kb_tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'json or text' "$kb_tmp/err" &&
	ok "--report-format xml: refused, exit 1" ||
	{ not_ok "--report-format xml: exit status $rc"; show "$kb_tmp/err" stderr; }

printf '# passes everything\ngetppid pass\nwrite pass\n' >"$kb_tmp/pass.profile"
printf 'getppid pass\nno_such_syscall stub\n' >"$kb_tmp/bad.profile"
printf 'getppid pass\nunlink stub EACCES\n' >"$kb_tmp/stub.profile"
rm -f "$kb_tmp/started"
"$K" --no-module --profile "$kb_tmp/bad.profile" -- touch "$kb_tmp/started" 2>"$kb_tmp/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "^kblaunch: $kb_tmp/bad.profile:2: " "$kb_tmp/err" &&
   [ ! -e "$kb_tmp/started" ]; then
	ok "a profile that does not parse: '$(head -1 "$kb_tmp/err")', exit 1, program not run"
else
	not_ok "bad profile: exit status $rc$([ -e "$kb_tmp/started" ] && echo ', the program ran')"
	show "$kb_tmp/err" stderr
fi
# Without the module the same tier core applies the profile in process:
# a stub's errno, a path condition, across fork and exec, with its hits.
printf 'unlinkat stub EACCES\nopenat partial\nopenat when path=/etc/host* stub ENOENT\n' \
	>"$kb_tmp/stub.profile"
: >"$kb_tmp/victim"
"$K" --no-module --profile "$kb_tmp/stub.profile" --report "$rep" -- \
	sh -c 'rm -f "$1"; cat /etc/hostname; cat /etc/hostname; cat /etc/passwd >/dev/null' \
	x "$kb_tmp/victim" >"$kb_tmp/out" 2>"$kb_tmp/err"
rc=$?
got=$(report_py "$rep" '[(sc(n)["tier"], sc(n)["action"], [(e["rule"], e["hits"]) for e in sc(n)["rules"]]) for n in ("unlinkat", "openat")]' 2>&1)
if [ "$rc" -eq 0 ] && [ -e "$kb_tmp/victim" ] &&
   grep -q "rm: cannot remove '$kb_tmp/victim': Permission denied" "$kb_tmp/err" &&
   [ "$(grep -c '^cat: /etc/hostname: No such file or directory$' "$kb_tmp/err")" -eq 2 ] &&
   case $got in *"('openat when path=/etc/host* stub ENOENT', 2)"*"('unlinkat stub EACCES', 1)"*|\
	*"('unlinkat stub EACCES', 1)"*"('openat when path=/etc/host* stub ENOENT', 2)"*) true ;; *) false ;; esac; then
	ok "--no-module applies a profile: EACCES to rm, ENOENT by path to two forked, exec'd cats, hits 1 and 2"
else
	not_ok "--no-module with a stubbing profile: exit status $rc, rules '$got'"
	show "$kb_tmp/err" stderr
fi
rm -f "$rep"
out=$(kb --profile "$kb_tmp/pass.profile" --report "$rep" -- "$P/static_getppid" 5)
rc=$?
got=$(report_py "$rep" '[r["profile"], sc("getppid")["count"]]' 2>&1)
[ "$rc" -eq 3 ] && [ "$got" = "[{'origin': '$kb_tmp/pass.profile', 'entries': 2}, 5]" ] &&
	ok "--no-module with an all-pass profile: runs, the report names it" ||
	not_ok "--no-module with an all-pass profile: exit status $rc, report '$got'"

kb_runtime_checks
kb_done
