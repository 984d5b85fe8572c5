# SPDX-License-Identifier: GPL-2.0
"""Compare CPython regression-test runs under kblaunch with a native one.

usage: cpython_compare.py [--lost] NATIVE.xml NAME=RUN.xml[,RERUN.xml]...

Each file is regrtest's --junit-xml output. For every test file (module)
and every run, prints one line

    verdict<TAB>module<TAB>name<TAB>detail

where verdict is "ok" when every test that passed natively passed in that
run too, or in its RERUN (the tests it lost, run again alone), "not ok"
otherwise (detail names up to 5 tests that did not), and then one "table"
line per module with passed/failed/skipped per run. A run whose XML is
missing or unreadable counts as every test failed.

With --lost, prints instead "NAME<TAB>test id" for each test that passed
natively and not in run NAME: what to run again alone.
"""
import sys
import xml.etree.ElementTree as ET


def load(path):
    """{test id: 'passed' | 'failed' | 'skipped'}, or None if unreadable."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    out = {}
    for case in root.iter("testcase"):
        if not case.get("name"):
            continue
        kids = {child.tag for child in case}
        if kids & {"failure", "error"}:
            out[case.get("name")] = "failed"
        elif "skipped" in kids:
            out[case.get("name")] = "skipped"
        else:
            out[case.get("name")] = "passed"
    return out


def module_of(test_id):
    """test.test_os.FileTests.test_write -> test_os"""
    parts = test_id.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "test" else parts[0]


def counts(res, module):
    got = [s for t, s in (res or {}).items() if module_of(t) == module]
    return "%d/%d/%d" % (got.count("passed"), got.count("failed"),
                         got.count("skipped"))


def main(argv):
    lost_only = len(argv) > 1 and argv[1] == "--lost"
    if lost_only:
        argv = argv[1:]
    native = load(argv[1])
    if native is None:
        print("not ok\t-\tnative\tno readable results in %s" % argv[1])
        return 0
    runs, reruns = [], {}
    for arg in argv[2:]:
        name, files = arg.split("=", 1)
        files = files.split(",")
        runs.append((name, load(files[0])))
        reruns[name] = (load(files[1]) if len(files) > 1 else None) or {}
    if lost_only:
        for name, res in runs:
            for t, s in sorted(native.items()):
                if s == "passed" and (res or {}).get(t) != "passed":
                    print("%s\t%s" % (name, t))
        return 0
    modules = sorted({module_of(t) for t in native})
    for mod in modules:
        passed = [t for t, s in native.items()
                  if module_of(t) == mod and s == "passed"]
        for name, res in runs:
            first = [t for t in passed if (res or {}).get(t) != "passed"]
            lost = [t for t in first if reruns[name].get(t) != "passed"]
            again = len(first) - len(lost)
            if lost:
                print("not ok\t%s\t%s\t%d of %d native passes lost: %s" %
                      (mod, name, len(lost), len(passed),
                       ", ".join(t.split(".", 2)[-1] for t in lost[:5])))
            else:
                print("ok\t%s\t%s\t%d tests passed, as natively%s" %
                      (mod, name, len(passed),
                       "" if not again else
                       " (%d of them on a rerun alone)" % again))
        print("table\t%s\t%s" % (mod, "\t".join(
            ["native %s" % counts(native, mod)] +
            ["%s %s" % (name, counts(res, mod)) for name, res in runs])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
