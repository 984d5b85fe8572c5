#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbctl plan on hand-written analysis reports (tests/plan/*.json) and an
# OS list (tests/plan/os.txt: read write exit_group brk mmap), whose plan
# is known:
#   step 0  hello (needs nothing the OS lacks)
#   step 1  openat -> cat, grep (cost 1, two apps: before du and ls)
#   step 2  lseek -> du, step 3 getdents64 -> ls (cost 1 each: by name)
#   step 4  connect socket -> curl, nginx (cost 2, two apps: before
#           sqlite3, also at cost 2 once openat is there)
#   step 5  pread64 pwrite64 -> sqlite3 (its confirmation failed: warned)
# Stub where the app allows it, else fake (close: grep stubs, cat fakes,
# at the same step); nothing for what the OS or an earlier step has.
# Then a real report (sqlite3-real.json, captured from kbctl analyze on
# tests/workloads/sqlite3.sh), and the errors. Prints TAP.
set -u
KBOPT=
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"
C=$PWD/.output/kbctl
F=tests/plan
# reports APP...: their fixtures, in R
reports() { R=(); for a in "$@"; do R+=("$F/$a.json"); done; }
reports hello cat grep du ls nginx curl sqlite3
ALL=("${R[@]}")

if [ ! -x "$C" ]; then
	not_ok "kbctl is built (make userland)"
	kb_done
	exit 1
fi

"$C" plan --os $F/os.txt "${ALL[@]}" >"$kb_tmp/text" 2>"$kb_tmp/text.err"
rc=$?
"$C" plan --json --os $F/os.txt "${ALL[@]}" >"$kb_tmp/json" 2>"$kb_tmp/json.err"
jrc=$?
if [ "$rc" -eq 0 ] && [ "$jrc" -eq 0 ] && [ -s "$kb_tmp/text" ]; then
	ok "kbctl plan on 8 reports: exit 0, text and --json"
else
	not_ok "kbctl plan: exit status $rc, --json $jrc"
	show "$kb_tmp/text.err" stderr
	show "$kb_tmp/json.err" stderr
fi

