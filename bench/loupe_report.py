#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
bench/loupe.sh's comparison: DIR APP... -> the table on stdout and
DIR/results.json. Per APP, DIR holds APP-syscalls/ and APP-full/ (kbctl
analyze's output directories), APP-loupe.csv (explore.py --output-csv)
and APP-loupe.time ("START END RUNS"). Exit status 1 when Loupe or the
syscall-level analysis has no result for an application.
"""
import json, os, sys

d, apps = sys.argv[1], sys.argv[2:]
out = {"apps": {}}
fmt = "%-8s %-22s %6s %5s %5s %5s %6s %6s %8s  %s"
print(fmt % ("app", "analysis", "traced", "req", "stub", "fake", "either", "runs",
             "wall s", "agree with Loupe"))

def kbridge(name, depth):
    try:
        r = json.load(open(os.path.join(d, f"{name}-{depth}", "analysis.json")))
    except (OSError, ValueError):
        return None
    return {"classes": {s["nr"]: s["class"] for s in r["syscalls"]},
            "names": {s["nr"]: s["name"] for s in r["syscalls"]}, "runs": r["runs"],
            "wall": r["wall_seconds"], "phases": r["phases"], "ended": r["ended"],
            "items": len(r["syscalls"]) + len(r["subfeatures"]) + len(r["pseudo_files"])}

def loupe(name):
    try:
        t0, t1, runs = open(os.path.join(d, f"{name}-loupe.time")).read().split()
        rows = open(os.path.join(d, f"{name}-loupe.csv")).read().splitlines()
    except (OSError, ValueError):
        return None
    classes = {}
    for line in rows:
        f = line.split(",")
        if len(f) != 5 or not f[0].isdigit() or f[1] != "Y":
            continue
        # "works faked", "works stubbed", "works both" are exclusive:
        # the first two say "and not the other way".
        classes[int(f[0])] = ("either" if f[4] == "Y" else "stub" if f[3] == "Y" else
                              "fake" if f[2] == "Y" else "required")
    if not classes:
        return None
    return {"classes": classes, "runs": int(runs), "wall": float(t1) - float(t0)}

def counts(c):
    v = list(c.values())
    return [v.count(k) for k in ("required", "stub", "fake", "either")]

for name in apps:
    lo, ks, kf = loupe(name), kbridge(name, "syscalls"), kbridge(name, "full")
    e = {}
    for label, key, r in (("Loupe explore.py", "loupe", lo),
                          ("kbridge syscall level", "kbridge_syscalls", ks),
                          ("kbridge full depth", "kbridge_full", kf)):
        if not r:
            print(fmt % (name, label, "-", "-", "-", "-", "-", "-", "-", "failed"))
            continue
        agree = "-"
        if lo and r is not lo:
            common = sorted(set(r["classes"]) & set(lo["classes"]))
            diff = [n for n in common if r["classes"][n] != lo["classes"][n]]
            agree = "%d of %d" % (len(common) - len(diff), len(common))
            r["agree"] = {"common": len(common), "same": len(common) - len(diff),
                          "differ": {r["names"].get(n, str(n)): {"kbridge": r["classes"][n],
                                                                 "loupe": lo["classes"][n]}
                                     for n in diff},
                          "only_kbridge": sorted(set(r["classes"]) - set(lo["classes"])),
                          "only_loupe": sorted(set(lo["classes"]) - set(r["classes"]))}
        print(fmt % ((name, label, len(r["classes"])) + tuple(counts(r["classes"])) +
                     (r["runs"], "%.0f" % r["wall"], agree)))
        e[key] = {k: v for k, v in r.items() if k not in ("classes", "names")}
        e[key]["classes"] = dict(zip(("required", "stub", "fake", "either"), counts(r["classes"])))
    if kf:
        ph = kf["phases"]
        for label, keys in (("sub-features", ("discovery", "subfeatures")),
                            ("side effects", ("effects",)),
                            ("confirmation", ("confirmation",)),
                            ("replicas", ("replicas",))):
            runs = sum(ph[k]["runs"] for k in keys)
            secs = sum(ph[k]["seconds"] for k in keys)
            print("%-8s   full depth: %-13s %4d runs, %6.0f s%s" % (
                name, label, runs, secs,
                "  (%d items besides whole syscalls)" % (kf["items"] - len(kf["classes"]))
                if label == "sub-features" else ""))
    if lo and ks:
        rr, wr = ks["runs"] / lo["runs"], ks["wall"] / lo["wall"]
        e["targets"] = {"runs_ratio": rr, "runs_met": rr <= 0.40,
                        "wall_ratio": wr, "wall_met": wr <= 0.20}
        for what, ratio, bound, met in (("runs", rr, "<= 0.40", rr <= 0.40),
                                        ("wall time", wr, "<= 0.20 (5x less)", wr <= 0.20)):
            print("%-8s target: kbridge syscall level / Loupe %s %s: x%.2f, %s" % (
                name, what, bound, ratio, "met" if met else "MISSED"))
    for n, r in (("syscall level", ks), ("full depth", kf)):
        if r and r.get("agree") and r["agree"]["differ"]:
            print("%-8s %s differs from Loupe on %s" % (name, n, ", ".join(
                "%s (kbridge %s, Loupe %s)" % (k, v["kbridge"], v["loupe"])
                for k, v in r["agree"]["differ"].items())))
    out["apps"][name] = e
json.dump(out, open(os.path.join(d, "results.json"), "w"))
ok = all(e.get("loupe") and e.get("kbridge_syscalls") for e in out["apps"].values())
sys.exit(0 if ok else 1)
