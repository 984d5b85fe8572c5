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
# usage: bench/analyze.sh [-g] [-r REPLICAS] [-j JOBS] [APP...]
#   APP: redis, nginx, memcached, sqlite3, python3, coreutils
#   -g: in make bench's guest (bench/bench.sh), whose files are lost at
#       poweroff: load the built kbridge.ko first if /dev/kbridge is
#       missing (and unload it at the end), and print the outcome on
#       stdout as ANALYZE| lines for bench/report.py:
#         ANALYZE|begin|ARGS            at the start
#         ANALYZE|error|MESSAGE         what went wrong, if anything
#         ANALYZE|table|LINE            table.txt, line by line
#         ANALYZE|json|RESULTS          results.json on one line
#         ANALYZE|end|status=N|seconds=S
# env:  BENCH_RESULTS (directory for this run's files)
set -u
cd "$(dirname "$0")/.." || exit 2
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

reps=3 jobs=1 guest=0 usage=0 args="$*"
while getopts gr:j:h o; do
	case $o in
	g) guest=1 ;;
	r) reps=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) usage=1 ;;
	esac
done
shift $((OPTIND - 1))
apps=("$@")
[ ${#apps[@]} -eq 0 ] && apps=(redis nginx)

t0=$(date +%s)
errors=()
# err MESSAGE: on stderr, and kept for the ANALYZE|error lines
err() {
	echo "bench-analyze: $*" >&2
	errors+=("$(printf '%s' "$*" | tr '\r\n' '  ')")
}
# shellcheck source=bench/guest.sh
. bench/guest.sh
tried=0
trap bench_unload_module EXIT
# finish STATUS: exit, after the ANALYZE| lines under -g
finish() {
	local e
	if [ "$guest" = 1 ]; then
		for e in ${errors[@]+"${errors[@]}"}; do
			printf 'ANALYZE|error|%s\n' "$e"
		done
		[ -n "${dir-}" ] && [ -f "$dir/table.txt" ] && sed 's/^/ANALYZE|table|/' "$dir/table.txt"
		# Indented JSON has newlines only between tokens.
		[ -n "${dir-}" ] && [ -f "$dir/results.json" ] &&
			echo "ANALYZE|json|$(tr -d '\n' <"$dir/results.json")"
		echo "ANALYZE|end|status=$1|seconds=$(($(date +%s) - t0))"
	fi
	exit "$1"
}
[ "$guest" = 1 ] && echo "ANALYZE|begin|$args"
if [ "$usage" = 1 ]; then
	sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	err "usage: bench/analyze.sh [-g] [-r REPLICAS] [-j JOBS] [APP...] (given: $args)"
	finish 2
fi
for v in "$reps" "$jobs"; do
	case $v in ''|*[!0-9]*|0) err "-r and -j take a positive integer (given: $args)"; finish 2 ;; esac
done

# load_module: under -g, kbridge.ko (bench/guest.sh)
load_module() {
	tried=1
	[ "$guest" = 1 ] || return 0
	bench_load_module || { err "$bench_module_err"; rc=1; }
}

[ "$guest" = 1 ] && bench_guest_bounds

C=$PWD/.output/kbctl
if [ ! -x "$C" ]; then
	err "$C missing (make userland)"
	finish 2
fi
commit=$(git rev-parse --short HEAD 2>/dev/null || echo nogit)
[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && commit=$commit-dirty
dir=${BENCH_RESULTS:-bench/results/analyze-$(date +%Y%m%d-%H%M%S)-$commit}
mkdir -p "$dir" || { err "cannot create $dir"; dir=; finish 2; }
rm -f "$dir/table.txt" "$dir/results.json"

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
		err "$name: no workload ($w) or no application ($app)"
		rc=1
		continue
	fi
	[ "$tried" = 1 ] || load_module
	for method in groups exhaustive; do
		opt=
		[ "$method" = exhaustive ] && opt=--exhaustive
		echo "# $name, $method, -r $reps -j $jobs: $C analyze $opt --app $app -- $w" >&2
		run=("$C" analyze ${opt:+"$opt"} -r "$reps" -j "$jobs" --app "$app" -o "$dir/$name-$method" -- "$w")
		if [ "$guest" = 1 ]; then
			# The guest's files are lost: its log keeps the progress
			# (one line per run), for a run that fails or never ends.
			"${run[@]}" 2>&1 >"$dir/$name-$method.out" |
				tee "$dir/$name-$method.err" | sed -u 's/^/# /' >&2
			st=${PIPESTATUS[0]}
		else
			"${run[@]}" >"$dir/$name-$method.out" 2>"$dir/$name-$method.err"
			st=$?
		fi
		tail -n 1 "$dir/$name-$method.out" >&2
		if [ "$st" -ne 0 ]; then
			err "$name $method: exit status $st: $(tail -n 3 "$dir/$name-$method.err" | tr '\n' ' ' | cut -c1-300)"
			rc=1
		fi
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
        # Each method traces its own baseline: an application that makes
        # a call only now and then (in the guest, where every
        # clock_gettime is a syscall, sqlite3 does) can give one method a
        # syscall the other never saw. The methods are compared on what
        # both traced; the rest is listed.
        kg, kx = keyed(g), keyed(x)
        diff = sorted(k for k in set(kg) & set(kx) if kg[k] != kx[k])
        only = {"groups": sorted(set(kg) - set(kx)), "exhaustive": sorted(set(kx) - set(kg))}
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
                         "confirmed": r["confirmation"]["passed"],
                         "phases": r.get("phases"), "ended": r.get("ended")}
    if name in loupe:
        t, so, fo, ei, rq = loupe[name]
        runs = 3 * (2 * t + 2)
        print(fmt % (name, "Loupe paper", t, rq, so, fo, ei, "%.0f%%" % (100 * (t - rq) / t),
                     runs, "-", "(3 replicas)"))
        entry["loupe_paper"] = {"traced": t, "required": rq, "stub": so, "fake": fo, "either": ei,
                                "runs_3_replicas": runs}
    if g and x:
        def names(keys):
            return ", ".join("%s%s" % (k[0], " " + k[1] if k[1] else "") for k in keys)
        entry["agree"] = agree
        entry["disagree_on"] = [names([k]) for k in diff]
        entry["traced_by_one_only"] = {m: [names([k]) for k in ks] for m, ks in only.items()}
        entry["runs_ratio"] = g["runs"] / x["runs"]
        entry["wall_ratio"] = g["wall_seconds"] / x["wall_seconds"] if x["wall_seconds"] else None
        print("%-9s groups/exhaustive: runs x%.2f, wall time x%.2f%s%s" % (
            name, entry["runs_ratio"], entry["wall_ratio"] or 0,
            "" if agree else "; they DISAGREE on: " + names(diff),
            "".join("; only %s traced (not compared): %s" % (m, names(ks))
                    for m, ks in only.items() if ks)))
        # Issue 24's target: at least 3x less wall time than --exhaustive.
        w = entry["wall_ratio"]
        entry["target_wall_ratio"] = 1 / 3
        entry["target_met"] = bool(w and w <= 1 / 3)
        print("%-9s target: groups' wall time <= 1/3 of --exhaustive's: %s" % (
            name, "met" if entry["target_met"] else "MISSED (x%.2f, %.1fx less)" % (w or 0, 1 / w if w else 0)))
    # Where each method's time went, by phase and by how runs ended.
    for method, r in (("groups", g), ("exhaustive", x)):
        if not r or "phases" not in r:
            continue
        print("%-9s %-12s phases: %s" % (name, method, ", ".join(
            "%s %d/%.0f s" % (k, v["runs"], v["seconds"]) for k, v in r["phases"].items() if v["runs"])))
        print("%-9s %-12s ended:  %s" % (name, method, ", ".join(
            "%s %d/%.0f s" % (k, v["runs"], v["seconds"]) for k, v in r["ended"].items() if v["runs"])))
    out["apps"][name] = entry
json.dump(out, open(os.path.join(d, "results.json"), "w"), indent=2)
sys.exit(0 if all(e.get("agree") for e in out["apps"].values()) else 1)
EOF
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
echo "# bench-analyze: results in $dir" >&2
finish $rc