# jcheck NAME PYTHON-EXPRESSION: the expression, on the --json plan as j
# and its steps as st, must be true; otherwise it is shown.
jcheck() {
	local out
	out=$("$PY" -c 'import json, sys
j = json.load(open(sys.argv[1]))
st = j["steps"]
ok = eval(sys.argv[2])
print("yes" if ok is True else "no")' "$kb_tmp/json" "$2" 2>&1)
	if [ "$out" = yes ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "# expression: $2" | head -5
		echo "$out" | sed 's/^/# /' | tail -5
	fi
}

jcheck "--json parses; step order openat, lseek, getdents64, connect+socket, pread64+pwrite64" \
	'[s["implement"] for s in st] == [[], ["openat"], ["lseek"], ["getdents64"], ["connect", "socket"], ["pread64", "pwrite64"]]'
jcheck "apps per step: hello (step 0, OS as it is), cat+grep, du, ls, curl+nginx, sqlite3" \
	'[s["apps"] for s in st] == [["hello"], ["cat", "grep"], ["du"], ["ls"], ["curl", "nginx"], ["sqlite3"]]'
jcheck "cumulative: apps 1 3 4 5 7 8, syscalls implemented 0 1 2 3 5 7" \
	'[(s["apps_supported"], s["syscalls_implemented"]) for s in st] == [(1, 0), (3, 1), (4, 2), (5, 3), (7, 5), (8, 7)] and j["syscalls_implemented"] == 7 and j["os"]["syscalls"] == 5'
jcheck "step 0: hello stubs getpid (either) and getppid (stub), not brk (the OS has it)" \
	'st[0]["stub"] == ["getpid", "getppid"] and st[0]["fake"] == []'
jcheck "step 1: grep stubs close (either), cat fakes it (fake only); fstat stubbed, mprotect faked" \
	'{p["app"]: (p["stub"], p["fake"]) for p in st[1]["profiles"]} == {"cat": (["fstat"], ["close"]), "grep": (["close"], ["mprotect"])}'
jcheck "du fakes getdents64 (not implemented until step 3); ls needs no openat stub (implemented at step 1)" \
	'st[2]["fake"] == ["getdents64"] and st[2]["stub"] == [] and st[3]["stub"] == ["close"] and st[3]["fake"] == []'
jcheck "step 4: nginx fakes getpid, curl stubs getppid, mmap nothing (the OS has it)" \
	'{p["app"]: (p["stub"], p["fake"]) for p in st[4]["profiles"]} == {"curl": (["getppid"], []), "nginx": ([], ["getpid"])}'
jcheck "apps: step, required and missing (required not in the OS), confirmation" \
	'{a["name"]: (a["step"], a["required"], a["missing"], a["confirmed"]) for a in j["apps"]} == {"hello": (0, 3, 0, True), "cat": (1, 3, 1, True), "grep": (1, 2, 1, True), "du": (2, 2, 1, True), "ls": (3, 2, 1, True), "nginx": (4, 3, 2, True), "curl": (4, 3, 2, True), "sqlite3": (5, 3, 3, False)}'

# The text says what the JSON says: blocks parsed back (continuation
# lines joined, "close(cat)" annotations dropped).
out=$("$PY" - "$kb_tmp/text" "$kb_tmp/json" <<'EOF' 2>&1
import json, re, sys
text = open(sys.argv[1]).read()
j = json.load(open(sys.argv[2]))
steps, cur, key = [], None, None
for line in text.splitlines():
    m = re.match(r"Step (\d+)[^:]*: apps supported (\d+)/(\d+) \(\+(\d+)\), syscalls implemented (\d+) \(\+(\d+)\)$", line)
    if m:
        cur = {"step": int(m[1]), "apps_supported": int(m[2]), "total": int(m[3]),
               "implement": [], "apps": [], "stub": [], "fake": []}
        steps.append(cur)
        cur["cum"] = int(m[5])
        continue
    m = re.match(r"  (implement|supported|stub|fake): +(.*)$", line)
    if m:
        key = {"supported": "apps"}.get(m[1], m[1])
        rest = m[2]
    elif cur is not None and line.startswith(" " * 13) and line.strip():
        rest = line.strip()
    else:
        key = None
        continue
    if rest == "-":
        continue
    if key == "apps":
        cur[key] += [a for a in re.split(r",\s*", rest) if a]
    else:
        cur[key] += [re.sub(r"\(.*\)$", "", s) for s in rest.split()]
want = [{"step": s["step"], "apps_supported": s["apps_supported"], "cum": s["syscalls_implemented"],
         "total": len(j["apps"]), "implement": s["implement"], "apps": s["apps"],
         "stub": s["stub"], "fake": s["fake"]} for s in j["steps"]]
print("same" if steps == want else "text %s\njson %s" % (steps, want))
EOF
)
if [ "$out" = same ] && grep -q '^  stub: *close(grep) fstat$' "$kb_tmp/text" &&
   grep -q '^  fake: *close(cat) mprotect$' "$kb_tmp/text" &&
   grep -q '^All 8 apps supported after 5 steps, with 7 syscalls implemented' "$kb_tmp/text"; then
	ok "the text table says what --json says (6 steps; close(grep) stubbed, close(cat) faked)"
else
	not_ok "text and --json differ"
	echo "$out" | sed 's/^/# /' | head -10
	show "$kb_tmp/text" text
fi

if grep -q "warning: $F/sqlite3.json: the analysis's confirmation did not pass" "$kb_tmp/text.err" &&
   [ "$(grep -c warning "$kb_tmp/text.err")" -eq 1 ]; then
	ok "sqlite3's failed confirmation: planned, one warning on stderr naming its report"
else
	not_ok "confirmation warning"
	show "$kb_tmp/text.err" stderr
fi

# The order of the reports on the command line changes nothing.
reports sqlite3 curl nginx ls du grep cat hello
"$C" plan --os $F/os.txt "${R[@]}" >"$kb_tmp/text2" 2>/dev/null
if cmp -s "$kb_tmp/text" "$kb_tmp/text2"; then
	ok "reports in reverse order: the same plan"
else
	not_ok "the plan depends on the order of the reports"
	diff "$kb_tmp/text" "$kb_tmp/text2" | sed 's/^/# /' | head -20
fi

# Everything in the OS: every app at step 0, nothing to implement.
cat $F/os.txt >"$kb_tmp/big.txt"
printf '%s\n' openat lseek getdents64 socket connect pread64 pwrite64 >>"$kb_tmp/big.txt"
"$C" plan --json --os "$kb_tmp/big.txt" "${ALL[@]}" >"$kb_tmp/json" 2>/dev/null
jcheck "an OS with every required syscall: all 8 apps at step 0, 0 implemented" \
	'len(st) == 1 and len(st[0]["apps"]) == 8 and st[0]["implement"] == [] and j["syscalls_implemented"] == 0 and "lseek" not in st[0]["stub"]'

# A real report: from nothing (/dev/null), one step implements exactly
# its required syscalls, stubs its stub and either ones, fakes the rest.
"$C" plan --json --os /dev/null $F/sqlite3-real.json >"$kb_tmp/json" 2>"$kb_tmp/err"
rc=$?
out=$("$PY" - "$F/sqlite3-real.json" "$kb_tmp/json" <<'EOF' 2>&1
import json, sys
r = json.load(open(sys.argv[1]))["syscalls"]
j = json.load(open(sys.argv[2]))
by = lambda *c: sorted(s["name"] for s in r if s["class"] in c)
st = j["steps"]
ok = (len(st) == 2 and st[0]["apps"] == [] and st[1]["apps"] == ["sqlite3"]
      and st[1]["implement"] == by("required") and st[1]["stub"] == by("stub", "either")
      and st[1]["fake"] == by("fake") and j["syscalls_implemented"] == len(by("required")) > 0)
print("yes %d required" % len(by("required")) if ok else "no: %s" % st)
EOF
)
if [ "$rc" -eq 0 ] && [ "${out%% *}" = yes ]; then
	ok "real sqlite3 report, empty OS: step 1 implements its ${out#yes } syscalls, stubs stub+either, fakes fake"
else
	not_ok "real sqlite3 report: exit status $rc: $out"
	show "$kb_tmp/err" stderr
fi

# Two reports of apps with one name: told apart by their report.
mkdir -p "$kb_tmp/other"
cp $F/cat.json "$kb_tmp/other/cat.json"
"$C" plan --json --os $F/os.txt $F/cat.json "$kb_tmp/other/cat.json" >"$kb_tmp/json" 2>&1
jcheck "two apps named cat: labelled with their reports" \
	'st[1]["apps"] == sorted(["cat (tests/plan/cat.json)", "cat (%s/other/cat.json)" % sys.argv[1].rsplit("/", 1)[0]])'

echo 'not json' >"$kb_tmp/notjson.json"
echo '{"apps": ["/bin/x"]}' >"$kb_tmp/nosys.json"
sed 's/"nr": 257/"nr": 2/' $F/cat.json >"$kb_tmp/badnr.json"
sed 's/"class": "fake"/"class": "maybe"/' $F/cat.json >"$kb_tmp/badclass.json"
expect_error "misspelt syscall in the OS list" "^kbctl: $F/os-bad.txt:5: unknown syscall 'opennat'$" -- \
	"$C" plan --os $F/os-bad.txt $F/cat.json
expect_error "missing OS list" "^kbctl: $kb_tmp/nope.txt: No such file or directory$" -- \
	"$C" plan --os "$kb_tmp/nope.txt" $F/cat.json
expect_error "missing report" "^kbctl: $kb_tmp/nope.json: No such file or directory$" -- \
	"$C" plan --os $F/os.txt $F/cat.json "$kb_tmp/nope.json"
expect_error "no report" "no REPORT given" -- "$C" plan --os $F/os.txt
expect_error "no --os" "no --os FILE given" -- "$C" plan $F/cat.json
expect_error "a report that is not JSON" "^kbctl: $kb_tmp/notjson.json:1: not JSON" -- \
	"$C" plan --os $F/os.txt "$kb_tmp/notjson.json"
expect_error "a JSON file without syscalls" "^kbctl: $kb_tmp/nosys.json: no \"syscalls\" array" -- \
	"$C" plan --os $F/os.txt "$kb_tmp/nosys.json"
expect_error "a number that is not the name's" "badnr.json: \.syscalls\[[0-9]+\]\.nr: openat is syscall 257 on x86_64, not 2$" -- \
	"$C" plan --os $F/os.txt "$kb_tmp/badnr.json"
expect_error "an unknown class" "badclass.json: \.syscalls\[[0-9]+\]\.class: unknown class 'maybe'" -- \
	"$C" plan --os $F/os.txt "$kb_tmp/badclass.json"
expect_error "one report twice" "^kbctl: \./$F/cat.json: given twice$" -- \
	"$C" plan --os $F/os.txt $F/cat.json "./$F/cat.json"

"$C" plan --help >"$kb_tmp/out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q 'EXAMPLE' "$kb_tmp/out" && grep -q -- '--os=FILE' "$kb_tmp/out" &&
   grep -q -- '--json' "$kb_tmp/out"; then
	ok "kbctl plan --help: --os, --json and an example"
else
	not_ok "kbctl plan --help: exit status $rc"
	show "$kb_tmp/out" out
fi
"$C" frob >/dev/null 2>"$kb_tmp/err"
if grep -qE '[ (]plan[,;]' "$kb_tmp/err" && "$C" --help | grep -q '^  plan --os FILE REPORT'; then
	ok "kbctl --help and the unknown-command message list plan"
else
	not_ok "plan missing from kbctl's command lists"
	show "$kb_tmp/err" stderr
fi
kb_done
