# SPDX-License-Identifier: GPL-2.0
"""Malformed ELF files for tests/host/badfiles_host.sh.

usage: elf_corpus.py STATIC DYN OUTDIR

STATIC is a small static ET_EXEC x86_64 program whose first three
program headers are PT_LOADs (tests/progs/static_getppid), DYN a
dynamically linked one with a PT_INTERP (tests/progs/dyn_getppid).
Each corpus file is written to OUTDIR (mode 755) and listed on stdout
as "NAME<TAB>REGEX<TAB>STATUS": what kblaunch must say after "kblaunch:
FILE: " and its exit status. Every file is broken in one place only, so
the message must name it.
"""
import os
import struct
import sys

EHDR = 64
PHDR = 56
PT_NULL, PT_LOAD, PT_INTERP = 0, 1, 3
# Elf64_Phdr: p_type p_flags p_offset p_vaddr p_paddr p_filesz p_memsz p_align
PH_FMT = "<IIQQQQQQ"
PH_FIELDS = ("type", "flags", "offset", "vaddr", "paddr", "filesz", "memsz",
             "align")


class Elf:
    def __init__(self, data):
        self.b = bytearray(data)

    def ehdr(self, off, fmt, value):
        struct.pack_into(fmt, self.b, off, value)
        return self

    @property
    def phoff(self):
        return struct.unpack_from("<Q", self.b, 32)[0]

    @property
    def phnum(self):
        return struct.unpack_from("<H", self.b, 56)[0]

    def ph(self, i):
        return dict(zip(PH_FIELDS, struct.unpack_from(
            PH_FMT, self.b, self.phoff + i * PHDR)))

    def set_ph(self, i, **kw):
        p = self.ph(i)
        p.update(kw)
        struct.pack_into(PH_FMT, self.b, self.phoff + i * PHDR,
                         *(p[f] for f in PH_FIELDS))
        return self

    def find(self, ptype):
        return [i for i in range(self.phnum) if self.ph(i)["type"] == ptype]


