# SPDX-License-Identifier: GPL-2.0
"""How far kbctl analyze's verdicts agree with Loupe's published ones.

For a corpus application that loupedb also has, compare kbridge's
analysis (analysis.json) with loupedb's runs of that application
(imported by kbctl loupedb import, their runs merged as Loupe merges
replicas):

- traced: the syscalls each side saw the application make;
- for those both traced, the class each gives (required, stub, fake,
  either), the share that agree, and the share of Loupe's required ones
  that kbridge also finds required (the figure the corpus is held to);
- every difference with its likely cause (CAUSES).

Used by corpus/report.py; every function here is pure: JSON in, JSON out.
"""

# The time calls a vDSO answers without a syscall: kbctl analyze hides the
# vDSO (--vdso=hide, its default), so an OS without one sees them; Loupe's
# tracer left it, so they are missing from its runs.
VDSO_CALLS = {"clock_gettime", "gettimeofday", "time", "getcpu"}

# Syscalls that do one job and replace one another as C libraries and
# kernels change (glibc 2.35 in Loupe's Ubuntu 22.04 image, 2.36 in Debian
# 12; newer glibc calls clone3, rseq, newfstatat, openat...): a syscall
# traced on one side only whose kin is traced on the other is a version
# or libc difference, not a different behaviour.
KIN = [
    {"open", "openat", "openat2", "creat"},
    {"stat", "lstat", "fstat", "newfstatat", "statx"},
    {"clone", "clone3", "fork", "vfork"},
    {"poll", "ppoll", "select", "pselect6"},
    {"epoll_wait", "epoll_pwait", "epoll_pwait2"},
    {"epoll_create", "epoll_create1"},
    {"dup2", "dup3"},
    {"pipe", "pipe2"},
    {"access", "faccessat", "faccessat2"},
    {"getdents", "getdents64"},
    {"signalfd", "signalfd4"},
    {"eventfd", "eventfd2"},
    {"accept", "accept4"},
    {"wait4", "waitid"},
    {"readlink", "readlinkat"},
    {"unlink", "unlinkat", "rmdir"},
    {"mkdir", "mkdirat"},
    {"rename", "renameat", "renameat2"},
    {"chmod", "fchmod", "fchmodat"},
    {"chown", "fchown", "lchown", "fchownat"},
    {"utime", "utimes", "futimesat", "utimensat"},
    {"getrlimit", "setrlimit", "prlimit64"},
    {"inotify_init", "inotify_init1"},
    {"sigaltstack", "rseq", "set_robust_list", "set_tid_address"},
    {"mmap", "mremap"},
    {"sched_getaffinity", "sched_setaffinity"},
]

# Why two verdicts differ, most specific first (the report shows each).
CAUSES = {
    "vdso": "a time call: kbridge hides the vDSO, so it is a syscall here; "
            "Loupe's runs had the vDSO answer it",
    "libc": "a version or libc difference: the other side made a call of "
            "the same kind instead",
    "first-exec": "execve traced by Loupe only: Loupe's filter is in place "
                  "before the exec that starts the program and counts it; "
                  "kbridge's analysis starts at the program's first "
                  "instruction, and sees only the execs the program makes",
    "workload": "traced by one side only: the workloads or the versions "
                "differ",
    "merge": "Loupe's runs disagree with one another, and Loupe's merge "
             "keeps only what every run allows",
    "scope": "Loupe's stubs reached more processes than the application's "
             "(its seccomp filter is inherited: a launcher script's shell, "
             "helpers the application starts), and these make this call "
             "(app.conf's loupe-scope, traced under the workload): Loupe "
             "traced it there, or found it needed there",
    "subfeature": "kbridge's class is the syscall's as a whole; its "
                  "sub-features (commands, pseudo-files) are classed apart",
    "weak-test": "Loupe's test passes a run that finishes (a null test), "
                 "prints a version or prints anything: it accepts stubs and "
                 "fakes that break the program's output, which kbridge's "
                 "check rejects",
    "version": "the same workload and check: the application's version (or "
               "its environment) decides",
}

CLASSES = ("required", "stub", "fake", "either")
# What each class allows.
ALLOWS = {"required": set(), "stub": {"stub"}, "fake": {"fake"},
          "either": {"stub", "fake"}}


def classes(report):
    """{name: class} of an analysis.json or an imported APP.json."""
    return {s["name"]: s["class"] for s in report["syscalls"]}


def kin_of(name):
    return set().union(*[k for k in KIN if name in k]) - {name}


def compare(kb, loupe, loupe_runs=(), weak_test=False, scope=()):
    """kbridge's report @kb against Loupe's @loupe (both JSON); loupe_runs
    are Loupe's runs of the application one by one (for the merge cause);
    weak_test: Loupe's test was a null test, a version print or a loose
    check; scope: the syscalls made by the other processes Loupe's stubs
    reached (loupe-scope). Returns the comparison as a JSON-ready dict."""
    k, l = classes(kb), classes(loupe)
    both = sorted(set(k) & set(l))
    sub = {s["name"] for s in kb.get("subfeatures", []) + kb.get("pseudo_files", [])
           if s.get("class") not in (None, "untested")}
    runs = [classes(r) for r in loupe_runs]
    diffs = []
    for name in sorted(set(k) | set(l)):
        if name in k and name in l:
            if k[name] == l[name]:
                continue
            per_run = {r[name] for r in runs if name in r}
            if len(per_run) > 1:
                cause = "merge"
            elif k[name] == "required" and name in sub:
                cause = "subfeature"
            elif k[name] == "required" and weak_test:
                cause = "weak-test"
            elif name in scope and ALLOWS[l[name]] < ALLOWS[k[name]]:
                cause = "scope"
            else:
                cause = "version"
        else:
            other = l if name in k else k
            if name in VDSO_CALLS:
                cause = "vdso"
            elif name == "execve" and name in l:
                cause = "first-exec"
            elif name in l and name in scope:
                cause = "scope"
            elif kin_of(name) & set(other):
                cause = "libc"
            else:
                cause = "workload"
        diffs.append({"syscall": name, "kbridge": k.get(name), "loupe": l.get(name),
                      "cause": cause})
    agree = sum(k[n] == l[n] for n in both)
    l_req = [n for n in both if l[n] == "required"]
    found = sum(k[n] == "required" for n in l_req)
    return {
        "kbridge_traced": len(k),
        "loupe_traced": len(l),
        "both_traced": len(both),
        "only_kbridge": sorted(set(k) - set(l)),
        "only_loupe": sorted(set(l) - set(k)),
        "agree": agree,
        "agreement": agree / len(both) if both else None,
        "loupe_required": len(l_req),
        "required_found": found,
        "required_recall": found / len(l_req) if l_req else None,
        "pairs": {"%s/%s" % (a, b): sum(l[n] == a and k[n] == b for n in both)
                  for a in CLASSES for b in CLASSES},
        "differences": diffs,
    }


def total(rows):
    """The corpus-wide figures of several compare() results."""
    s = {key: sum(r[key] for r in rows) for key in
         ("kbridge_traced", "loupe_traced", "both_traced", "agree",
          "loupe_required", "required_found")}
    s["agreement"] = s["agree"] / s["both_traced"] if s["both_traced"] else None
    s["required_recall"] = (s["required_found"] / s["loupe_required"]
                            if s["loupe_required"] else None)
    causes = {}
    for r in rows:
        for d in r["differences"]:
            causes[d["cause"]] = causes.get(d["cause"], 0) + 1
    s["causes"] = dict(sorted(causes.items(), key=lambda x: -x[1]))
    return s
