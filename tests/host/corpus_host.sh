#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The corpus end to end on its CI slice (corpus/ci-slice: lua, zstd,
# perlhello), where make check runs, no module needed: corpus.py
# analyses each application's workloads with kbctl analyze -r 1, exports
# them as loupedb runs and imports Loupe's database; then the export is
# read back, planned with Loupe's applications for Kerla, and the runner
# is checked to resume (nothing run again when nothing changed; one
# analysis again when its workload changed). Every app.conf of the
# corpus is checked too. Prints TAP.
set -u
KBOPT=
# shellcheck source=tests/lib/kblaunch_common.sh
. "$(dirname "$0")/../lib/kblaunch_common.sh"
C=$PWD/.output/kbctl
LDB=${KB_LOUPEDB:-$PWD/../shared/loupedb}
mapfile -t SLICE < <(sed 's/#.*//; /^$/d' corpus/ci-slice)
O=$kb_tmp/results

if [ ! -x "$C" ]; then
	not_ok "kbctl is built (make userland)"
	kb_done
	exit 1
fi

# Every app.conf parses and names a loupedb application that exists.
if /usr/bin/python3 corpus/corpus.py --list >"$kb_tmp/list" 2>"$kb_tmp/err"; then
	ok "every corpus/*/app.conf parses ($(wc -l <"$kb_tmp/list") applications)"
else
	not_ok "corpus/*/app.conf"
	show "$kb_tmp/err" stderr
fi
if [ -d "$LDB" ]; then
	missing=$(awk '$2 != "-" && !system("test -d '"$LDB"'/" $2) == 0 { print $2 }' "$kb_tmp/list")
	if [ -z "$missing" ]; then
		ok "every loupedb name of the corpus is an application in Loupe's database"
	else
		not_ok "loupedb names not in $LDB: $missing"
	fi
else
	skip "loupedb names exist" "no loupedb at $LDB"
fi

# The static analysis (corpus/static_binary.py) on programs whose calls
# are known: the libc-less one makes exactly write, getppid, exit_group;
# the libc one calls syscall(SYS_getppid) and write().
P=.output/tests/progs
got=$(/usr/bin/python3 corpus/static_binary.py "$P/static_getppid" 2>&1 | tr '\n' ' ')
if [ "$got" = "write getppid exit_group " ]; then
	ok "static_binary.py on a program without libc: exactly its 3 syscalls ($got)"
else
	not_ok "static_binary.py on static_getppid: '$got'"
fi
got=$(/usr/bin/python3 corpus/static_binary.py "$P/dyn_getppid" 2>&1)
if grep -qx getppid <<<"$got" && grep -qx write <<<"$got" && grep -qx exit_group <<<"$got" &&
   grep -qx mmap <<<"$got" && ! grep -qx io_uring_setup <<<"$got"; then
	ok "static_binary.py through libc: getppid (syscall()), write, exit_group, the loader's mmap; $(wc -l <<<"$got") in all, not io_uring_setup"
else
	not_ok "static_binary.py on dyn_getppid"
	echo "$got" | head -5 | sed 's/^/# /'
fi

# The slice: analysis, export, import. Niced, as everything here that
# keeps both CPUs busy: make check runs the guest suites beside the host
# suite, and their time limits are the tighter.
nice -n 19 /usr/bin/python3 corpus/corpus.py -j 2 -o "$O" --loupedb "$LDB" "${SLICE[@]}" \
	>"$kb_tmp/run.out" 2>"$kb_tmp/run.err"
rc=$?
n=$(grep -c '^corpus: \[[0-9]*/[0-9]*\] .*: ok, ' "$kb_tmp/run.err")
if [ "$rc" -eq 0 ] && [ "$n" -ge "${#SLICE[@]}" ] &&
   grep -Eq "^corpus: $n analyses of ${#SLICE[@]} applications, 0 failed; .*, CPUs [0-9]+ % busy$" "$kb_tmp/run.out"; then
	ok "corpus.py ${SLICE[*]}: $n analyses, each with a progress line"
