#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The module's files call down their layers, never up, and never in a
loop; kbctl stands on the client library, not on kblaunch or its runtime.

The layers are the table of docs/architecture.md (between its "module
layers" markers). Who calls whom comes from the built objects: an edge
A -> B when module/A.o leaves undefined a symbol that module/B.o defines
(functions, data and tracepoints alike). Checks: every module source has
one layer and every file the table names exists; no edge goes to a
higher layer; the graph has no cycle, within a layer either. Host test; needs kbridge.ko built in the tree (make guest-build).
Prints TAP. First it checks the checker on made-up graphs; `--selftest`
does only that.
"""
import glob
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = "docs/architecture.md"

results = []


def check(ok, what):
    results.append((ok, what))


def read_layers(path):
    """[(layer, [file, ...])] from the marked table of @path."""
    text = open(path, encoding="utf-8").read()
    m = re.search(r"<!-- module layers[^>]*-->\n(.*?)<!-- end of module layers -->",
                  text, re.S)
    if not m:
        raise SystemExit(f"{path}: no <!-- module layers --> table")
    layers = []
    for lineno, line in enumerate(m.group(1).splitlines(), 1):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[0] in ("layer", "") or set(cells[0]) <= set("-"):
            continue
        files = re.findall(r"`([^`]+)`", cells[1])
        if not files:
            raise SystemExit(f"{path}: layer {cells[0]} names no file")
        layers.append((cells[0], files))
    return layers


def sources(layers):
    """source path -> layer index, globs expanded."""
    where, unknown, twice = {}, [], []
    for i, (_, files) in enumerate(layers):
        for pat in files:
            # module/'s own files by name; the tier core from the top
            hits = sorted(glob.glob(os.path.join("module", pat)) or
                          glob.glob(pat))
            if not hits:
                unknown.append(pat)
            for f in hits:
                if f in where:
                    twice.append(f)
                where[f] = i
    check(not unknown, f"every file {DOC} names exists"
          + (f" (not: {', '.join(unknown)})" if unknown else ""))
    check(not twice, f"no file has two layers in {DOC}"
          + (f" ({', '.join(twice)})" if twice else ""))
    return where


def symbols(obj):
    """(defined global symbols, undefined symbols) of @obj."""
    def nm(*args):
        out = subprocess.run(["nm", *args, obj], capture_output=True,
                             text=True, check=True).stdout
        return out.splitlines()
    defined = {l.split()[2] for l in nm("--defined-only")
               if len(l.split()) == 3 and l.split()[1].isupper()}
    undefined = {l.split()[-1] for l in nm("-u") if l.strip()}
    return defined, undefined


def edges_of(objs):
    """{file: {callee file: [symbol, ...]}} from file -> object path."""
    defs, undef = {}, {}
    for f, o in objs.items():
        d, u = symbols(o)
        undef[f] = u
        for s in d:
            defs.setdefault(s, f)
    edges = {f: {} for f in objs}
    for f, u in undef.items():
        for s in sorted(u):
            g = defs.get(s)
            if g and g != f:
                edges[f].setdefault(g, []).append(s)
    return edges


def cycles(edges):
    """The strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def upward(edges, where, layers):
    """Edges to a higher layer."""
    bad = []
    for f, callees in sorted(edges.items()):
        for g, syms in sorted(callees.items()):
            if g not in where or f not in where:
                continue
            if where[g] > where[f]:
                bad.append(f"{f} ({layers[where[f]][0]}) calls "
                           f"{g} ({layers[where[g]][0]}): {', '.join(syms[:3])}")
    return bad


def selftest():
    layers = [("low", ["a.c"]), ("high", ["b.c", "c.c"])]
    where = {"a.c": 0, "b.c": 1, "c.c": 1}
    good = {"a.c": {}, "b.c": {"a.c": ["x"]}, "c.c": {"b.c": ["y"]}}
    loop = {"a.c": {"b.c": ["up"]}, "b.c": {"a.c": ["x"]}, "c.c": {}}
    sideways = {"a.c": {}, "b.c": {"c.c": ["z"]}, "c.c": {"b.c": ["w"]}}
    check(not cycles(good) and not upward(good, where, layers),
          "selftest: a graph that follows its layers passes")
    check(cycles(loop) == [["a.c", "b.c"]], "selftest: a loop is found")
    check(len(upward(loop, where, layers)) == 1,
          "selftest: a call up a layer is found")
    check(cycles(sideways) == [["b.c", "c.c"]] and
          not upward(sideways, where, layers),
          "selftest: a loop within one layer is found")


def kbctl_includes():
    """kbctl's sources and build list name nothing of kblaunch/ or rt/."""
    bad = []
    for path in sorted(glob.glob("userland/kbctl/**/*", recursive=True)):
        if not os.path.isfile(path):
            continue
        for n, line in enumerate(open(path, encoding="utf-8", errors="replace"), 1):
            if re.search(r"(#\s*include\s*[<\"].*|\.c\b.*)(kblaunch|rt)/", line) or \
               re.search(r"^\s*#\s*include\s*\"\.\./(kblaunch|rt)/", line):
                bad.append(f"{path}:{n}: {line.strip()}")
    return bad


def main():
    os.chdir(TOP)
    selftest()
    if "--selftest" not in sys.argv[1:]:
        layers = read_layers(DOC)
        where = sources(layers)
        srcs = sorted(glob.glob("module/*.c") + glob.glob("core/*.c"))
        missing = [f for f in srcs if f not in where]
        check(not missing, f"every module source has a layer in {DOC}"
              + (f" (none for {', '.join(missing)})" if missing else ""))
        objs = {f: f[:-2] + ".o" for f in where}
        absent = [o for o in objs.values() if not os.path.exists(o)]
        check(not absent, "the module's objects are built"
              + (f" (missing {', '.join(absent)})" if absent else ""))
        if not absent:
            edges = edges_of(objs)
            n = sum(len(c) for c in edges.values())
            check(n > 0, f"the objects call each other ({n} file-to-file calls)")
            loops = cycles(edges)
            check(not loops, "no file of module/ calls a file that calls back"
                  + "".join(f"\n# loop: {' '.join(c)}" for c in loops))
            up = upward(edges, where, layers)
            check(not up, "every call goes down the layers"
                  + "".join(f"\n# {u}" for u in up))
        inc = kbctl_includes()
        check(not inc, "userland/kbctl includes nothing from kblaunch/ or rt/"
              + "".join(f"\n# {b}" for b in inc))
    for i, (ok, what) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {what}")
    print(f"1..{len(results)}")
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
