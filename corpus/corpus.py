#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Run kbctl analyze on the corpus: every application folder here (one
app.conf each), its Loupe-like workload and, where it has one, its real
workload; then export the results as loupedb runs and import Loupe's.

Resumable: an analysis whose inputs (app.conf, workload, setup, kbctl)
have not changed since it finished is not run again; one that was
interrupted goes on with kbctl analyze --resume. Progress on stderr, one
line per analysis, with the time left at the pace so far (or at each
analysis's own pace last time, when there was one).

The format of app.conf and the layout of the results: corpus/README.md.
"""

import argparse
import concurrent.futures
import glob
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
KINDS = ("workload", "real")
# The keys an app.conf may have, and whether it must.
KEYS = {"loupedb": True, "loupe-test": False, "packages": True, "app": True,
        "workload": True, "real": False, "setup": False, "differs": False,
        "timeout": False, "loupe-scope": False}
LOUPE_TESTS = ("null", "loose", "version", "check", "unknown")


class ConfError(Exception):
    pass


def read_conf(path):
    """app.conf: 'key: value' lines, '#' comments; FILE:LINE errors."""
    conf = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            key, sep, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if not sep or not value:
                raise ConfError("%s:%d: 'key: value' expected" % (path, n))
            if key not in KEYS:
                raise ConfError("%s:%d: unknown key '%s' (%s)" %
                                (path, n, key, ", ".join(KEYS)))
            if key in conf:
                raise ConfError("%s:%d: '%s' given twice" % (path, n, key))
            conf[key] = value
    for key, needed in KEYS.items():
        if needed and key not in conf:
            raise ConfError("%s: no '%s'" % (path, key))
    d = os.path.dirname(path)
    for key in ("workload", "real", "setup"):
        if key in conf:
            script = os.path.join(d, conf[key].split()[0])
            if not os.access(script, os.X_OK):
                raise ConfError("%s: %s: %s is not an executable file" %
                                (path, key, script))
    if conf["loupedb"] != "-" and conf.get("loupe-test") not in LOUPE_TESTS:
        raise ConfError("%s: loupe-test: one of %s" % (path, ", ".join(LOUPE_TESTS)))
    if "timeout" in conf and not conf["timeout"].isdigit():
        raise ConfError("%s: timeout: seconds expected" % path)
    conf["dir"] = d
    conf["name"] = os.path.basename(d)
    return conf


def load_corpus():
    apps = []
    for name in sorted(os.listdir(HERE)):
        path = os.path.join(HERE, name, "app.conf")
        if os.path.isfile(path):
            apps.append(read_conf(path))
    return apps


def digest(conf, kind, kbctl):
    """What an analysis depends on, so that a change runs it again: what
    app.conf says to run, every file of the app's folder but app.conf
    (whose other lines describe), the scripts it names elsewhere, the
    workloads' helpers and kbctl."""
    h = hashlib.sha256()
    for key in ("app", kind, "setup", "timeout"):
        h.update(("%s=%s\n" % (key, conf.get(key, ""))).encode())
    files = {kbctl, os.path.join(HERE, "lib.sh"),
             os.path.join(ROOT, "tests", "workloads", "lib.sh")}
    for key in (kind, "setup"):
        if key in conf:
            files.add(os.path.normpath(os.path.join(conf["dir"], conf[key].split()[0])))
    for name in os.listdir(conf["dir"]):
        if name != "app.conf":
            files.add(os.path.join(conf["dir"], name))
    # Named from the tree's root: a clone elsewhere is the same.
    named = sorted(("kbctl" if p == kbctl else os.path.relpath(p, ROOT), p) for p in files)
    for name, p in named:
        if os.path.isfile(p):
            with open(p, "rb") as f:
                h.update(name.encode() + b"\0" + f.read())
    return h.hexdigest()


class Task:
    def __init__(self, conf, kind, out, kbctl):
        self.conf, self.kind = conf, kind
        self.id = conf["name"] + ("" if kind == "workload" else "-real")
        self.dir = os.path.join(out, conf["name"], kind)
        self.stamp = os.path.join(self.dir, "corpus.json")
        self.digest = digest(conf, kind, kbctl)
        self.prev = None
        try:
            with open(self.stamp) as f:
                self.prev = json.load(f)
        except (OSError, ValueError):
            pass

    def done(self):
        return (self.prev is not None and self.prev.get("digest") == self.digest
                and self.prev.get("status") == "ok"
                and os.path.isfile(os.path.join(self.dir, "analysis.json")))

    def expected(self):
        """Seconds this analysis took last time, if it ever finished."""
        if self.prev and self.prev.get("seconds"):
            return self.prev["seconds"]
        return None


def cpu_times():
    """(busy, total) jiffies of all CPUs since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return sum(v) - idle, sum(v)


def fmt_secs(s):
    s = int(round(s))
    if s < 60:
        return "%ds" % s
    if s < 3600:
        return "%dm%02ds" % (s // 60, s % 60)
    return "%dh%02dm" % (s // 3600, s % 3600 // 60)


def setup_app(conf, out, env):
    """The app's setup script, once: its inputs into OUT/APP/data."""
    data = os.path.join(out, conf["name"], "data")
    mark = os.path.join(data, ".done")
    if "setup" not in conf:
        os.makedirs(data, exist_ok=True)
        return None
    with open(os.path.join(conf["dir"], conf["setup"]), "rb") as f:
        want = hashlib.sha256(f.read()).hexdigest()
    try:
        with open(mark) as f:
            if f.read() == want:
                return None
    except OSError:
        pass
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(data)
    # Never the app's folder: what a program leaves in its working
    # directory (erl_crash.dump) must not land in the source tree.
    p = subprocess.run([os.path.join(conf["dir"], conf["setup"])],
                       cwd=data, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=600)
    if p.returncode:
        return "setup failed: " + p.stdout.decode(errors="replace")[-400:]
    with open(mark, "w") as f:
        f.write(want)
    return None


def app_paths(conf, data):
    """app's words, each a path or a glob (a version in a folder's name);
    $CORPUS_DATA is the app's data folder (a program its setup built)."""
    out = []
    for w in conf["app"].replace("$CORPUS_DATA", data).split():
        out += sorted(glob.glob(w)) or [w]
    return out


def start(task, args, kbctl):
    conf = task.conf
    env = dict(os.environ)
    env["CORPUS_DATA"] = os.path.join(args.out, conf["name"], "data")
    err = setup_app(conf, args.out, env)
    if err:
        return err
    apps = app_paths(conf, env["CORPUS_DATA"])
    for a in apps:
        if not os.access(a, os.X_OK):
            return "%s is not installed (make corpus-deps: %s)" % (a, conf["packages"])
    resume = (task.prev is not None and task.prev.get("digest") == task.digest
              and os.path.isfile(os.path.join(task.dir, "runs", "analysis")))
    if not resume:
        shutil.rmtree(task.dir, ignore_errors=True)
    os.makedirs(task.dir, exist_ok=True)
    with open(task.stamp, "w") as f:
        json.dump({"digest": task.digest, "status": "running"}, f)
    cmd = [kbctl, "analyze", "-r", str(args.replicas), "-o", task.dir]
    for a in apps:
        cmd += ["--app", a]
    if resume:
        cmd.append("--resume")
    cmd += ["--"] + [os.path.join(conf["dir"], w) if i == 0 else w
                     for i, w in enumerate(conf[task.kind].split())]
    task.log = open(os.path.join(task.dir, "corpus.log"), "w")
    task.t0 = time.monotonic()
    task.resumed = resume
    task.proc = subprocess.Popen(cmd, cwd=task.dir, env=env, stdout=task.log,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    task.limit = int(conf.get("timeout", args.timeout))
    return None


def finish(task, status, seconds, why=None):
    res = {"digest": task.digest, "status": status, "seconds": seconds,
           "app": task.conf["name"], "kind": task.kind,
           "loupedb": task.conf["loupedb"]}
    if why:
        res["why"] = why
    a = os.path.join(task.dir, "analysis.json")
    if status == "ok":
        with open(a) as f:
            j = json.load(f)
        res["classes"] = j["classes"]
        res["runs"] = j["runs"]
        res["confirmed"] = j["confirmation"]["passed"]
    os.makedirs(task.dir, exist_ok=True)
    with open(task.stamp, "w") as f:
        json.dump(res, f, indent=1)
    return res


def tail(path, n=5):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:]).strip()
    except OSError:
        return ""


