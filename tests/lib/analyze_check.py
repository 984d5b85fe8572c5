# SPDX-License-Identifier: GPL-2.0
"""Checks of a kbctl analyze result, for tests/host/analyze_apps_host.sh.

usage: analyze_check.py consistent DIR APP METHOD
       analyze_check.py in-force PROFILE REPORT

consistent: DIR/analysis.json holds together (each class follows from
the stub and fake results, the counts add up, commands and pseudo-files
are untested only where their syscall can go whole) and so does
DIR/generated.profile (it names only what the analysis found can go,
stubbed if it can be, else faked). in-force: every line of PROFILE is a
rule of kblaunch's REPORT, from that line, as written.

Prints one summary line and exits 0, or prints what is wrong and exits 1.
"""
import json
import sys

CLASSES = ("required", "stub", "fake", "either")


def follows(s):
    """The class a syscall's (or command's) stub and fake results give."""
    return ("either" if s["stub"] and s["fake"] else "stub" if s["stub"]
            else "fake" if s["fake"] else "required")


def mode(s):
    return "stub" if s["stub"] else "fake"


def profile_lines(path):
    """(line number, words) of a profile's entries."""
    with open(path) as f:
        return [(n, line.split()) for n, line in enumerate(f, 1)
                if line.strip() and not line.lstrip().startswith("#")]


def consistent(d, app, method):
    with open(d + "/analysis.json") as f:
        a = json.load(f)
    bad = []
    sc = a["syscalls"]
    by = {s["name"]: s for s in sc}
    if len(by) != len(sc):
        bad.append("a syscall listed twice")
    counts = dict.fromkeys(CLASSES, 0)
    for s in sc:
        if s["class"] != follows(s):
            bad.append("%s is %s, its results say %s"
                       % (s["name"], s["class"], follows(s)))
        if s["count"] < 1:
            bad.append("%s counted %d times" % (s["name"], s["count"]))
        counts[s["class"]] += 1
    if counts != a["classes"]:
        bad.append("classes %r, the syscalls say %r" % (a["classes"], counts))
    if (a["method"], a["replicas"], a["apps"]) != (method, 1, [app]):
        bad.append("method %s, replicas %s, apps %r"
                   % (a["method"], a["replicas"], a["apps"]))

    # Commands and pseudo-files, where the analysis has them: tested like
    # syscalls, or untested because their syscall can be stubbed whole.
    feats = {}
    for f in a.get("subfeatures", []) + a.get("pseudo_files", []):
        what = "%s %s" % (f["name"], f["condition"])
        feats[(f["name"], f["condition"])] = f
        if f["class"] == "untested":
            if f["name"] not in by or not by[f["name"]]["stub"]:
                bad.append("%s untested, but %s cannot be stubbed whole"
                           % (what, f["name"]))
        elif f["class"] != follows(f):
            bad.append("%s is %s, its results say %s"
                       % (what, f["class"], follows(f)))

    # "NAME stub|fake" for a syscall that can go; "NAME partial pass",
    # then "NAME when CONDITION stub|fake [ERRNO]" for its commands or
    # pseudo-files that can.
    prof = profile_lines(d + "/generated.profile")
    whole = when = 0
    seen = set()
    for _, e in prof:
        line = " ".join(e)
        if line in seen:
            bad.append("%r twice in the profile" % line)
        seen.add(line)
        if len(e) == 2 and e[0] in by:
            s, act = by[e[0]], e[1]
            whole += 1
        elif len(e) == 3 and e[1:] == ["partial", "pass"] and e[0] in by:
            continue
        elif len(e) >= 4 and e[1] == "when" and (e[0], e[2]) in feats:
            s, act = feats[(e[0], e[2])], e[3]
            when += 1
            if [e[0], "partial", "pass"] not in [x for _, x in prof]:
                bad.append("%r without '%s partial pass'" % (line, e[0]))
        else:
            bad.append("profile entry %r: not something the analysis found"
                       % line)
            continue
        if s["class"] not in ("stub", "fake", "either"):
            bad.append("profile entry %r: the analysis says %s"
                       % (line, s["class"]))
        elif act != mode(s):
            bad.append("profile entry %r: the analysis says %s"
                       % (line, mode(s)))
    c = a["confirmation"]
    if not c["passed"] or c["entries"] != whole + when:
        bad.append("confirmation %r; the profile has %d entries"
                   % (c, whole + when))
    return bad, ("%d of the %d syscalls that can go, and %d commands or "
                 "pseudo-files" % (whole, len(sc) - counts["required"], when))


def in_force(profile, report):
    prof = profile_lines(profile)
    with open(report) as f:
        r = json.load(f)
    rules = {x["line"]: x for s in r["syscalls"] for x in s.get("rules", [])}
    bad, hit = [], 0
    for n, e in prof:
        x = rules.get(n)
        # The report adds the defaults: "fake 0", "stub ENOSYS".
        if x is None or x["rule"].split()[:len(e)] != e:
            bad.append("line %d %r: %s" % (n, " ".join(e), x["rule"] if x
                                           else "not in the report"))
        elif x["hits"]:
            hit += 1
    if not r["profile"] or r["profile"]["entries"] != len(prof):
        bad.append("the report's profile %r, %d lines"
                   % (r["profile"], len(prof)))
    return bad, "%d of its %d lines decided calls" % (hit, len(prof))


def main():
    if sys.argv[1:2] == ["consistent"] and len(sys.argv) == 5:
        bad, summary = consistent(*sys.argv[2:])
    elif sys.argv[1:2] == ["in-force"] and len(sys.argv) == 4:
        bad, summary = in_force(*sys.argv[2:])
    else:
        sys.exit(__doc__)
    print("\n".join(bad) if bad else summary)
    sys.exit(1 if bad else 0)


main()
