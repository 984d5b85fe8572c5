# SPDX-License-Identifier: GPL-2.0
"""The corpus's HTML report: index.html (the corpus, the agreement with
Loupe, the figures, the plans) and apps/APP.html (one application: its
syscalls side by side with Loupe's, its sub-features, links to its
runs). Static files, no script, readable offline; links are relative, to
the analyses corpus.py left beside the report."""

import html
import os

from plots import COLOURS

CSS = """
body { font-family: sans-serif; margin: 2em auto; max-width: 78em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; }
th { background: #eee; }
td.n { text-align: right; }
img { max-width: 100%; border: 1px solid #ddd; }
.cls { padding: 0 0.4em; border-radius: 0.2em; color: white; }
.unused { color: #888; }
.note { color: #555; font-size: 0.9em; }
""" + "".join(".cls-%s { background: %s; }\n" % (c, v) for c, v in COLOURS.items())


def esc(x):
    return html.escape("" if x is None else str(x))


def pct(x):
    return "-" if x is None else "%.1f %%" % (100 * x)


def cls(c):
    if c is None:
        return '<span class="unused">-</span>'
    return '<span class="cls cls-%s">%s</span>' % (esc(c), esc(c))


def page(title, body, css="style.css"):
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<title>%s</title><link rel="stylesheet" href="%s"></head>'
            '<body>\n%s\n</body></html>\n' % (esc(title), css, body))


def table(head, rows, numeric=()):
    out = ["<table><tr>%s</tr>" % "".join("<th>%s</th>" % esc(h) for h in head)]
    for r in rows:
        out.append("<tr>%s</tr>" % "".join(
            '<td%s>%s</td>' % (' class="n"' if i in numeric else "", v)
            for i, v in enumerate(r)))
    out.append("</table>")
    return "\n".join(out)


