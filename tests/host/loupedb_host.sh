#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbctl loupedb import/export and kbctl plan on loupedb directories.
#   - tests/loupedb/db: alpha's two runs merge as Loupe merges replicas
#     (write: either + stub = stub; close: stub + fake = required; getpid
#     fake in the one run that used it); beta's run has the older,
#     inclusive layout (Y,Y,Y,Y = either) and a verdict on an unused call
#     (ignored);
#   - loupedb folders that are not what they should be (malformed
#     dyn.csv files are tests/host/badfiles_host.sh's);
#   - a kbctl analyze report exported: Loupe's writer's layout (dense
#     rows 0..334, exclusive columns), the same run name when exported
#     again, and imported back to the same classes;
#   - Loupe's published database (../shared/loupedb, skipped where
#     absent): 113 applications, their used counts as published, plans
#     for its 11 OS lists.
# Prints TAP.
set -u
KBOPT=
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"
C=$PWD/.output/kbctl
F=tests/loupedb
LDB=${KB_LOUPEDB:-../shared/loupedb}

if [ ! -x "$C" ]; then
	not_ok "kbctl is built (make userland)"
	kb_done
	exit 1
fi

# pycheck NAME FILE EXPRESSION: the expression on the JSON in FILE (as
# j) must be true; otherwise it is shown.
pycheck() {
	local out
	out=$("$PY" -c 'import json, sys
j = json.load(open(sys.argv[1]))
cls = lambda j: {s["name"]: s["class"] for s in j["syscalls"]}
print("yes" if eval(sys.argv[2]) is True else "no: %r" % (cls(j),))' "$2" "$3" 2>&1)
	if [ "$out" = yes ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "# expression: $3"
		echo "$out" | sed 's/^/# /' | tail -5
	fi
}

# --- import of the fixture checkout
I=$kb_tmp/imp
if "$C" loupedb import -o "$I" $F/db >"$kb_tmp/out" 2>"$kb_tmp/err" &&
   grep -qx "2 applications (3 runs) imported into $I" "$kb_tmp/out" &&
   [ "$(ls "$I")" = "$(printf 'alpha.json\nbeta.json')" ]; then
	ok "import of a checkout: one APP.json per application, README at the root ignored"
else
	not_ok "import of tests/loupedb/db"
	show "$kb_tmp/out" stdout
	show "$kb_tmp/err" stderr
fi
pycheck "alpha: runs merged (write either+stub=stub, close stub+fake=required, getpid fake where used)" "$I/alpha.json" \
	'cls(j) == {"read": "required", "write": "stub", "close": "required", "getpid": "fake", "getuid": "either"} and j["classes"] == {"required": 2, "stub": 1, "fake": 1, "either": 1}'
pycheck "alpha: source loupedb, its two runs named with their workload" "$I/alpha.json" \
	'j["source"] == "loupedb" and j["apps"] == ["alpha"] and [(r["workload"], r["run"], r["layout"], r["used"]) for r in j["loupedb"]["runs"]] == [("benchmark-a", "r1", "exclusive", 4), ("benchmark-a", "r2", "exclusive", 4)]'
pycheck "beta: the inclusive layout read (Y,Y,Y,Y either, Y,Y,N,N fake, Y,N,Y,N stub), an unused row's verdict ignored" "$I/beta.json" \
	'cls(j) == {"read": "required", "write": "either", "open": "fake", "close": "stub"} and j["loupedb"]["runs"][0]["layout"] == "inclusive"'
pycheck "entries carry nr, stub and fake as analysis.json does" "$I/beta.json" \
	'[(s["nr"], s["stub"], s["fake"]) for s in j["syscalls"]] == [(0, False, False), (1, True, True), (2, False, True), (3, True, False)]'

# One application, one workload or one run: named after the application.
"$C" loupedb import -o "$kb_tmp/one" $F/db/alpha/benchmark-a/r2 >/dev/null 2>"$kb_tmp/err"
pycheck "import of one run: the application's name, only that run" "$kb_tmp/one/alpha.json" \
	'cls(j) == {"read": "required", "write": "stub", "close": "fake", "getuid": "either"} and len(j["loupedb"]["runs"]) == 1'
"$C" loupedb import -o "$kb_tmp/wl" $F/db/alpha/benchmark-a/ >/dev/null 2>"$kb_tmp/err"
pycheck "import of a workload (trailing slash): both its runs" "$kb_tmp/wl/alpha.json" \
	'len(j["loupedb"]["runs"]) == 2'

# --- kbctl plan on loupedb directories
P=$kb_tmp/plan.json
if "$C" plan --json --os $F/os.txt $F/db >"$P" 2>"$kb_tmp/err" && [ ! -s "$kb_tmp/err" ]; then
	ok "kbctl plan takes a loupedb checkout, no confirmation warning for Loupe's runs"
else
	not_ok "kbctl plan on tests/loupedb/db"
	show "$kb_tmp/err" stderr
fi
pycheck "plan: beta at step 0 (stub close write, fake open), alpha once close is implemented" "$P" \
	'[(s["implement"], s["apps"], s["stub"], s["fake"]) for s in j["steps"]] == [([], ["beta"], ["close", "write"], ["open"]), (["close"], ["alpha"], ["getuid", "write"], ["getpid"])]'
"$C" plan --json --os $F/os.txt $F/db/beta "$I/alpha.json" >"$P" 2>"$kb_tmp/err"
pycheck "plan: an application folder and an imported report together, the same plan" "$P" \
	'[(s["implement"], s["apps"]) for s in j["steps"]] == [([], ["beta"]), (["close"], ["alpha"])]'
expect_error "the same application as a folder and inside a checkout" "given twice" -- \
	"$C" plan --os $F/os.txt $F/db $F/db/alpha

# --- bad input (malformed dyn.csv files: tests/host/badfiles_host.sh)
H='# syscall, used, works faked, works stubbed, works both'
mkdir -p "$kb_tmp/bad/nodata/app/benchmark-x/run1/data" "$kb_tmp/bad/nodata/app/benchmark-x/run2"
printf '%s\n0,Y,N,N,N\n' "$H" >"$kb_tmp/bad/nodata/app/benchmark-x/run1/data/dyn.csv"
expect_error "a run without data/dyn.csv next to one with it" "run2: no data/dyn.csv: not a loupedb run" -- \
	"$C" loupedb import -o "$kb_tmp/x" "$kb_tmp/bad/nodata"
expect_error "a directory with no run under it" "no loupedb run under it" -- \
	"$C" loupedb import -o "$kb_tmp/x" tests/plan
expect_error "plan on a directory with no run" "no loupedb run under it" -- \
	"$C" plan --os $F/os.txt tests/plan
mkdir -p "$kb_tmp/twice/a" "$kb_tmp/twice/b"
cp -r $F/db/alpha "$kb_tmp/twice/a/"
cp -r $F/db/alpha "$kb_tmp/twice/b/"
expect_error "import: two applications of one name" "two applications named alpha" -- \
	"$C" loupedb import -o "$kb_tmp/x" "$kb_tmp/twice/a" "$kb_tmp/twice/b"

# --- export of kbctl analyze's report
E=$kb_tmp/db
R=tests/plan/sqlite3-real.json
if "$C" loupedb export -o "$E" $R >"$kb_tmp/out" 2>"$kb_tmp/err" &&
   run=$(cd "$E" && echo sqlite3/benchmark-sqlite3/kbridge-*) && [ -d "$E/$run" ] &&
   grep -qx "$E/$run: 31 syscalls used: 8 required, 2 stub, 5 fake, 16 either" "$kb_tmp/out"; then
	ok "export: DB/sqlite3/benchmark-sqlite3/kbridge-HASH, the classes counted"
else
	not_ok "export of $R"
	show "$kb_tmp/out" stdout
	show "$kb_tmp/err" stderr
	run=none
fi
out=$("$PY" - "$E/$run/data/dyn.csv" $R <<'EOF' 2>&1
import json, sys
lines = open(sys.argv[1]).read().splitlines()
rep = {s["nr"]: s["class"] for s in json.load(open(sys.argv[2]))["syscalls"]}
want = {"required": "Y,N,N,N", "fake": "Y,Y,N,N", "stub": "Y,N,Y,N", "either": "Y,N,N,Y"}
bad = []
if lines[0] != "# syscall, used, works faked, works stubbed, works both":
    bad.append("header %r" % lines[0])
rows = [l.split(",", 1) for l in lines[1:]]
if [int(r[0]) for r in rows] != list(range(len(rows))) or len(rows) < 335:
    bad.append("not dense from 0 to at least 334: %d rows" % len(rows))
for nr, rest in rows:
    w = want[rep[int(nr)]] if int(nr) in rep else "N,N,N,N"
    if rest != w:
        bad.append("%s: %s, not %s" % (nr, rest, w))
print("; ".join(bad[:5]) or "same")
EOF
)
if [ "$out" = same ]; then
	ok "export: Loupe's layout: its header, rows 0..334 dense, exclusive columns, each class as its writer writes it"
else
	not_ok "export: dyn.csv layout: $out"
fi
if [ "$(cat "$E/$run/cmd.txt")" = "kbctl analyze --app /usr/bin/sqlite3 -r 1 -- /work/main/tests/workloads/sqlite3.sh" ]; then
	ok "export: cmd.txt is the kbctl analyze command of the report"
else
	not_ok "export: cmd.txt"
	show "$E/$run/cmd.txt" cmd.txt
fi
"$C" loupedb export -o "$E" $R >/dev/null 2>&1
if [ "$(cd "$E" && echo */*/*)" = "$run" ] && [ ! -e "$E/$run/data/dyn.csv.tmp" ]; then
	ok "export again: the same run replaced, not a second one"
else
	not_ok "export again: $(cd "$E" && echo */*/*)"
fi
"$C" loupedb import -o "$kb_tmp/back" "$E" >/dev/null 2>"$kb_tmp/err"
out=$("$PY" -c 'import json, sys
a = {s["nr"]: s["class"] for s in json.load(open(sys.argv[1]))["syscalls"]}
b = {s["nr"]: s["class"] for s in json.load(open(sys.argv[2]))["syscalls"]}
print("same" if a == b else "differ")' $R "$kb_tmp/back/sqlite3.json" 2>&1)
if [ "$out" = same ]; then
	ok "export then import: every syscall's class comes back"
else
	not_ok "export then import: $out"
	show "$kb_tmp/err" stderr
fi
"$C" loupedb export -o "$E" --name sq --workload suite --run r1 "$I/beta.json" >/dev/null 2>&1
"$C" loupedb import -o "$kb_tmp/back2" "$E/sq" >/dev/null 2>&1
pycheck "export --name --workload --run, imported again: beta's classes" "$kb_tmp/back2/sq.json" \
	'cls(j) == {"read": "required", "write": "either", "open": "fake", "close": "stub"}'
# A static analysis's list beside it: data/static_binary.csv.
printf '# found in the binary\nread\nwrite\nclone3\n' >"$kb_tmp/static.txt"
"$C" loupedb export -o "$kb_tmp/sdb" --static-binary "$kb_tmp/static.txt" $R >/dev/null 2>"$kb_tmp/err"
f=$(echo "$kb_tmp"/sdb/sqlite3/benchmark-sqlite3/kbridge-*/data/static_binary.csv)
if [ -f "$f" ] && [ "$(head -1 "$f")" = "# syscall, used" ] &&
   [ "$(grep -c ',Y$' "$f")" = 3 ] && grep -qx '0,Y' "$f" && grep -qx '1,Y' "$f" &&
   grep -qx '435,Y' "$f" && [ "$(sed 1d "$f" | cut -d, -f1 | tr '\n' ' ')" = "$(seq -s ' ' 0 435) " ]; then
	ok "export --static-binary: static_binary.csv, its header, rows 0..435 dense, Y for read, write, clone3"
else
	not_ok "export --static-binary"
	show "$kb_tmp/err" stderr
fi
printf 'read\nopennat\n' >"$kb_tmp/badstatic.txt"
expect_error "export --static-binary with a name no kernel has" "badstatic.txt:2: unknown syscall 'opennat'" -- \
	"$C" loupedb export -o "$kb_tmp/sdb2" --static-binary "$kb_tmp/badstatic.txt" $R
expect_error "export --static-binary of two reports" "describes one application" -- \
	"$C" loupedb export -o "$kb_tmp/sdb2" --static-binary "$kb_tmp/static.txt" $R "$I/beta.json"
expect_error "export --workload must be Loupe's benchmark-NAME or suite" "neither benchmark-NAME nor suite" -- \
	"$C" loupedb export -o "$E" --workload wrk $R
expect_error "export --name is one folder" "is not a folder name" -- \
	"$C" loupedb export -o "$E" --name ../x $R
expect_error "export --run of two reports" "give one REPORT" -- \
	"$C" loupedb export -o "$E" --run r $R "$I/beta.json"
expect_error "export of what is not a report" "os.txt:1: not JSON" -- \
	"$C" loupedb export -o "$E" tests/plan/os.txt
expect_error "import or export" "import or export" -- "$C" loupedb -o x y
expect_error "export without -o" "no -o DIR" -- "$C" loupedb export $R

# --- Loupe's published database
if [ ! -d "$LDB" ]; then
	skip "Loupe's database imported" "no loupedb at $LDB"
	kb_done
	exit
fi
"$C" loupedb import -o "$kb_tmp/ldb" "$LDB" >"$kb_tmp/out" 2>"$kb_tmp/err"
out=$("$PY" - "$kb_tmp/ldb" "$LDB" <<'EOF' 2>&1
import glob, json, os, sys
bad = []
apps = sorted(glob.glob(os.path.join(sys.argv[2], "*", "*", "*", "data", "dyn.csv")))
names = sorted({p.split(os.sep)[-5] for p in apps})
got = sorted(f[:-5] for f in os.listdir(sys.argv[1]))
if names != got:
    bad.append("apps differ")
# Used: the union of the runs' Y rows, counted here from the files.
for a in names:
    used = set()
    for p in glob.glob(os.path.join(sys.argv[2], a, "*", "*", "data", "dyn.csv")):
        for l in open(p):
            f = l.replace(" ", "").strip().split(",")
            if l[0] != "#" and len(f) == 5 and f[1] == "Y":
                used.add(int(f[0]))
    j = json.load(open(os.path.join(sys.argv[1], a + ".json")))
    if {s["nr"] for s in j["syscalls"]} != used:
        bad.append(a)
print("%d %s" % (len(names), " ".join(bad[:5]) or "same"))
EOF
)
if [ "$out" = "113 same" ] && grep -qx "113 applications (118 runs) imported into $kb_tmp/ldb" "$kb_tmp/out"; then
	ok "Loupe's database: 113 applications, 118 runs, each one's used syscalls as its files say"
else
	not_ok "Loupe's database imported: $out"
	show "$kb_tmp/out" stdout
	show "$kb_tmp/err" stderr
fi
# Published figures (loupedb's WORKLOADS.md): httpd used 51; lua 20 in
# each of its two runs.
pycheck "httpd (an imported run): 51 used, the inclusive layout" "$kb_tmp/ldb/httpd.json" \
	'len(j["syscalls"]) == 51 and j["loupedb"]["runs"][0]["layout"] == "inclusive"'
pycheck "lua: its two runs merged, 20 used" "$kb_tmp/ldb/lua.json" \
	'len(j["syscalls"]) == 20 and len(j["loupedb"]["runs"]) == 2'
n=0
for os in "$LDB"/*.syscalls; do
	if "$C" plan --json --os "$os" "$LDB" >"$P" 2>"$kb_tmp/err" &&
	   "$PY" -c 'import json, sys; j = json.load(open(sys.argv[1])); sys.exit(not (len(j["apps"]) == 113 and j["steps"][-1]["apps_supported"] == 113))' "$P"; then
		n=$((n + 1))
	else
		show "$kb_tmp/err" "${os##*/}"
	fi
done
if [ "$n" = 11 ]; then
	ok "kbctl plan --os OS.syscalls on Loupe's database: all 11 OS lists, all 113 applications supported in the end"
else
	not_ok "plans for Loupe's OS lists: $n of 11"
fi
"$C" plan --os "$LDB/Gvisor.syscalls" "$LDB/lua" >/dev/null 2>"$kb_tmp/err"
if grep -q "Gvisor.syscalls:57: unknown syscall 'futimensat' in a Loupe OS list: skipped" "$kb_tmp/err"; then
	ok "a Loupe OS list's unknown name is a warning naming FILE:LINE"
else
	not_ok "Gvisor.syscalls's futimensat"
	show "$kb_tmp/err" stderr
fi
printf 'read\nfutimensat\n' >"$kb_tmp/my.txt"
expect_error "the same name in a list of the user's own is an error" "my.txt:2: unknown syscall 'futimensat'" -- \
	"$C" plan --os "$kb_tmp/my.txt" "$LDB/lua"
kb_done