def run_all(tasks, args, kbctl):
    todo = [t for t in tasks if args.force or not t.done()]
    results = {t.id: t.prev for t in tasks if t not in todo}
    total, t0, finished, running = len(todo), time.monotonic(), [], []
    say = lambda s: print("corpus: " + s, file=sys.stderr, flush=True)
    if len(todo) < len(tasks):
        say("%d of %d analyses are up to date" % (len(tasks) - len(todo), len(tasks)))
    # The longest first (as long as they took last time): the last
    # analysis to start is then a short one, and the jobs end together.
    queue = sorted(todo, key=lambda t: -(t.expected() or 0))
    try:
        run_queue(queue, running, finished, results, total, t0, args, kbctl, say)
    finally:
        # Stopped (a signal, an error): each kbctl analyze in flight ends
        # with its runs (SIGTERM), and resumes next time.
        for t in running:
            t.proc.terminate()
        for t in running:
            try:
                t.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(t.proc.pid, signal.SIGKILL)
    return results, time.monotonic() - t0


def run_queue(queue, running, finished, results, total, t0, args, kbctl, say):
    while queue or running:
        while queue and len(running) < args.jobs:
            t = queue.pop(0)
            err = start(t, args, kbctl)
            if err:
                finished.append(t)
                results[t.id] = finish(t, "failed", 0.0, err)
                say("[%d/%d] %s: failed: %s" % (len(finished), total, t.id, err))
            else:
                running.append(t)
        time.sleep(0.2)
        for t in list(running):
            el = time.monotonic() - t.t0
            rc = t.proc.poll()
            if rc is None and el > t.limit:
                os.killpg(t.proc.pid, signal.SIGKILL)
                t.proc.wait()
                rc = "timeout"
            if rc is None:
                continue
            running.remove(t)
            finished.append(t)
            t.log.close()
            log = os.path.join(t.dir, "corpus.log")
            if rc == 0:
                r = finish(t, "ok", el)
                c = r["classes"]
                msg = "ok, %d syscalls (%d required, %d stub, %d fake, %d either), %d runs, %s%s" % (
                    sum(c.values()), c["required"], c["stub"], c["fake"], c["either"],
                    r["runs"], fmt_secs(el), ", resumed" if t.resumed else "")
            else:
                why = ("no result after %d s" % t.limit if rc == "timeout"
                       else "kbctl analyze exit status %d" % rc)
                r = finish(t, "failed", el, why + ": " + tail(log, 3))
                msg = "failed (%s; %s)" % (why, log)
            results[t.id] = r
            # Time left: each analysis's own time last time, else the
            # mean so far; spread over the jobs.
            done_secs = [results[x.id]["seconds"] for x in finished
                         if results[x.id]["seconds"]]
            mean = sum(done_secs) / len(done_secs) if done_secs else 0
            left = sum(x.expected() or mean for x in queue)
            left += sum(max(0, (x.expected() or mean) - (time.monotonic() - x.t0))
                        for x in running)
            say("[%d/%d] %s: %s; %s so far, about %s left" % (
                len(finished), total, t.id, msg, fmt_secs(time.monotonic() - t0),
                fmt_secs(left / args.jobs)))