def index(report):
    c, ag = report["corpus"], report["agreement"]
    b = ["<h1>kbridge corpus</h1>",
         "<p>%d applications, %d analyses (%d passed) with kbctl analyze -r %d, %d at "
         "a time. The last run of corpus.py made %s in %.0f minutes%s%s.</p>" % (
             c["apps"], c["analyses"], c["ok"], c["replicas"], c["jobs"],
             "them" if c.get("ran") is None else "all of them" if c["ran"] == c["analyses"]
             else "%d of them (the others were up to date)" % c["ran"],
             c["wall_seconds"] / 60,
             "" if c.get("cpu_busy") is None else
             "; the %d CPUs were %.0f %% busy" % (c["cpus"], 100 * c["cpu_busy"]),
             "" if not c.get("analysis_seconds") else
             "; the analyses' own times add up to %.0f minutes" % (c["analysis_seconds"] / 60))]
    if c["failed"]:
        b.append("<p>Failed: %s</p>" % esc(", ".join("%s (%s)" % f for f in c["failed"])))
    t = ag["total"]
    if t:
        b.append("<h2>Agreement with Loupe's database</h2>")
        b.append("<p>%d applications compared. Of the syscalls both traced (%d), %s have "
                 "the same class; of those Loupe found required (%d), kbridge finds %s "
                 "required.</p>" % (len(ag["apps"]), t["both_traced"], pct(t["agreement"]),
                                    t["loupe_required"], pct(t["required_recall"])))
        rows = []
        for a, r in sorted(ag["apps"].items()):
            rows.append(['<a href="apps/%s.html">%s</a>' % (esc(a), esc(a)), esc(r["loupedb"]),
                         esc(r["loupe_test"]), r["kbridge_traced"], r["loupe_traced"],
                         r["both_traced"], pct(r["agreement"]), r["loupe_required"],
                         r["required_found"], pct(r["required_recall"]),
                         len(r["differences"])])
        rows.append(["<b>all</b>", "", "", t["kbridge_traced"], t["loupe_traced"],
                     t["both_traced"], pct(t["agreement"]), t["loupe_required"],
                     t["required_found"], pct(t["required_recall"]),
                     sum(t["causes"].values())])
        b.append(table(["application", "loupedb", "Loupe's test", "traced: kbridge", "Loupe",
                        "both", "same class", "Loupe required", "kbridge too", "share",
                        "differences"], rows, numeric=range(3, 11)))
        b.append("<h3>Why they differ</h3>")
        b.append(table(["cause", "differences", "meaning"],
                       [[esc(k), t["causes"].get(k, 0), esc(v)] for k, v in ag["causes"].items()],
                       numeric=(1,)))
    t = report["beyond"]
    if t["apps"]:
        b.append("<h2>What kbridge finds that Loupe's data cannot hold</h2><ul>")
        b.append("<li>%d commands (ioctl requests, fcntl, prctl... values) classed on their "
                 "own; %d of them, in %d applications, can do without while their syscall "
                 "as a whole is required: a partial implementation is enough there.</li>"
                 % (t["subfeatures"], t["subfeatures_partial"], t["apps_with_partial"]))
        b.append("<li>%d pseudo-files (/proc, /sys, /dev) classed.</li>" % t["pseudo_files"])
        b.append("<li>Time calls through the vDSO: %d applications make %d of them as "
                 "syscalls once the vDSO is hidden, as on an OS without one.</li>"
                 % (t["apps_with_vdso_calls"], t["vdso_calls"]))
        if t["real_workloads"]:
            b.append("<li>%d real workloads (where Loupe's only printed a version or always "
                     "passed) make %d syscalls their Loupe-like workload does not; all told "
                     "they make %d that Loupe's data lacks for their application.</li>"
                     % (t["real_workloads"], t["real_only"], t["real_not_in_loupe"]))
        b.append("</ul>")
    b.append("<h2>Figures</h2>")
    for name, what in (("cumulative", "Syscalls required, most required first"),
                       ("heatmap", "Applications by syscall and class"),
                       ("plans", "Support plans for loupedb's OS lists")):
        if name in report["figures"]:
            b.append('<h3>%s</h3><p><a href="%s.png">PNG</a> · <a href="%s.svg">SVG</a></p>'
                     '<img src="%s.svg" alt="%s">' % (what, name, name, name, esc(what)))
    if report["plans"]:
        b.append("<h2>Support plans</h2>")
        b.append('<p class="note">kbctl plan per OS list of loupedb: syscalls the plan '
                 'implements before half, then all, of the applications are supported.</p>')
        rows = []
        for os_name, v in sorted(report["plans"].items()):
            for label, p in v.items():
                half = next((s for s in p["steps"] if 2 * s[1] >= p["apps"]), None)
                rows.append([esc(os_name), esc(label), p["apps"], p["steps"][0][1],
                             half[0] if half else "-", p["steps"][-1][0], len(p["steps"]) - 1])
        b.append(table(["OS", "applications", "count", "supported as it is",
                        "syscalls for half", "syscalls for all", "steps"], rows,
                       numeric=(2, 3, 4, 5, 6)))
    b.append("<h2>Applications</h2>")
    rows = []
    for a in report["apps"]:
        w = a["analyses"].get("workload")
        r = a["analyses"].get("real")
        bey = a.get("beyond", {})
        rows.append(['<a href="apps/%s.html">%s</a>' % (esc(a["app"]), esc(a["app"])),
                     esc(a["loupedb"]),
                     esc(" ".join("%d %s" % (w["classes"][k], k) for k in w["classes"])) if w else "failed",
                     "%.0f s" % w["seconds"] if w else "-",
                     esc(" ".join("%d %s" % (r["classes"][k], k) for k in r["classes"])) if r else "",
                     bey.get("subfeatures", ""), bey.get("pseudo_files", ""),
                     esc(" ".join(bey.get("vdso_calls", [])))])
    b.append(table(["application", "loupedb", "classes (Loupe-like workload)", "time",
                    "real workload", "sub-features", "pseudo-files", "vDSO calls"], rows,
                   numeric=(3, 5, 6)))
    return page("kbridge corpus", "\n".join(b))