else
	not_ok "corpus.py ${SLICE[*]}: exit status $rc, $n analyses ok"
	show "$kb_tmp/run.out" stdout
	show "$kb_tmp/run.err" stderr
	for f in "$O"/*/*/corpus.log; do
		show "$f" "$f"
	done
fi
out=$("$PY" - "$O" "${SLICE[@]}" <<'EOF' 2>&1
import json, os, sys
out, apps = sys.argv[1], sys.argv[2:]
s = json.load(open(os.path.join(out, "corpus.json")))
bad = []
got = {(a["app"], a["kind"]) for a in s["analyses"]}
for app in apps:
    kinds = ["workload"] + (["real"] if os.path.exists("corpus/%s/real.sh" % app) else [])
    for k in kinds:
        if (app, k) not in got:
            bad.append("%s/%s missing" % (app, k))
            continue
        a = json.load(open(os.path.join(out, app, k, "analysis.json")))
        r = [x for x in s["analyses"] if (x["app"], x["kind"]) == (app, k)][0]
        if r["status"] != "ok" or r["classes"] != a["classes"] or not a["confirmation"]["passed"]:
            bad.append("%s/%s: %s" % (app, k, r))
        if a["replicas"] != 1 or a["classes"]["required"] < 3:
            bad.append("%s/%s: replicas %d, %s" % (app, k, a["replicas"], a["classes"]))
if (s["replicas"] != 1 or s["jobs"] != 2 or not s["wall_seconds"] > 0 or
        s["ran"] != len(s["analyses"]) or
        abs(s["analysis_seconds"] - sum(a["seconds"] for a in s["analyses"])) > 1e-6):
    bad.append("summary %r" % {k: s[k] for k in ("replicas", "jobs", "wall_seconds",
                                                "ran", "analysis_seconds")})
print("; ".join(bad) or "same")
EOF
)
if [ "$out" = same ]; then
	ok "corpus.json: every analysis ok, its classes those of its analysis.json, confirmed, -r 1"
else
	not_ok "corpus.json: $out"
fi

# The export: one loupedb application per corpus application, read back
# to the classes of its analysis (an app with a real workload too has two
# workloads, merged conservatively: checked on the others).
"$C" loupedb import -o "$kb_tmp/back" "$O/loupedb" >"$kb_tmp/out" 2>"$kb_tmp/err"
out=$("$PY" - "$O" "$kb_tmp/back" "${SLICE[@]}" <<'EOF' 2>&1
import json, os, sys
out, back, apps = sys.argv[1], sys.argv[2], sys.argv[3:]
bad = []
for app in apps:
    conf = dict(l.split(":", 1) for l in open("corpus/%s/app.conf" % app)
                if ":" in l and not l.startswith("#"))
    name = conf["loupedb"].split()[0]
    j = json.load(open(os.path.join(back, name + ".json")))
    wls = sorted(r["workload"] for r in j["loupedb"]["runs"])
    want = ["benchmark-kbridge"] + (["benchmark-kbridge-real"] if "real" in conf else [])
    if wls != want:
        bad.append("%s: workloads %s" % (app, wls))
    if "real" in conf:
        continue
    a = json.load(open(os.path.join(out, app, "workload", "analysis.json")))
    if {s["nr"]: s["class"] for s in a["syscalls"]} != {s["nr"]: s["class"] for s in j["syscalls"]}:
        bad.append(app + ": classes differ")
print("; ".join(bad) or "same")
EOF
)
n=$(ls "$O"/loupedb/*/*/*/data/static_binary.csv 2>/dev/null | wc -l)
if [ "$out" = same ] && [ "$n" -ge "${#SLICE[@]}" ]; then
	ok "the export, imported back: one loupedb application each, benchmark-kbridge(-real), the analyses' classes; $n static_binary.csv"
else
	not_ok "the export imported back: $out"
	show "$kb_tmp/err" stderr
fi