def run_native(apps, args):
    """Each workload once, natively: what an analysis's baseline needs."""
    failed = 0
    for a in apps:
        env = dict(os.environ)
        env["CORPUS_DATA"] = os.path.join(args.out, a["name"], "data")
        setup_err = setup_app(a, args.out, env)
        for kind in KINDS:
            if kind not in a:
                continue
            err = setup_err
            if not err:
                t0 = time.monotonic()
                p = subprocess.run([os.path.join(a["dir"], w) if i == 0 else w
                                    for i, w in enumerate(a[kind].split())],
                                   cwd=env["CORPUS_DATA"], env=env,
                                   stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, timeout=args.timeout)
                if p.returncode:
                    err = "exit status %d: %s" % (
                        p.returncode, p.stdout.decode(errors="replace").strip()[-300:])
            print("%-24s %s" % (a["name"] + ("" if kind == "workload" else "-real"),
                                "failed: " + err if err else
                                "ok, %.2f s" % (time.monotonic() - t0)))
            failed += bool(err)
    return 1 if failed else 0


def static_list(conf, out):
    """static_binary.py's list for the app's binaries, kept in OUT/APP/
    (static.txt) while they are unchanged; None (said) when it could not
    be made."""
    paths = app_paths(conf, os.path.join(out, conf["name"], "data"))
    stamp = json.dumps([[p, os.path.getsize(p), os.path.getmtime(p)] for p in paths
                        if os.path.isfile(p)])
    base = os.path.join(out, conf["name"], "static")
    try:
        with open(base + ".stamp") as f:
            if f.read() == stamp:
                return base + ".txt"
    except OSError:
        pass
    p = subprocess.run([sys.executable, os.path.join(HERE, "static_binary.py")] + paths,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode:
        print("corpus: %s: no static analysis: %s" % (conf["name"], p.stderr.strip()),
              file=sys.stderr)
        return None
    with open(base + ".txt", "w") as f:
        f.write(p.stdout)
    with open(base + ".stamp", "w") as f:
        f.write(stamp)
    return base + ".txt"


def scope_trace(task, out, kbctl):
    """loupe-scope: the executables besides app's that Loupe's stubs
    reached (its seccomp filter is inherited by the traced program's
    children: a launcher script's shell, the helpers it starts), traced
    once natively under the workload, so that the report can tell the
    differences they explain. Kept in APP/workload/scope.json while the
    analysis's inputs are unchanged; False (said) when the run failed."""
    path = os.path.join(task.dir, "scope.json")
    stamp = task.digest + " " + task.conf["loupe-scope"]
    try:
        with open(path + ".stamp") as f:
            if f.read() == stamp:
                return True
    except OSError:
        pass
    data = os.path.join(out, task.conf["name"], "data")
    env = dict(os.environ, CORPUS_DATA=data)
    cmd = [os.path.join(os.path.dirname(kbctl), "kblaunch"), "--vdso=hide",
           "--report", path + ".tmp"]
    for a in app_paths(dict(app=task.conf["loupe-scope"]), data):
        cmd += ["--only", a]
    cmd += ["--"] + [os.path.join(task.conf["dir"], w) if i == 0 else w
                     for i, w in enumerate(task.conf["workload"].split())]
    try:
        p = subprocess.run(cmd, cwd=task.dir, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, timeout=600,
                           start_new_session=True)
        why = p.returncode and "exit status %d: %s" % (p.returncode, p.stderr.strip()[-300:])
    except subprocess.TimeoutExpired:
        why = "past 600 s"
    if why:
        print("corpus: %s: no loupe-scope trace: %s" % (task.conf["name"], why),
              file=sys.stderr)
        return False
    os.replace(path + ".tmp", path)
    with open(path + ".stamp", "w") as f:
        f.write(stamp)
    return True


def export(tasks, results, args, kbctl):
    """Every analysis that finished as a loupedb run (with a static
    analysis of the app's binaries), then Loupe's own database."""
    db = os.path.join(args.out, "loupedb")
    shutil.rmtree(db, ignore_errors=True)
    ok = True
    done = [t for t in tasks if results.get(t.id, {}).get("status") == "ok"]
    for t in done:
        if t.kind == "workload" and "loupe-scope" in t.conf:
            ok = scope_trace(t, args.out, kbctl) and ok
    statics = {}
    if args.static:
        # One app's objdumps take a core for up to minutes: -j at once.
        confs = {t.conf["name"]: t.conf for t in done}
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            statics = dict(zip(confs, pool.map(lambda c: static_list(c, args.out),
                                               confs.values())))
    for t in done:
        loupe = t.conf["loupedb"].split()[0]
        name = loupe if loupe != "-" else t.conf["name"]
        wl = "benchmark-kbridge" if t.kind == "workload" else "benchmark-kbridge-real"
        static = statics.get(t.conf["name"])
        p = subprocess.run([kbctl, "loupedb", "export", "-o", db, "--name", name,
                            "--workload", wl, os.path.join(t.dir, "analysis.json")]
                           + (["--static-binary", static] if static else []),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if p.returncode:
            print(p.stderr, end="", file=sys.stderr)
            ok = False
    imported = os.path.join(args.out, "loupedb-imported")
    shutil.rmtree(imported, ignore_errors=True)
    if os.path.isdir(args.loupedb):
        p = subprocess.run([kbctl, "loupedb", "import", "-o", imported, args.loupedb],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if p.returncode:
            print(p.stderr, end="", file=sys.stderr)
            ok = False
    return ok


def stopped(sig, frame):
    """SIGTERM and SIGHUP end the run as Ctrl-C does (run_all cleans up)."""
    raise KeyboardInterrupt


def main():
    ap = argparse.ArgumentParser(
        description="Analyse the corpus's applications with kbctl analyze, "
        "export the results as loupedb runs and import Loupe's database.",
        epilog="make corpus runs it all; CORPUS_APPS='lua zstd' make corpus "
        "a subset. The results: OUT/APP/{workload,real}/ (kbctl analyze's "
        "folders), OUT/loupedb/ (the export), OUT/loupedb-imported/ "
        "(Loupe's, imported), OUT/corpus.json (the summary).")
    ap.add_argument("apps", nargs="*", metavar="APP",
                    help="the applications to analyse (default: all)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                    help="analyses run at once (default: one per CPU)")
    ap.add_argument("-r", "--replicas", type=int, default=1,
                    help="kbctl analyze -r (default 1)")
    ap.add_argument("-o", "--out", default=os.path.join(ROOT, ".output", "corpus"),
                    help="where the results go (default .output/corpus)")
    ap.add_argument("--loupedb", default=os.environ.get(
        "KB_LOUPEDB", os.path.join(ROOT, "..", "shared", "loupedb")),
        help="Loupe's database, imported for the comparison (default "
        "../shared/loupedb; skipped when absent)")
    ap.add_argument("--kbctl", default=os.path.join(ROOT, ".output", "kbctl"))
    ap.add_argument("--timeout", type=int, default=1800,
                    help="seconds an analysis may take (default 1800; an "
                    "app.conf may say otherwise)")
    ap.add_argument("--no-static", dest="static", action="store_false",
                    help="export without the static analysis of the apps' binaries "
                    "(static_binary.py)")
    ap.add_argument("--force", action="store_true",
                    help="run every analysis again, even those up to date")
    ap.add_argument("--packages", action="store_true",
                    help="print the Debian packages the applications need, and exit")
    ap.add_argument("--native", action="store_true",
                    help="run each workload once natively (no analysis): does it pass here?")
    ap.add_argument("--list", action="store_true",
                    help="print the applications and their workloads, and exit")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, stopped)
    signal.signal(signal.SIGHUP, stopped)
    if args.jobs < 1 or args.replicas < 1:
        ap.error("-j and -r must be at least 1")
    try:
        apps = load_corpus()
    except (ConfError, OSError) as e:
        print("corpus: %s" % e, file=sys.stderr)
        return 1
    names = {a["name"] for a in apps}
    unknown = [a for a in args.apps if a not in names]
    if unknown:
        print("corpus: no application %s in %s" % (", ".join(unknown), HERE), file=sys.stderr)
        return 1
    if args.apps:
        apps = [a for a in apps if a["name"] in args.apps]
    if args.packages:
        print(" ".join(sorted({p for a in apps for p in a["packages"].split()})))
        return 0
    if args.list:
        for a in apps:
            print("%-20s %-20s %s" % (a["name"], a["loupedb"],
                                      " + real" if "real" in a else ""))
        return 0
    args.out = os.path.abspath(args.out)
    if args.native:
        return run_native(apps, args)
    if not os.access(args.kbctl, os.X_OK):
        print("corpus: %s: not built (make userland)" % args.kbctl, file=sys.stderr)
        return 1
    tasks = [Task(a, k, args.out, args.kbctl) for a in apps for k in KINDS if k in a]
    cpu0 = cpu_times()
    # This invocation's wall time covers these; the others were up to date.
    ran = sum(bool(args.force or not t.done()) for t in tasks)
    try:
        results, wall = run_all(tasks, args, args.kbctl)
    except KeyboardInterrupt:
        print("corpus: stopped; the same command goes on where it stopped",
              file=sys.stderr)
        return 130
    cpu1 = cpu_times()
    # How busy the machine's CPUs were while the analyses ran (-j's
    # point: both cores of a 2-core machine).
    busy = ((cpu1[0] - cpu0[0]) / (cpu1[1] - cpu0[1])) if cpu1[1] > cpu0[1] else 0.0
    ok = export(tasks, results, args, args.kbctl)
    failed = [t.id for t in tasks if results[t.id]["status"] != "ok"]
    summary = {"jobs": args.jobs, "replicas": args.replicas, "wall_seconds": wall,
               "ran": ran, "analysis_seconds": sum(results[t.id].get("seconds") or 0
                                                   for t in tasks),
               "cpus": os.cpu_count(), "cpu_busy": busy,
               "analyses": [results[t.id] for t in tasks]}
    with open(os.path.join(args.out, "corpus.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print("corpus: %d analyses of %d applications, %d failed%s; %s, CPUs %.0f %% busy" % (
        len(tasks), len(apps), len(failed), (" (" + ", ".join(failed) + ")") if failed else "",
        fmt_secs(wall), 100 * busy))
    return 0 if ok and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
