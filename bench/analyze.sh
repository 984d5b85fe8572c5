#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench-analyze`: kbctl analyze's own benchmark. For each
# application (redis and nginx by default, their workloads in
# tests/workloads/), the fast (group) method and --exhaustive (Loupe's
# one syscall per configuration) with the same replicas: workload runs,
# wall time, the classes each finds and whether they agree, and the share
# of traced syscalls that can be stubbed or faked; next to the figures
# the Loupe paper published for the same applications (../shared anchors,
# quoted in bench/README.md).
#
# Runs where it is started: with /dev/kbridge (the guest) kblaunch
# decides in the kernel, without it in the process. Results (table.txt,
# results.json and both analyses per app) go to
# bench/results/analyze-<date>-<commit>/.
#
# usage: bench/analyze.sh [-r REPLICAS] [-j JOBS] [APP...]
#   APP: redis, nginx, memcached, sqlite3, python3, coreutils
# env:  BENCH_RESULTS (directory for this run's files)
set -u
cd "$(dirname "$0")/.." || exit 2
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

reps=3 jobs=1
while getopts r:j:h o; do
	case $o in
	r) reps=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
apps=("$@")
[ ${#apps[@]} -eq 0 ] && apps=(redis nginx)

C=$PWD/.output/kbctl
if [ ! -x "$C" ]; then
	echo "bench-analyze: $C missing (make userland)" >&2
	exit 2
fi
commit=$(git rev-parse --short HEAD 2>/dev/null || echo nogit)
[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && commit=$commit-dirty
dir=${BENCH_RESULTS:-bench/results/analyze-$(date +%Y%m%d-%H%M%S)-$commit}
mkdir -p "$dir" || exit 2

# app_of NAME: the executable the workload of NAME runs
app_of() {
	case $1 in
	redis) command -v redis-server ;;
	nginx) command -v nginx || echo /usr/sbin/nginx ;;
	coreutils) command -v sort ;;
	python3) realpath /usr/bin/python3 ;;
	*) command -v "$1" ;;
	esac
}

rc=0
for name in "${apps[@]}"; do
	w=$PWD/tests/workloads/$name.sh
	app=$(app_of "$name")
	if [ ! -x "$w" ] || [ -z "$app" ] || [ ! -x "$app" ]; then
		echo "bench-analyze: $name: no workload ($w) or no application ($app)" >&2
		rc=1
		continue
	fi
	for method in groups exhaustive; do
		opt=
		[ "$method" = exhaustive ] && opt=--exhaustive
		echo "# $name, $method, -r $reps -j $jobs: $C analyze $opt --app $app -- $w" >&2
		"$C" analyze $opt -r "$reps" -j "$jobs" --app "$app" -o "$dir/$name-$method" -- "$w" \
			>"$dir/$name-$method.out" 2>"$dir/$name-$method.err"
		st=$?
		tail -n 1 "$dir/$name-$method.out" >&2
		[ "$st" -eq 0 ] || { echo "bench-analyze: $name $method: exit status $st (see $dir/$name-$method.err)" >&2; rc=1; }
	done
done

"$PY" - "$dir" "$reps" "${apps[@]}" <<'EOF' | tee "$dir/table.txt"
import json, os, sys

d, reps, apps = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
# The Loupe paper (ASPLOS'24), benchmark workloads: traced, stub-only,
# fake-only, either, required; runs = replicas x (2 x traced + 2).
loupe = {"redis": (40, 0, 3, 17, 20), "nginx": (50, 1, 13, 17, 19),
         "sqlite3": (29, 3, 4, 11, 11)}
rows, out = [], {"replicas": reps, "apps": {}}
def load(name, method):
    try:
        return json.load(open(os.path.join(d, f"{name}-{method}", "analysis.json")))
    except (OSError, ValueError):
        return None
def keyed(r):
    return {(s["name"], s.get("condition", "")): s["class"]
            for s in r["syscalls"] + r.get("subfeatures", []) + r.get("pseudo_files", [])} if r else {}
hdr = ("app", "method", "traced", "req", "stub", "fake", "either", "can go", "runs", "wall s", "agree")
fmt = "%-9s %-12s %6s %5s %5s %5s %6s %7s %6s %8s  %s"
print(fmt % hdr)
for name in apps:
    g, x = load(name, "groups"), load(name, "exhaustive")
    agree = None
    if g and x:
        kg, kx = keyed(g), keyed(x)
        diff = sorted(k for k in set(kg) | set(kx) if kg.get(k) != kx.get(k))
        agree = not diff
    entry = {}
    for method, r in (("groups", g), ("exhaustive", x)):
        if not r:
            print(fmt % (name, method, "-", "-", "-", "-", "-", "-", "-", "-", "failed"))
            continue
        c = r["classes"]
        n = len(r["syscalls"])
        share = (n - c["required"]) / n if n else 0
        print(fmt % (name, method, n, c["required"], c["stub"], c["fake"], c["either"],
                     "%.0f%%" % (100 * share), r["runs"], "%.0f" % r["wall_seconds"],
                     "-" if agree is None else "yes" if agree else "NO"))
        entry[method] = {"traced": n, "classes": c, "share_can_go": share, "runs": r["runs"],
                         "tests": r["tests"], "wall_seconds": r["wall_seconds"],
                         "subfeatures": len(r.get("subfeatures", [])),
                         "pseudo_files": len(r.get("pseudo_files", [])),
                         "confirmed": r["confirmation"]["passed"]}
    if name in loupe:
        t, so, fo, ei, rq = loupe[name]
        runs = 3 * (2 * t + 2)
        print(fmt % (name, "Loupe paper", t, rq, so, fo, ei, "%.0f%%" % (100 * (t - rq) / t),
                     runs, "-", "(3 replicas)"))
        entry["loupe_paper"] = {"traced": t, "required": rq, "stub": so, "fake": fo, "either": ei,
                                "runs_3_replicas": runs}
    if g and x:
        entry["agree"] = agree
        entry["runs_ratio"] = g["runs"] / x["runs"]
        entry["wall_ratio"] = g["wall_seconds"] / x["wall_seconds"] if x["wall_seconds"] else None
        print("%-9s groups/exhaustive: runs x%.2f, wall time x%.2f%s" % (
            name, entry["runs_ratio"], entry["wall_ratio"] or 0,
            "" if agree else "; they DISAGREE on: " + ", ".join(
                "%s%s" % (k[0], " " + k[1] if k[1] else "") for k in diff)))
    out["apps"][name] = entry
json.dump(out, open(os.path.join(d, "results.json"), "w"), indent=2)
sys.exit(0 if all(e.get("agree") for e in out["apps"].values()) else 1)
EOF
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
echo "# bench-analyze: results in $dir" >&2
exit $rc
