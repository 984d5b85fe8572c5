#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the BENCH| lines of bench/run-guest.sh into the benchmark table.

Prints the table and the summary lines on stdout, and writes
results.json and (when matplotlib is there) ratios.png into OUTDIR.
"""
import argparse
import json
import os
import statistics
import sys


def is_rate(key):
    """A row whose value is a rate (higher is better), not ns per call."""
    return key == "rps" or key.endswith("_per_s")


def parse_rows(path):
    """Rows and summary specs of a rows file, in file order."""
    rows, summary = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split("|")]
            if line.startswith("@"):
                kind = parts[0][1:].strip()
                if kind == "ratio" and len(parts) == 5:
                    summary.append({"kind": kind, "label": parts[1],
                                    "a": parts[2], "b": parts[3],
                                    "target": parts[4]})
                elif kind == "versus" and len(parts) == 4:
                    summary.append({"kind": kind, "label": parts[1],
                                    "a": parts[2], "b": parts[3]})
                else:
                    sys.exit(f"{path}: bad summary line: {line}")
                continue
            if len(parts) < 7:
                sys.exit(f"{path}: bad row: {line}")
            ref, paired = parts[1], parts[1].startswith("=")
            if paired:
                ref = ref[1:].strip()
            rows.append({"name": parts[0], "ref": ref, "paired": paired,
                         "rate": is_rate(parts[5]),
                         "command": "|".join(parts[6:]).strip()})
    return rows, summary


def parse_log(path):
    """Measurements, n/a reasons, failures and environment of a run."""
    ns, iters, na, fail, env = {}, {}, {}, {}, {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.startswith("BENCH|"):
                continue
            p = line.split("|")
            if p[1] == "ok" and len(p) == 6:
                ns.setdefault(p[2], []).append(float(p[4]))
                iters[p[2]] = int(p[5])
            elif p[1] == "na" and len(p) >= 4:
                na[p[2]] = "|".join(p[3:])
            elif p[1] == "fail" and len(p) >= 5:
                fail.setdefault(p[2], "|".join(p[4:]))
            elif p[1] == "env":
                for kv in p[2:]:
                    k, _, v = kv.partition("=")
                    env[k] = v
    return ns, iters, na, fail, env


def quartiles(v):
    if len(v) < 4:
        return None
    q = statistics.quantiles(v, n=4, method="inclusive")
    return q[0], q[2]


def build(rows, ns, iters, na, fail, expected_reps):
    out = []
    for r in rows:
        name = r["name"]
        e = {"name": name, "ref": None if r["ref"] == "-" else r["ref"],
             "paired": r["paired"], "rate": r["rate"],
             "command": r["command"], "status": "ok", "reason": None,
             "reps": 0, "iters": None, "ns": [], "median": None,
             "min": None, "max": None, "iqr": None, "ratio": None}
        if name in fail:
            e["status"], e["reason"] = "fail", fail[name]
        elif name in na:
            e["status"], e["reason"] = "n/a", na[name]
        elif name not in ns:
            e["status"], e["reason"] = "fail", "no measurement"
        elif len(ns[name]) != expected_reps:
            e["status"] = "fail"
            e["reason"] = f"{len(ns[name])} of {expected_reps} repetitions"
        if name in ns:
            v = ns[name]
            e.update(reps=len(v), iters=iters.get(name), ns=v,
                     median=statistics.median(v), min=min(v), max=max(v),
                     iqr=quartiles(v))
        out.append(e)
    by = {e["name"]: e for e in out}
    for e in out:
        ref = by.get(e["ref"]) if e["ref"] else None
        if e["status"] == "ok" and ref and ref["status"] == "ok" and \
                e["paired"]:
            # Both measured by the same run, repetition by repetition:
            # the ratio within each run, then their median.
            e["ratio"] = statistics.median(
                a / b for a, b in zip(e["ns"], ref["ns"]))
        elif e["status"] == "ok" and ref and ref["status"] == "ok" and \
                e["rate"] != ref["rate"]:
            e["status"] = "fail"
            e["reason"] = f"a rate and a time cannot be compared ({e['ref']})"
        elif e["status"] == "ok" and ref and ref["status"] == "ok":
            e["ratio"] = e["median"] / ref["median"]
        elif e["status"] == "ok" and not e["ref"]:
            e["ratio"] = 1.0
    return out


def fmt_ns(x):
    return f"{x:.1f}" if x < 1000 else f"{x:.0f}"


def fmt_value(e, x):
    """ns per call as a bare number, a rate with its unit."""
    return fmt_ns(x) + ("/s" if e["rate"] else "")


def slowdown(e):
    """How many times slower than its reference, whatever the unit."""
    if e["ratio"] is None:
        return None
    return 1 / e["ratio"] if e["rate"] and e["ratio"] else e["ratio"]


def table(out):
    head = ("configuration", "ns/call", "spread (min..max)", "ratio", "iters")
    # A rate row's ratio is its rate over its reference's: >1 is faster.
    lines = []
    for e in out:
        if e["status"] != "ok":
            label = "n/a" if e["status"] == "n/a" else "FAIL"
            lines.append((e["name"], f"{label} ({e['reason']})", None))
            continue
        ratio = f"{e['ratio']:.2f}" if e["ratio"] is not None else "-"
        if e["ref"] and e["ratio"] is not None and e["paired"]:
            ratio += f" (to {e['ref']}, paired)"
        elif e["ref"] and e["ratio"] is not None and \
                not e["ref"].endswith("native"):
            ratio += f" (to {e['ref']})"
        lines.append((e["name"], None,
                      (fmt_value(e, e["median"]),
                       f"{fmt_ns(e['min'])}..{fmt_value(e, e['max'])}",
                       ratio, str(e["iters"]))))
    w0 = max(len(head[0]), *(len(n) for n, _, _ in lines))
    cells = [c for _, _, c in lines if c]
    w = [max([len(head[i + 1])] + [len(c[i]) for c in cells])
         for i in range(4)]
    res = [f"{head[0]:<{w0}}  {head[1]:>{w[0]}}  {head[2]:<{w[1]}}  "
           f"{head[3]:<{w[2]}}  {head[4]:>{w[3]}}",
           "-" * (w0 + sum(w) + 8)]
    for name, msg, c in lines:
        if msg:
            res.append(f"{name:<{w0}}  {msg}")
        else:
            res.append(f"{name:<{w0}}  {c[0]:>{w[0]}}  {c[1]:<{w[1]}}  "
                       f"{c[2]:<{w[2]}}  {c[3]:>{w[3]}}")
    return res


def matrix(out):
    """Rows named "GROUP: CONFIG" measured against "GROUP: native", as
    one line per configuration and one column per group: the same
    configurations side by side across syscalls."""
    groups, configs, cell = [], [], {}
    for e in out:
        group, sep, conf = e["name"].partition(": ")
        if not sep or e["rate"] or \
                e["ref"] not in (None, f"{group}: native"):
            continue
        if e["ref"] is None and conf != "native":
            continue
        if group not in groups:
            groups.append(group)
        if conf not in configs:
            configs.append(conf)
        cell[group, conf] = f"{e['ratio']:.2f}" if e["ratio"] is not None \
            else ("n/a" if e["status"] == "n/a" else "FAIL")
    groups = [g for g in groups if sum(k[0] == g for k in cell) > 1]
    configs = [c for c in configs if any((g, c) in cell for g in groups)]
    if not groups:
        return []
    w0 = max(len("ratio to native"), *(len(c) for c in configs))
    w = [max(7, len(g)) for g in groups]
    res = ["ratio to native".ljust(w0) + "".join(
        f"  {g:>{w[i]}}" for i, g in enumerate(groups))]
    for c in configs:
        res.append(c.ljust(w0) + "".join(
            f"  {cell.get((g, c), '-'):>{w[i]}}"
            for i, g in enumerate(groups)))
    return res


def summaries(specs, out):
    by = {e["name"]: e for e in out}
    res = []
    for s in specs:
        a, b = by.get(s["a"]), by.get(s["b"])
        item = {"label": s["label"], "kind": s["kind"], "a": s["a"],
                "b": s["b"], "value": None, "target": s.get("target"),
                "met": None}
        if s["kind"] == "ratio":
            tgt = s["target"]
            tgt_txt = "" if tgt in ("-", "") else f" (target {tgt})"
            if a and b and a["status"] == "ok" and b["status"] == "ok":
                # A paired row's own ratio to its reference is the better one.
                v = a["ratio"] if a["paired"] and a["ref"] == b["name"] \
                    else a["median"] / b["median"]
                item["value"] = v
                if tgt.startswith("<="):
                    item["met"] = v <= float(tgt[2:])
                elif tgt.startswith(">="):
                    item["met"] = v >= float(tgt[2:])
                verdict = "" if item["met"] is None else \
                    (": met" if item["met"] else ": NOT met")
                res.append((f"{s['label']} = {v:.2f}{tgt_txt}{verdict}", item))
            else:
                res.append((f"{s['label']} = n/a{tgt_txt}", item))
        else:
            va = a["ratio"] if a and a["status"] == "ok" else None
            vb = b["ratio"] if b and b["status"] == "ok" else None
            item["value"] = [va, vb]
            ta = f"{va:.2f}" if va is not None else "n/a"
            tb = f"{vb:.2f}" if vb is not None else "n/a"
            res.append((f"{s['label']} = {ta} vs {tb}", item))
    return res


def chart(out, path, title):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib not installed (bench/install-deps.sh)"
    bars = [e for e in out if e["ratio"] is not None and e["ref"]]
    if not bars:
        return "no ratios to plot"
    fig, ax = plt.subplots(figsize=(10, 0.3 * len(bars) + 1.5))
    names = [e["name"] if e["ref"].endswith("native") else
             f"{e['name']} (to {e['ref']})" for e in bars]
    vals = [slowdown(e) for e in bars]
    y = range(len(bars))
    ax.barh(y, vals, color=["#4c72b0" if v < 2 else "#dd8452" for v in vals])
    ax.set_yticks(list(y))
    ax.set_yticklabels(names)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", linewidth=0.8)
    for i, v in enumerate(vals):
        ax.text(v, i, f" {v:.2f}", va="center", fontsize=8)
    ax.set_xlabel("times slower than the reference: median time per call, "
                  "or reference's rate / rate (log scale)")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


def add_analysis(path, doc):
    """Print the kbctl analyze comparison bench/analyze.sh -g left in the
    log as ANALYZE| lines (make bench runs it after the rows, in the same
    guest), under a heading, and keep it in doc["analysis"]. Returns the
    reason it failed (it exited non-zero, the two methods disagree, it
    did not finish), or None; None too when the log has no analysis."""
    args, table, errors, res, end = None, [], [], None, None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            kind, _, rest = line.rstrip("\r\n").partition("|")
            if kind != "ANALYZE":
                continue
            kind, _, rest = rest.partition("|")
            if kind == "begin":
                args = rest
            elif kind == "table":
                table.append(rest)
            elif kind == "error":
                errors.append(rest)
            elif kind == "json":
                try:
                    res = json.loads(rest)
                except ValueError:
                    errors.append("unreadable results.json")
            elif kind == "end":
                end = dict(kv.partition("=")[::2] for kv in rest.split("|"))
    if args is None:
        return None
    apps = (res or {}).get("apps", {})
    status = int(end["status"]) if end and end.get("status", "").isdigit() else None
    why = None
    if end is None:
        why = "did not finish"
    elif [a for a, e in apps.items() if e.get("agree") is False]:
        why = "groups and --exhaustive disagree on " + ", ".join(
            a for a, e in apps.items() if e.get("agree") is False)
    elif status != 0:
        why = f"exit status {end.get('status')}"
    elif not apps or [a for a, e in apps.items() if e.get("agree") is not True]:
        why = "no comparison for " + (", ".join(
            a for a, e in apps.items() if e.get("agree") is not True) or "any application")
    secs = end.get("seconds") if end else None
    print()
    print(f"kbctl analyze, groups against --exhaustive (bench/analyze.sh {args}"
          f"{', ' + secs + ' s' if secs else ''}):")
    for line in table:
        print(line)
    for e in errors:
        print(f"analysis error: {e}")
    print(f"analysis: FAIL ({why})" if why else "analysis: groups and --exhaustive agree")
    doc["analysis"] = dict(res or {}, args=args, status="fail" if why else "ok",
                           reason=why, exit_status=status,
                           seconds=int(secs) if secs and secs.isdigit() else None,
                           errors=errors)
    return why


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("rows", help="the rows file (bench/rows)")
    ap.add_argument("log", help="the output of bench/run-guest.sh")
    ap.add_argument("outdir", help="where results.json and ratios.png go")
    ap.add_argument("--reps", type=int, required=True,
                    help="repetitions each row had to complete")
    ap.add_argument("--meta", action="append", default=[],
                    metavar="KEY=VALUE", help="recorded in results.json")
    a = ap.parse_args()

    rows, specs = parse_rows(a.rows)
    ns, iters, na, fail, env = parse_log(a.log)
    out = build(rows, ns, iters, na, fail, a.reps)
    meta = dict(kv.partition("=")[::2] for kv in a.meta)
    meta.update(env)

    for line in table(out):
        print(line)
    print()
    mat = matrix(out)
    for line in mat:
        print(line)
    if mat:
        print()
    summ = summaries(specs, out)
    for text, _ in summ:
        print(text)

    os.makedirs(a.outdir, exist_ok=True)
    doc = {"meta": meta,
           "rows": [{k: e[k] for k in ("name", "ref", "paired", "status",
                                       "reason",
                                       "reps", "iters", "ns", "median",
                                       "min", "max", "iqr", "ratio",
                                       "rate", "command")} for e in out],
           "summary": [item for _, item in summ]}
    analysis_failed = add_analysis(a.log, doc)
    with open(os.path.join(a.outdir, "results.json"), "w",
              encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    title = "ratio to native\nkernel " + meta.get("kernel", "?") + \
        ", " + meta.get("accel", "?") + ", commit " + meta.get("commit", "?")
    why = chart(out, os.path.join(a.outdir, "ratios.png"), title)
    if why:
        print(f"# no chart: {why}", file=sys.stderr)
    return 1 if any(e["status"] == "fail" for e in out) or analysis_failed else 0


if __name__ == "__main__":
    sys.exit(main())
