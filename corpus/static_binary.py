#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Which syscalls can a program make, read from its machine code: the
static analysis loupedb keeps beside each dynamic one
(data/static_binary.csv), for kbctl loupedb export --static-binary.

    static_binary.py ELF...      one syscall name per line on stdout

The code is objdump's disassembly (binutils) of each ELF and of the
shared libraries it loads (ldd's list), cut into regions at each symbol
objdump names (in a stripped library, the exported symbols: a region
then holds the internal functions that follow one). From every region of
the programs given, the analysis follows direct calls and jumps into
other regions, and calls through the PLT into the library that exports
the name (or through the GOT, where objdump names the symbol), and
collects the syscall numbers it can read at each syscall
instruction: the constants moved into %eax (through register copies) on
the paths into it within the region, loops and branches followed
backwards; and the first argument of calls to libc's syscall(). The dynamic
loader's own syscalls are all counted (it runs before any program).

What it cannot see, it does not count: calls through pointers (callbacks,
vtables, Go's and the JVM's own dispatch), numbers computed at run time,
code generated at run time. What it counts may never run. It is the kind
of over- and under-approximation Loupe's own static analyser makes; the
dynamic analysis is the one the classes come from.
"""

import bisect
import os
import re
import subprocess
import sys

UNISTD = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
# Larger files are not disassembled (node's 100 MB would take minutes
# and gigabytes of text): the analysis is then said to be skipped.
MAX_BYTES = 64 << 20

HEADER = re.compile(r"^([0-9a-f]+) <(.+)>:$")
INSN = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$")
TARGET = re.compile(r"^([0-9a-f]+) <([^>]+)>")
# Registers that hold a syscall's number (%eax) or syscall()'s first
# argument (%edi), by their 32- and 64-bit names.
EAX, EDI = {"%eax", "%rax"}, {"%edi", "%rdi"}
WIDE = {"%e" + r[2:]: "%r" + r[2:] for r in ("%eax", "%ebx", "%ecx", "%edx", "%esi", "%edi")}
WIDE.update({"%%r%dd" % i: "%%r%d" % i for i in range(8, 16)})


def syscall_names():
    names = {}
    with open(UNISTD) as f:
        for line in f:
            m = re.match(r"#define __NR_(\w+) (\d+)$", line.strip())
            if m:
                names[int(m.group(2))] = m.group(1)
    return names


def bare(sym):
    """printf@@GLIBC_2.2.5 -> printf; foo+0x1a -> foo; free@plt stays."""
    sym = sym.split("+")[0]
    if sym.endswith("@plt"):
        return sym
    return sym.split("@")[0]


def regs(r):
    """Both names of a general register (%edx: %edx and %rdx)."""
    wide = WIDE.get(r, r)
    narrow = next((n for n, w in WIDE.items() if w == r), r)
    return {wide, narrow}


# What a syscall instruction or a call leaves changed (the ABI's
# caller-saved registers).
CLOBBER = {"syscall": {"%rax", "%eax", "%rcx", "%ecx", "%r11", "%r11d"},
           "call": {"%rax", "%eax", "%rcx", "%ecx", "%rdx", "%edx", "%rsi", "%esi",
                    "%rdi", "%edi", "%r8", "%r8d", "%r9", "%r9d", "%r10", "%r10d",
                    "%r11", "%r11d"}}


def operands(ops):
    return [a.strip() for a in re.split(r",(?![^(]*\))", ops.split("#")[0]) if a.strip()]


def writes(mnem, ops, want):
    """Does the instruction change a register of @want?"""
    if mnem in CLOBBER:
        return bool(CLOBBER[mnem] & want)
    args = operands(ops)
    return bool(args) and args[-1] in want and not mnem.startswith(("cmp", "test", "j"))


# Instructions after which the next one is not reached by falling through.
NO_FALLTHROUGH = ("jmp", "ret", "hlt", "ud2")


def constants(insns, i, want, targets, budget=400):
    """The constants the register set @want may hold at instruction @i:
    every path into @i within the region is followed backwards (through
    the branches that land on it, from before or from after it: loops)
    to the instruction that sets the register, through register copies.
    A path that reaches the region's start, a value computed otherwise,
    a call or a syscall (which change %eax) gives nothing."""
    index = {a: k for k, (a, _, _) in enumerate(insns)}
    found, seen = set(), set()
    stack = [(i, frozenset(want))]
    while stack and budget > 0:
        k, w = stack.pop()
        # The paths into k: falling through from k - 1, and the branches.
        preds = [index[s] for s in targets.get(insns[k][0], ()) if s in index]
        if k > 0 and insns[k - 1][1] not in NO_FALLTHROUGH:
            preds.append(k - 1)
        for p in preds:
            if (p, w) in seen:
                continue
            seen.add((p, w))
            budget -= 1
            _, mnem, ops = insns[p]
            if mnem in ("call", "syscall") and writes(mnem, ops, w):
                continue
            args = operands(ops)
            if len(args) != 2 or args[1] not in w or mnem.startswith(("cmp", "test", "j")):
                if not writes(mnem, ops, w):
                    stack.append((p, w))
                continue
            src = args[0]
            if mnem in ("mov", "movl", "movq") and src.startswith("$"):
                found.add(int(src[1:], 16) if src.startswith("$0x") else int(src[1:]))
            elif mnem == "xor" and src == args[1]:
                found.add(0)
            elif mnem in ("mov", "movl", "movq") and src.startswith("%"):
                stack.append((p, frozenset(regs(src))))
    return found


class Elf:
    def __init__(self, path):
        self.path = path
        self.regions = {}   # name -> {"calls", "imports", "syscalls"}
        self.starts = []    # (address, region name), sorted
        self.exports = {}   # exported name -> region name
        out = subprocess.run(["objdump", "-d", "-w", "--no-show-raw-insn", path],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, errors="replace").stdout
        cur, insns, self.targets = None, [], {}
        lines = out.splitlines()
        # Branch targets first (address -> the branches' addresses): a
        # constant read back past one may come from another path.
        for line in lines:
            m = INSN.match(line)
            if m and m.group(2).startswith("j"):
                t = TARGET.match(m.group(3))
                if t:
                    self.targets.setdefault(int(t.group(1), 16), []).append(int(m.group(1), 16))
        for line in lines:
            h = HEADER.match(line)
            if h:
                self.finish(cur, insns)
                cur, insns = bare(h.group(2)), []
                self.starts.append((int(h.group(1), 16), cur))
                self.regions.setdefault(cur, {"calls": set(), "imports": set(),
                                              "syscalls": set()})
                continue
            m = INSN.match(line)
            if not m or cur is None:
                continue
            addr, mnem, ops = int(m.group(1), 16), m.group(2), m.group(3)
            insns.append((addr, mnem, ops))
            t = TARGET.match(ops)
            r = self.regions[cur]
            if t and (mnem.startswith("j") or mnem == "call"):
                name = bare(t.group(2))
                if name.endswith("@plt"):
                    r["imports"].add(name[:-4])
                elif name != cur:
                    r["calls"].add(name)
            elif mnem in ("call", "jmp") and ops.startswith("*") and "# " in ops:
                # Through the GOT, objdump names the symbol in a comment:
                # "call *0x2ebf(%rip)  # 3fc0 <__libc_start_main@GLIBC_2.34>"
                g = TARGET.match(ops.split("# ", 1)[1])
                if g and not g.group(2).startswith("_GLOBAL_OFFSET_TABLE_"):
                    r["imports"].add(bare(g.group(2)))
        self.finish(cur, insns)
        dyn = subprocess.run(["objdump", "-T", "-w", path], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True).stdout
        starts = sorted(self.starts)
        keys = [a for a, _ in starts]
        for line in dyn.splitlines():
            f = line.split()
            if len(f) >= 6 and "DF" in f and ".text" in line and f[0] != "0000000000000000":
                k = bisect.bisect_right(keys, int(f[0], 16)) - 1
                if k >= 0:
                    self.exports[bare(f[-1])] = starts[k][1]

    def finish(self, cur, insns):
        if cur is None:
            return
        r = self.regions[cur]
        for i, (_, mnem, ops) in enumerate(insns):
            if mnem == "syscall":
                r["syscalls"] |= constants(insns, i, EAX, self.targets)
            elif mnem == "call":
                t = TARGET.match(ops)
                if t and bare(t.group(2)) in ("syscall", "syscall@plt"):
                    r["syscalls"] |= constants(insns, i, EDI, self.targets)


def libraries(path):
    """The shared objects @path loads, in ldd's order, and its loader."""
    out = subprocess.run(["ldd", path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True).stdout
    libs, loader = [], None
    for line in out.splitlines():
        m = re.search(r"=> (/\S+)", line) or re.match(r"\s*(/\S+) \(", line)
        if m:
            p = os.path.realpath(m.group(1))
            if "ld-linux" in p:
                loader = p
            elif p not in libs:
                libs.append(p)
    return libs, loader


def analyse(paths):
    """The syscall numbers the programs @paths can make; raises
    ValueError for a file too large to read."""
    nrs, libs, loader = set(), [], None
    progs = []
    for p in paths:
        if os.path.getsize(p) > MAX_BYTES:
            raise ValueError("%s: larger than %d MB" % (p, MAX_BYTES >> 20))
        progs.append(Elf(p))
        l, ld = libraries(p)
        libs += [x for x in l if x not in libs]
        loader = loader or ld
    elfs = [Elf(p) for p in libs]
    if loader:
        nrs |= set().union(*[r["syscalls"] for r in Elf(loader).regions.values()])
    todo = [(e, name) for e in progs for name in e.regions]
    seen = set()
    while todo:
        e, name = todo.pop()
        if (e.path, name) in seen or name not in e.regions:
            continue
        seen.add((e.path, name))
        r = e.regions[name]
        nrs |= r["syscalls"]
        todo += [(e, c) for c in r["calls"]]
        for imp in r["imports"]:
            lib = next((x for x in elfs if imp in x.exports), None)
            if lib:
                todo.append((lib, lib.exports[imp]))
    return nrs


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    names = syscall_names()
    try:
        nrs = analyse(sys.argv[1:])
    except (OSError, ValueError) as e:
        print("static_binary: %s" % e, file=sys.stderr)
        return 1
    for n in sorted(nrs):
        if n in names:
            print(names[n])
    return 0


if __name__ == "__main__":
    sys.exit(main())