if [ -d "$LDB" ]; then
	if [ "$(ls "$O/loupedb-imported" | wc -l)" = 113 ] &&
	   "$C" plan --json --os "$LDB/Kerla.syscalls" "$O/loupedb" "$O"/loupedb-imported/*.json \
		>"$kb_tmp/plan.json" 2>"$kb_tmp/err"; then
		n=$("$PY" -c 'import json, sys; j = json.load(open(sys.argv[1])); print(len(j["apps"]), j["steps"][-1]["apps_supported"])' "$kb_tmp/plan.json")
		if [ "$n" = "$((113 + ${#SLICE[@]})) $((113 + ${#SLICE[@]}))" ]; then
			ok "plan for Kerla: Loupe's 113 applications and the slice's exports, all supported in the end"
		else
			not_ok "plan for Kerla: $n"
		fi
	else
		not_ok "Loupe's database imported, planned with the export"
		show "$kb_tmp/err" stderr
	fi
else
	skip "plan with Loupe's applications" "no loupedb at $LDB"
fi

# Resuming: nothing changed, nothing runs; a changed workload (in a copy
# of the corpus) runs that analysis alone again.
stamp() { stat -c %Y "$O/$1/analysis.json"; }
before=$(stamp "${SLICE[0]}/workload")
nice -n 19 /usr/bin/python3 corpus/corpus.py -j 2 -o "$O" --loupedb "$LDB" "${SLICE[@]}" \
	>"$kb_tmp/run2.out" 2>"$kb_tmp/run2.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -Eq "^corpus: ([0-9]+) of \1 analyses are up to date$" "$kb_tmp/run2.err" &&
   ! grep -q '^corpus: \[' "$kb_tmp/run2.err" && [ "$(stamp "${SLICE[0]}/workload")" = "$before" ] &&
   [ "$(/usr/bin/python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); print(s["ran"], s["analysis_seconds"] > 0)' "$O/corpus.json")" = "0 True" ]; then
	ok "run again: every analysis up to date, none run (corpus.json: ran 0, the analyses' times kept)"
else
	not_ok "run again: exit status $rc"
	show "$kb_tmp/run2.err" stderr
fi
# Stopped (SIGTERM) in the middle of an analysis: corpus.py stops it and
# its runs (nothing of them left running) and exits 130; the same command
# then resumes that analysis (kbctl analyze --resume).
app=zstd
rm -rf "${O:?}/$app/workload"
nice -n 19 /usr/bin/python3 corpus/corpus.py -j 1 -o "$O" --loupedb "$LDB" "$app" \
	>"$kb_tmp/stop.out" 2>"$kb_tmp/stop.err" &
cp=$!
for _ in $(seq 600); do
	[ "$(ls "$O/$app/workload/runs" 2>/dev/null | grep -c '\.result$')" -ge 10 ] && break
	sleep 0.1
done
kill -TERM "$cp"
wait "$cp"
rc=$?
sleep 0.3
left=$(pgrep -fc "kblaunch --only /usr/bin/zstd|kbctl analyze .*corpus/zstd")
nice -n 19 /usr/bin/python3 corpus/corpus.py -j 1 -o "$O" --loupedb "$LDB" "$app" \
	>"$kb_tmp/resume.out" 2>"$kb_tmp/resume.err"
rrc=$?
if [ "$rc" = 130 ] && [ "$left" = 0 ] && grep -q '^corpus: stopped;' "$kb_tmp/stop.err" &&
   [ "$rrc" = 0 ] && grep -q "^corpus: \[1/1\] $app: ok, .*, resumed;" "$kb_tmp/resume.err"; then
	ok "SIGTERM mid-analysis: exit 130, nothing left running; the same command resumes it"
else
	not_ok "stop and resume: exit status $rc, $left processes left, then $rrc"
	show "$kb_tmp/stop.err" stderr
	show "$kb_tmp/resume.err" "stderr (resumed)"
fi

# (The copy: the corpus and the workloads' helpers it names.)
mkdir -p "$kb_tmp/tree/tests"
cp -r corpus "$kb_tmp/tree/"
cp -r tests/workloads "$kb_tmp/tree/tests/"
app=${SLICE[-1]}
echo "# changed" >>"$kb_tmp/tree/corpus/$app/workload.sh"
# A loupe-scope (lua's workload is a sh script: dash runs it) changes no
# analysis, and gets its trace.
echo "loupe-scope: /usr/bin/dash" >>"$kb_tmp/tree/corpus/${SLICE[0]}/app.conf"
nice -n 19 /usr/bin/python3 "$kb_tmp/tree/corpus/corpus.py" -j 2 -o "$O" --kbctl "$C" --loupedb "$LDB" \
	"${SLICE[@]}" >"$kb_tmp/run3.out" 2>"$kb_tmp/run3.err"
rc=$?
if [ "$rc" -eq 0 ] && [ "$(grep -c '^corpus: \[' "$kb_tmp/run3.err")" = 1 ] &&
   grep -q "^corpus: \[1/1\] $app: ok" "$kb_tmp/run3.err" &&
   [ "$(stamp "${SLICE[0]}/workload")" = "$before" ]; then
	ok "a changed workload: its analysis alone runs again"
else
	not_ok "a changed workload: exit status $rc"
	show "$kb_tmp/run3.err" stderr
fi
# The scope trace, and the cause it gives: "scope" where the extras make
# the call and Loupe's class is the stricter (or Loupe alone traced it).
scope=$(/usr/bin/python3 - "$O/${SLICE[0]}/workload/scope.json" <<'EOF'
import json, sys
sys.path.insert(0, "corpus")
import agreement
j = json.load(open(sys.argv[1]))
names = {s["name"] for s in j["syscalls"]}
rep = lambda cls: {"syscalls": [{"name": n, "class": c} for n, c in cls.items()]}
kb = rep({"read": "either", "wait4": "required", "openat": "fake", "brk": "required"})
lp = rep({"read": "required", "wait4": "either", "openat": "required", "brk": "required",
          "vfork": "stub"})
causes = lambda sc: {d["syscall"]: d["cause"] for d in
                     agreement.compare(kb, lp, scope=sc)["differences"]}
got = (causes({"read", "wait4", "vfork"}), causes(()))
want = ({"read": "scope", "wait4": "version", "openat": "version", "vfork": "scope"},
        {"read": "version", "wait4": "version", "openat": "version", "vfork": "workload"})
print("same" if {"execve", "wait4", "read"} <= names and got == want else
      "traced %s; causes %s" % (sorted(names), got))
EOF
)
if [ "$scope" = same ]; then
	ok "loupe-scope: traced under the workload (dash's execve, read, wait4...); 'scope' explains only a stricter Loupe"
else
	not_ok "loupe-scope: $scope"
fi
# The report: agreement, plans, figures, pages; checked against the
# analyses and in headless Chromium (tests/host/corpus_report.py).
if nice -n 19 /usr/bin/python3 corpus/report.py -o "$O" --loupedb "$LDB" >"$kb_tmp/rep.out" 2>"$kb_tmp/rep.err" &&
   grep -q "^report: $O/report/index.html: ${#SLICE[@]} applications" "$kb_tmp/rep.out"; then
	ok "report.py: $(cut -d: -f3- "$kb_tmp/rep.out")"
else
	not_ok "report.py"
	show "$kb_tmp/rep.out" stdout
	show "$kb_tmp/rep.err" stderr
fi
while IFS= read -r line; do
	case $line in
	"ok - "*" # SKIP "*) line=${line#ok - }; skip "${line% # SKIP *}" "${line##* # SKIP }" ;;
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	*) echo "# $line" ;;
	esac
done < <(nice -n 19 /usr/bin/python3 tests/host/corpus_report.py "$O" 2>&1)

expect_error "an application the corpus does not have" "no application nosuchapp" -- \
	/usr/bin/python3 corpus/corpus.py -o "$O" nosuchapp
kb_done