def main():
    static = open(sys.argv[1], "rb").read()
    dyn = open(sys.argv[2], "rb").read()
    out = sys.argv[3]
    corpus = []

    def add(name, data, regex, status=126):
        path = os.path.join(out, name)
        with open(path, "wb") as f:
            f.write(bytes(data))
        os.chmod(path, 0o755)
        corpus.append((name, regex, status))

    s = lambda: Elf(static)
    d = lambda: Elf(dyn)
    loads = s().find(PT_LOAD)
    assert loads[:3] == [0, 1, 2], "STATIC: the first 3 program headers must be PT_LOADs"
    l1 = s().ph(1)
    interp = d().find(PT_INTERP)[0]
    ip = d().ph(interp)

    # Not ELF at all: what execve says (ENOEXEC).
    add("empty", b"", "Exec format error$")
    add("bad_magic", b"\x7fELG" + static[4:], "Exec format error$")
    add("garbage", bytes((i * 151 + 7) % 256 for i in range(3000)),
        "Exec format error$")
    add("text_nul", b"hello\0world\n" * 10, "Exec format error$")
    # The ELF header.
    add("hdr_truncated", static[:40], "ELF header: truncated")
    add("class32", s().ehdr(4, "<B", 1).b,
        r"ELF header: not an x86_64 ELF \(class 1, data 1, machine 62\)")
    add("big_endian", s().ehdr(5, "<B", 2).b,
        r"ELF header: not an x86_64 ELF \(class 2, data 2, machine 62\)")
    add("machine_arm", s().ehdr(18, "<H", 40).b,
        r"ELF header: not an x86_64 ELF \(class 2, data 1, machine 40\)")
    add("version", s().ehdr(20, "<I", 7).b, "ELF header: unknown ELF version 7")
    add("type_rel", s().ehdr(16, "<H", 1).b,
        r"ELF header: not an executable \(ELF type 1\)")
    add("phentsize", s().ehdr(54, "<H", 32).b,
        "ELF header: program header size 32, expected 56")
    add("phnum_0", s().ehdr(56, "<H", 0).b, "ELF header: 0 program headers")
    add("phnum_huge", s().ehdr(56, "<H", 2000).b,
        "ELF header: 2000 program headers")
    add("phdrs_truncated", static[:EHDR + 2 * PHDR + 10],
        "ELF header: program headers past the end of the file")
    add("phoff_past_eof", s().ehdr(32, "<Q", 0x7fffffff).b,
        "ELF header: program headers past the end of the file")
    add("phoff_overflow", s().ehdr(32, "<Q", 0xffffffffffffffc0).b,
        "ELF header: program headers past the end of the file")
    add("no_load", Elf(s().b).set_ph(0, type=PT_NULL).set_ph(1, type=PT_NULL)
        .set_ph(2, type=PT_NULL).b,
        r"ELF header: no loadable segment \(PT_LOAD\)")
    add("entry_outside", s().ehdr(24, "<Q", 0x10).b,
        "ELF header: entry point 0x10 outside the loaded segments")
    # PT_LOAD program headers.
    add("load_past_eof", s().set_ph(1, offset=0x7f000000).b,
        "program header 1: PT_LOAD past the end of the file")
    add("load_offset_overflow", s().set_ph(1, offset=0xfffffffffffff000).b,
        "program header 1: PT_LOAD past the end of the file")
    add("load_filesz", s().set_ph(1, filesz=l1["memsz"] + 1).b,
        "program header 1: PT_LOAD file size larger than memory size")
    add("load_vaddr_kernel", s().set_ph(2, vaddr=0xffff800000002000).b,
        "program header 2: PT_LOAD address out of range")
    # Within the address space, but over kblaunch's own mappings.
    add("load_memsz_absurd", s().set_ph(2, memsz=0x7fff00000000).b,
        "program header 2: PT_LOADs? ")
    add("load_memsz_overflow", s().set_ph(2, memsz=0xfffffffffffff000).b,
        "program header 2: PT_LOAD address out of range")
    add("load_misaligned", s().set_ph(1, vaddr=l1["vaddr"] + 0x10).b,
        "program header 1: PT_LOAD address and file offset differ modulo the page size")
    add("load_align", s().set_ph(1, align=0x1001).b,
        "program header 1: PT_LOAD alignment is not a power of 2")
    add("load_overlap", s().set_ph(2, vaddr=l1["vaddr"], offset=0x2000 - 0x1000 + l1["offset"]).b,
        "program header 2: PT_LOAD overlaps program header 1")
    add("load_at_0", s().set_ph(0, vaddr=0).b,
        "program header 0: PT_LOAD would load at address 0")
    # PT_INTERP.
    e = d()
    e.b[ip["offset"] + ip["filesz"] - 1] = ord("x")
    add("interp_no_nul", e.b,
        "program header %d: PT_INTERP is not NUL-terminated" % interp)
    add("interp_too_long", d().set_ph(interp, filesz=5000).b,
        "program header %d: PT_INTERP of 5000 bytes" % interp)
    add("interp_1_byte", d().set_ph(interp, filesz=1).b,
        "program header %d: PT_INTERP of 1 bytes" % interp)
    add("interp_past_eof", d().set_ph(interp, offset=0x7fff0000).b,
        "program header %d: PT_INTERP past the end of the file" % interp)
    e = d()
    e.b[ip["offset"]:ip["offset"] + ip["filesz"]] = bytes(ip["filesz"])
    add("interp_empty", e.b, "program header %d: PT_INTERP is empty" % interp)
    e = d()
    other = [i for i in range(e.phnum) if i != interp and
             e.ph(i)["type"] not in (PT_LOAD, 6)][-1]
    e.set_ph(other, type=PT_INTERP, offset=ip["offset"], filesz=ip["filesz"])
    first, second = min(interp, other), max(interp, other)
    add("interp_twice", e.b,
        "program header %d: a second PT_INTERP \\(the first is program header %d\\)"
        % (second, first))
    e = d()
    path = b"/dev/zero"
    e.b[ip["offset"]:ip["offset"] + ip["filesz"]] = path + bytes(ip["filesz"] - len(path))
    add("interp_dev_zero", e.b, "/dev/zero: Permission denied")
    # Paths out of the file are quoted printable: no terminal escapes.
    e = d()
    path = b"/\x1b[2J\x07"
    e.b[ip["offset"]:ip["offset"] + ip["filesz"]] = path + bytes(ip["filesz"] - len(path))
    add("interp_control_bytes", e.b,
        r"/\\x1b\[2J\\x07: No such file or directory$", 127)
    add("script_control_bytes", b"#!/nonexistent/\x1b[2J\x07\n",
        r"/nonexistent/\\x1b\[2J\\x07: No such file or directory$", 127)
    # An interpreter that is itself broken: a short path to a truncated
    # ELF, when OUTDIR's path is short enough to fit.
    short = os.path.join(out, "i").encode()
    if len(short) < ip["filesz"]:
        with open(short, "wb") as f:
            f.write(static[:40])
        os.chmod(short, 0o755)
        e = d()
        e.b[ip["offset"]:ip["offset"] + ip["filesz"]] = short + bytes(ip["filesz"] - len(short))
        add("interp_truncated_elf", e.b, short.decode() + ": ELF header: truncated")

    for name, regex, status in corpus:
        print("%s\t%s\t%d" % (name, regex, status))


if __name__ == "__main__":
    main()
