#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The corpus's report (corpus/report.py) checked against what it was
made from, and in a real browser. Run by tests/host/corpus_host.sh on
corpus.py's results in OUT; prints TAP lines (no plan: the caller counts).

- The figures: the numbers report.json says were drawn are recomputed
  here from the analyses (analysis.json) and from Loupe's imported
  applications, and read back from the SVGs: every bar of the cumulative
  curve has the height of its share, every heatmap cell the colour of
  its class, every plan's steps the points of kbctl plan's JSON.
- The agreement: recomputed for each compared application.
- The pages: headless Chromium (through chromedriver) loads every page
  of the report; none may log a console error (a script error, a missing
  image or stylesheet). The same check must catch a page made broken on
  purpose. A screenshot of the overview is taken (OUT/report/overview.png)
  and must not be blank.
"""

import glob
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "corpus"))
from plots import COLOURS, gid  # noqa: E402

OUT = sys.argv[1]
REP = os.path.join(OUT, "report")
n = 0


def tap(ok, name, why=""):
    global n
    n += 1
    print("%sok - %s%s" % ("" if ok else "not ", name, "" if ok or not why else ": " + why))
    sys.stdout.flush()


def skip(name, why):
    print("ok - %s # SKIP %s" % (name, why))
    sys.stdout.flush()


def load(p):
    with open(p) as f:
        return json.load(f)


def classes(j):
    return {s["name"]: s["class"] for s in j["syscalls"]}


def svg_elements(path):
    """{id: element} of an SVG."""
    root = ET.parse(path).getroot()
    return {e.get("id"): e for e in root.iter() if e.get("id")}


def path_points(e):
    """The vertices of the first path under element e."""
    p = next(x for x in e.iter() if x.tag.endswith("path"))
    nums = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", p.get("d"))]
    return list(zip(nums[0::2], nums[1::2])), p


rep = load(os.path.join(REP, "report.json"))
figs = rep["figures"]

# --- the analyses, read here again
kb = {}
for a in rep["apps"]:
    f = os.path.join(OUT, a["app"], "workload", "analysis.json")
    if os.path.isfile(f):
        kb[a["app"]] = classes(load(f))
loupe = {os.path.basename(f)[:-5]: classes(load(f))
         for f in glob.glob(os.path.join(OUT, "loupedb-imported", "*.json"))}


def shares(apps):
    req = {}
    for c in apps.values():
        for s, k in c.items():
            if k == "required":
                req[s] = req.get(s, 0) + 1
    return {s: 100.0 * v / len(apps) for s, v in req.items()}


# --- cumulative curve
want = {"kbridge corpus": shares(kb)}
if loupe:
    want["loupedb"] = shares(loupe)
cum = figs["cumulative"]
bad = []
for label, w in want.items():
    got = dict((s, v) for s, v in cum["series"][label]["ranked"])
    if got != w:
        bad.append("%s: report.json's shares differ from the analyses'" % label)
    vals = [v for s, v in cum["series"][label]["ranked"]]
    if vals != sorted(vals, reverse=True):
        bad.append("%s: not ordered" % label)
tap(not bad, "cumulative: report.json's shares are the analyses' (%d apps) and Loupe's (%d), ordered"
    % (len(kb), len(loupe)), "; ".join(bad))
els = svg_elements(os.path.join(REP, "cumulative.svg"))
bad, ratio, bars = [], None, 0
for k, label in enumerate(want):
    for s in cum["order"]:
        e = els.get(gid("cum-%d-%s" % (k, s)))
        v = want[label].get(s, 0.0)
        if e is None:
            bad.append("no bar %s/%s" % (label, s))
            continue
        pts, _ = path_points(e)
        h = max(y for x, y in pts) - min(y for x, y in pts)
        bars += 1
        if v == 0:
            if h > 0.01:
                bad.append("%s/%s: height %.2f for 0" % (label, s, h))
            continue
        ratio = ratio or h / v
        if abs(h / v - ratio) > 0.005 * ratio:
            bad.append("%s/%s: height %.2f for %.2f %%" % (label, s, h, v))
tap(not bad and bars > 0, "cumulative.svg: %d bars, each as high as its share" % bars,
    "; ".join(bad[:5]))

# --- heatmap
hm = figs["heatmap"]
els = svg_elements(os.path.join(REP, "heatmap.svg"))
bad, cells = [], 0
for a in hm["apps"]:
    for s in hm["syscalls"]:
        c = kb[a].get(s, "unused")
        e = els.get(gid("cell-%s-%s" % (a, s)))
        if e is None:
            bad.append("no cell %s/%s" % (a, s))
            continue
        _, p = path_points(e)
        fill = re.search(r"fill:\s*(#[0-9a-f]{6})", p.get("style", "")) or \
            re.match(r"(#[0-9a-f]{6})", p.get("fill", ""))
        cells += 1
        if not fill or fill.group(1) != COLOURS[c]:
            bad.append("%s/%s: %s, not %s's %s" % (a, s, fill and fill.group(1), c, COLOURS[c]))
tap(not bad and cells == len(hm["apps"]) * len(hm["syscalls"]) and set(hm["apps"]) == set(kb),
    "heatmap.svg: %d cells, each the colour of the application's class" % cells, "; ".join(bad[:5]))

# --- plans
bad, lines = [], 0
if "plans" not in figs:
    skip("plans.svg", "no loupedb OS lists (no ../shared/loupedb)")
else:
    els = svg_elements(os.path.join(REP, "plans.svg"))
    for os_name, series in figs["plans"].items():
        for k, (label, d) in enumerate(series.items()):
            steps = rep["plans"][os_name][label]["steps"]
            pts = [(x, 100.0 * y / d["apps"]) for x, y, _ in steps]
            if [tuple(p) for p in d["points"]] != pts:
                bad.append("%s/%s: drawn points are not the plan's" % (os_name, label))
            e = els.get(gid("plan-%s-%d" % (os_name, k)))
            if e is None:
                bad.append("no line %s/%s" % (os_name, label))
                continue
            lines += 1
            svg, _ = path_points(e)
            # A step line: a vertex per point and one between; the
            # points are every other vertex, mapped by one affine map.
            corners = svg[0::2]
            if len(corners) != len(pts):
                bad.append("%s/%s: %d corners for %d steps" % (os_name, label, len(corners), len(pts)))
                continue
            xs = sorted({p[0] for p in pts})
            ys = sorted({p[1] for p in pts})
            for i, axis, vals in ((0, "x", xs), (1, "y", ys)):
                if len(vals) < 2:
                    continue
                a0 = next(c[i] for c, p in zip(corners, pts) if p[i] == vals[0])
                a1 = next(c[i] for c, p in zip(corners, pts) if p[i] == vals[-1])
                scale = (a1 - a0) / (vals[-1] - vals[0])
                for c, p in zip(corners, pts):
                    if abs(a0 + (p[i] - vals[0]) * scale - c[i]) > 0.05:
                        bad.append("%s/%s: %s %s drawn at %.2f" % (os_name, label, axis, p[i], c[i]))
                        break
    tap(not bad and lines > 0, "plans.svg: %d step lines, each through its plan's points" % lines,
        "; ".join(bad[:5]))

# --- agreement, recomputed
bad = []
if not loupe:
    skip("agreement recomputed", "no loupedb imported (no ../shared/loupedb)")
else:
    for app, r in rep["agreement"]["apps"].items():
        k, lp = kb[app], loupe[r["loupedb"]]
        both = set(k) & set(lp)
        agree = sum(k[s] == lp[s] for s in both)
        lreq = [s for s in both if lp[s] == "required"]
        found = sum(k[s] == "required" for s in lreq)
        if (r["both_traced"], r["agree"], r["loupe_required"], r["required_found"]) != \
                (len(both), agree, len(lreq), found):
            bad.append(app)
        if len(r["differences"]) != len(set(k) ^ set(lp)) + len(both) - agree or \
                any(d["cause"] not in rep["agreement"]["causes"] for d in r["differences"]):
            bad.append(app + " (differences)")
    tap(not bad and rep["agreement"]["apps"],
        "agreement: %d applications' figures recomputed; every difference has a cause"
        % len(rep["agreement"]["apps"]), ", ".join(bad))

# --- the pages in Chromium
pages = [os.path.join(REP, "index.html")] + sorted(glob.glob(os.path.join(REP, "apps", "*.html")))
tap(len(pages) == 1 + len(rep["apps"]), "one page per application and the overview: %d" % len(pages))
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
except ImportError as e:
    tap(False, "selenium for the browser test", str(e))
    sys.exit(0)
opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
          "--allow-file-access-from-files"):
    opts.add_argument(a)
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
try:
    drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
except Exception as e:  # noqa: BLE001 - any failure to start is the answer
    tap(False, "headless Chromium starts", str(e).splitlines()[0])
    sys.exit(0)


def errors(path):
    drv.get("file://" + os.path.abspath(path))
    drv.execute_script("return document.readyState")
    return [e["message"] for e in drv.get_log("browser") if e["level"] == "SEVERE"]


try:
    broken = os.path.join(REP, "broken-on-purpose.html")
    with open(broken, "w") as f:
        f.write('<!DOCTYPE html><html><head><title>x</title></head><body>'
                '<img src="missing.png"><script>notDefined();</script></body></html>')
    found = errors(broken)
    os.unlink(broken)
    tap(len(found) >= 2, "the console check catches a missing image and a script error "
        "(%d errors)" % len(found), "; ".join(found))
    bad = {}
    for p in pages:
        e = errors(p)
        if e:
            bad[os.path.relpath(p, REP)] = e
    tap(not bad, "Chromium loads all %d pages without a console error" % len(pages),
        "; ".join("%s: %s" % (k, v[0]) for k, v in list(bad.items())[:3]))
    drv.get("file://" + os.path.abspath(pages[0]))
    title = drv.title
    imgs = drv.execute_script("return Array.from(document.images).map("
                              "i => i.complete && i.naturalWidth > 0)")
    shot = os.path.join(REP, "overview.png")
    drv.save_screenshot(shot)
    import matplotlib.image
    px = matplotlib.image.imread(shot)
    tap(title == "kbridge corpus" and imgs and all(imgs) and px.std() > 0.01,
        "overview: its %d figures drawn, screenshot %s (%dx%d, not blank)"
        % (len(imgs), os.path.relpath(shot, OUT), px.shape[1], px.shape[0]))
finally:
    drv.quit()