def app_page(a, kb, ag):
    name = a["app"]
    up = "../../" + name
    b = ['<p><a href="../index.html">corpus</a></p>', "<h1>%s</h1>" % esc(name)]
    b.append("<p>loupedb: %s · Loupe's test: %s</p>" % (esc(a["loupedb"]), esc(a["loupe_test"])))
    if a["differs"]:
        b.append("<p>Differs from Loupe's workload: %s</p>" % esc(a["differs"]))
    links = []
    for kind in ("workload", "real"):
        if kind in a["analyses"]:
            links.append('%s: <a href="%s/%s/analysis.md">analysis.md</a> · '
                         '<a href="%s/%s/analysis.json">analysis.json</a> · '
                         '<a href="%s/%s/generated.profile">generated.profile</a> · '
                         '<a href="%s/%s/runs/">runs</a>' % ((kind,) + (up, kind) * 4))
    if a["loupedb"] != "-" and "workload" in a["analyses"]:
        links.append('loupedb export: <a href="../../loupedb/%s/">%s</a>'
                     % (esc(a["loupedb"]), esc(a["loupedb"])))
    b.append("<ul>%s</ul>" % "".join("<li>%s</li>" % x for x in links))
    if kb is None:
        b.append("<p>The analysis did not finish.</p>")
        return page(name, "\n".join(b), "../style.css")
    diff = {d["syscall"]: d for d in (ag or {}).get("differences", [])}
    if ag:
        b.append("<p>Both traced %d syscalls (kbridge %d, Loupe %d); %s have the same class; "
                 "of Loupe's %d required, kbridge finds %d required.</p>"
                 % (ag["both_traced"], ag["kbridge_traced"], ag["loupe_traced"],
                    pct(ag["agreement"]), ag["loupe_required"], ag["required_found"]))
    k = {s["name"]: s for s in kb["syscalls"]}
    names = sorted(set(k) | set(diff), key=lambda n: (k[n]["nr"] if n in k else 999, n))
    rows = []
    for n in names:
        s = k.get(n)
        d = diff.get(n)
        rows.append([s["nr"] if s else "", esc(n), s["count"] if s else "",
                     cls(s["class"] if s else None),
                     cls(d["loupe"]) if d else (cls(s["class"]) if ag and s else ""),
                     esc(d["cause"]) if d else ""])
    b.append("<h2>Syscalls</h2>")
    b.append(table(["nr", "syscall", "calls", "kbridge", "Loupe", "why they differ"], rows,
                   numeric=(0, 2)))
    for key, title in (("subfeatures", "Commands"), ("pseudo_files", "Pseudo-files")):
        xs = [x for x in kb.get(key, [])]
        if xs:
            b.append("<h2>%s</h2>" % title)
            b.append(table(["syscall", "condition", "calls", "class"],
                           [[esc(x["name"]), esc(x["condition"]), x["count"],
                             cls(x["class"]) if x["class"] != "untested"
                             else '<span class="unused">untested (the syscall can be stubbed)</span>']
                            for x in xs], numeric=(2,)))
    bey = a.get("beyond", {})
    if bey.get("real_only") is not None:
        b.append("<h2>The real workload</h2><p>Syscalls it makes that the Loupe-like one "
                 "does not: %s.</p>" % esc(", ".join(bey["real_only"]) or "none"))
    return page(name, "\n".join(b), "../style.css")


def write(report, kb, out):
    """index.html, apps/APP.html and style.css into @out."""
    with open(os.path.join(out, "style.css"), "w") as f:
        f.write(CSS)
    with open(os.path.join(out, "index.html"), "w") as f:
        f.write(index(report))
    for a in report["apps"]:
        with open(os.path.join(out, "apps", a["app"] + ".html"), "w") as f:
            f.write(app_page(a, kb.get(a["app"]), report["agreement"]["apps"].get(a["app"])))
