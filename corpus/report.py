#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The corpus's report, from what corpus.py left in OUT: agreement with
Loupe's database (agreement.py), support plans for loupedb's 11 OS lists
(kbctl plan), Loupe's figures (plots.py) and a static HTML report
(pages.py) in OUT/report/, with every number drawn or shown in
OUT/report/report.json.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

import agreement
import pages
import plots
from corpus import ROOT, ConfError, load_corpus


def load(path):
    with open(path) as f:
        return json.load(f)


def kbctl_json(kbctl, args):
    p = subprocess.run([kbctl] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode:
        raise RuntimeError("kbctl %s: %s" % (" ".join(args[:2]), p.stderr.strip()))
    return p.stdout


def loupe_runs(kbctl, ldb, name, tmp):
    """Loupe's runs of application @name one by one (imported)."""
    out = []
    for i, run in enumerate(sorted(glob.glob(os.path.join(ldb, name, "*", "*")))):
        if os.path.isfile(os.path.join(run, "data", "dyn.csv")):
            d = os.path.join(tmp, "%s-%d" % (name, i))
            kbctl_json(kbctl, ["loupedb", "import", "-o", d, run])
            out.append(load(os.path.join(d, name + ".json")))
    return out


def beyond(kb, real, lp):
    """What kbridge's analysis has that Loupe's data cannot hold."""
    def classed(xs):
        return [x for x in xs if x.get("class") not in (None, "untested")]
    sub, pf = classed(kb.get("subfeatures", [])), classed(kb.get("pseudo_files", []))
    k = agreement.classes(kb)
    r = {
        "subfeatures": len(sub),
        "subfeatures_partial": sorted({"%s %s" % (x["name"], x["condition"]) for x in sub
                                       if x["class"] != "required" and k.get(x["name"]) == "required"}),
        "pseudo_files": len(pf),
        "vdso_calls": sorted(set(k) & agreement.VDSO_CALLS),
        "io_uring_ops": len((kb.get("io_uring") or {}).get("ops", [])),
    }
    if real is not None:
        kr = agreement.classes(real)
        r["real_only"] = sorted(set(kr) - set(k))
        r["real_not_in_loupe"] = sorted(set(kr) - set(agreement.classes(lp))) if lp else None
    return r


def scope_calls(out, conf):
    """The syscalls of app.conf's loupe-scope executables (corpus.py's
    trace of them under the workload), None without one."""
    if "loupe-scope" not in conf:
        return None
    try:
        return {s["name"] for s in load(os.path.join(out, conf["name"], "workload",
                                                   "scope.json"))["syscalls"]}
    except (OSError, ValueError, KeyError):
        return None


def main():
    ap = argparse.ArgumentParser(description="The corpus's report: agreement with "
                                 "Loupe, support plans, figures and HTML pages.")
    ap.add_argument("-o", "--out", default=os.path.join(ROOT, ".output", "corpus"),
                    help="corpus.py's results (default .output/corpus); the report "
                    "goes to OUT/report")
    ap.add_argument("--loupedb", default=os.environ.get(
        "KB_LOUPEDB", os.path.join(ROOT, "..", "shared", "loupedb")))
    ap.add_argument("--kbctl", default=os.path.join(ROOT, ".output", "kbctl"))
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    rep = os.path.join(out, "report")
    try:
        confs = {c["name"]: c for c in load_corpus()}
        summary = load(os.path.join(out, "corpus.json"))
    except (ConfError, OSError, ValueError) as e:
        print("report: %s (run corpus.py first)" % e, file=sys.stderr)
        return 1
    # The applications corpus.py analysed (all, or those it was given).
    ran = {a["app"] for a in summary["analyses"]}
    confs = {a: c for a, c in confs.items() if a in ran}
    have_ldb = os.path.isdir(os.path.join(out, "loupedb-imported"))
    shutil.rmtree(rep, ignore_errors=True)
    os.makedirs(os.path.join(rep, "apps"))
    tmp = os.path.join(rep, "loupe-runs")

    done = {(a["app"], a["kind"]): a for a in summary["analyses"] if a["status"] == "ok"}
    kb, real = {}, {}
    for (app, kind) in done:
        j = load(os.path.join(out, app, kind, "analysis.json"))
        (kb if kind == "workload" else real)[app] = j
    loupe = {}
    if have_ldb:
        for f in sorted(glob.glob(os.path.join(out, "loupedb-imported", "*.json"))):
            loupe[os.path.basename(f)[:-5]] = load(f)

    # Agreement, for each corpus app that loupedb has.
    rows = {}
    for app in sorted(kb):
        name = confs[app]["loupedb"] if app in confs else "-"
        if name == "-" or name not in loupe:
            continue
        runs = loupe_runs(args.kbctl, args.loupedb, name, tmp) if os.path.isdir(args.loupedb) else []
        scope = scope_calls(out, confs[app])
        r = agreement.compare(kb[app], loupe[name], runs,
                              weak_test=confs[app].get("loupe-test") in ("null", "loose", "version"),
                              scope=scope or ())
        r.update(app=app, loupedb=name, loupe_runs=len(runs),
                 loupe_scope=None if scope is None else sorted(scope),
                 loupe_test=confs[app].get("loupe-test"), differs=confs[app].get("differs"))
        rows[app] = r
    shutil.rmtree(tmp, ignore_errors=True)
    tot = agreement.total(list(rows.values())) if rows else None

    # Plans for loupedb's OS lists: the corpus's apps, Loupe's, both.
    oses = sorted(glob.glob(os.path.join(args.loupedb, "*.syscalls")))
    kb_reports = [os.path.join(out, a, "workload", "analysis.json") for a in sorted(kb)]
    plans_by_os, plan_json = {}, {}
    for os_file in oses:
        os_name = os.path.basename(os_file)[:-len(".syscalls")]
        plan_json[os_name] = {}
        sets = [("kbridge corpus", kb_reports)]
        if loupe:
            sets.append(("loupedb", sorted(glob.glob(os.path.join(out, "loupedb-imported", "*.json")))))
        for label, reps in sets:
            if reps:
                plan_json[os_name][label] = json.loads(kbctl_json(
                    args.kbctl, ["plan", "--json", "--os", os_file] + reps))
        plans_by_os[os_name] = [(l, plan_json[os_name][l]) for l in plan_json[os_name]]

    # Figures.
    kb_cls = {a: agreement.classes(j) for a, j in kb.items()}
    datasets = [("kbridge corpus", kb_cls)]
    if loupe:
        datasets.append(("loupedb", {a: agreement.classes(j) for a, j in loupe.items()}))
    figures = {"cumulative": plots.cumulative(datasets, rep),
               "heatmap": plots.heatmap(kb_cls, rep)}
    if plans_by_os:
        figures["plans"] = plots.plans(plans_by_os, rep)

    apps = []
    for a in sorted(confs):
        c = confs[a]
        row = {"app": a, "loupedb": c["loupedb"], "loupe_test": c.get("loupe-test"),
               "differs": c.get("differs"), "analyses": {}}
        for kind in ("workload", "real"):
            s = done.get((a, kind))
            if s:
                row["analyses"][kind] = {"classes": s["classes"], "runs": s["runs"],
                                         "seconds": s["seconds"], "confirmed": s["confirmed"]}
        if a in kb:
            row["beyond"] = beyond(kb[a], real.get(a), loupe.get(c["loupedb"]))
        apps.append(row)
    bey = [a["beyond"] for a in apps if "beyond" in a]
    beyond_total = {
        "apps": len(bey),
        "subfeatures": sum(b["subfeatures"] for b in bey),
        "subfeatures_partial": sum(len(b["subfeatures_partial"]) for b in bey),
        "apps_with_partial": sum(bool(b["subfeatures_partial"]) for b in bey),
        "pseudo_files": sum(b["pseudo_files"] for b in bey),
        "apps_with_vdso_calls": sum(bool(b["vdso_calls"]) for b in bey),
        "vdso_calls": sum(len(b["vdso_calls"]) for b in bey),
        "real_workloads": sum("real_only" in b for b in bey),
        "real_only": sum(len(b.get("real_only", [])) for b in bey),
        "real_not_in_loupe": sum(len(b.get("real_not_in_loupe") or []) for b in bey),
    }
    report = {
        "corpus": {"apps": len(confs), "analyses": len(summary["analyses"]),
                   "ok": len(done), "wall_seconds": summary["wall_seconds"],
                   "ran": summary.get("ran"),
                   "analysis_seconds": summary.get("analysis_seconds"),
                   "jobs": summary["jobs"], "replicas": summary["replicas"],
                   "cpus": summary.get("cpus"), "cpu_busy": summary.get("cpu_busy"),
                   "failed": [("%s/%s" % (a["app"], a["kind"]), a.get("why"))
                              for a in summary["analyses"] if a["status"] != "ok"]},
        "apps": apps,
        "beyond": beyond_total,
        "agreement": {"apps": rows, "total": tot, "causes": agreement.CAUSES},
        "plans": {os_name: {label: {"apps": len(p["apps"]),
                                    "steps": [[s["syscalls_implemented"], s["apps_supported"],
                                               s["implement"]] for s in p["steps"]]}
                            for label, p in v.items()} for os_name, v in plan_json.items()},
        "figures": figures,
    }
    with open(os.path.join(rep, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    pages.write(report, kb, rep)
    n = len(rows)
    print("report: %s/index.html: %d applications, %d compared with loupedb%s" % (
        rep, len(confs), n, "" if not tot else
        ", agreement %.1f %%, Loupe's required found required %.1f %%"
        % (100 * tot["agreement"], 100 * tot["required_recall"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
