# SPDX-License-Identifier: GPL-2.0
"""The client of tests/workloads/memcached.sh (memcached's text protocol).

usage: memcached_client.py PORT [KEYS [TIMEOUT]]  (TIMEOUT: per answer, s)

Over 2 connections: KEYS sets (values of 1 byte to 40 KiB), each read back
alone and then all in one multi-get per connection, 50 increments of a
counter, a delete and an add that must be refused. Every answer is
checked; on the first wrong one the client says which on stderr and
exits 1. Otherwise it prints the requests per second it got, alone on
its line.
"""
import socket
import sys
import time


class Conn:
    def __init__(self, port, timeout):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.f = self.s.makefile("rb")

    def send(self, line, data=None):
        msg = line.encode() + b"\r\n"
        if data is not None:
            msg += data + b"\r\n"
        self.s.sendall(msg)

    def line(self):
        got = self.f.readline()
        if not got.endswith(b"\r\n"):
            raise EOFError("connection closed or truncated line %r" % got)
        return got[:-2].decode()

    def ask(self, line, data=None):
        self.send(line, data)
        return self.line()

    def value(self, key, flags, want):
        """Read one VALUE block of a get; the data must be want."""
        hdr = self.line().split()
        if hdr != ["VALUE", key, str(flags), str(len(want))]:
            raise ValueError("get %s: header %r" % (key, hdr))
        data = self.f.read(len(want) + 2)
        if data != want + b"\r\n":
            raise ValueError("get %s: %d bytes differ" % (key, len(want)))


def val(i):
    """Value of key i: sizes from 1 byte to 40 KiB, content per key."""
    size = 1 + (i * 7919) % (40 * 1024) if i % 10 == 0 else 1 + i % 100
    pat = b"%d:" % i
    return (pat * (size // len(pat) + 1))[:size]


def expect(got, want, what):
    if got != want:
        raise ValueError("%s: %r, expected %r" % (what, got, want))


def main():
    port = int(sys.argv[1])
    keys = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 2
    t0 = time.monotonic()
    conns = [Conn(port, timeout) for _ in range(2)]
    reqs = 0
    for i in range(keys):
        c = conns[i % 2]
        expect(c.ask("set k%d %d 0 %d" % (i, i, len(val(i))), val(i)),
               "STORED", "set k%d" % i)
        c.send("get k%d" % i)
        c.value("k%d" % i, i, val(i))
        expect(c.line(), "END", "get k%d end" % i)
        reqs += 2
    for n, c in enumerate(conns):
        mine = range(n, keys, 2)
        c.send("get " + " ".join("k%d" % i for i in mine))
        for i in mine:
            c.value("k%d" % i, i, val(i))
        expect(c.line(), "END", "multi-get end")
        reqs += 1
    c = conns[0]
    expect(c.ask("set counter 0 0 1", b"0"), "STORED", "set counter")
    for n in range(50):
        expect(conns[n % 2].ask("incr counter 2"), str(2 * (n + 1)), "incr")
    expect(c.ask("delete k0"), "DELETED", "delete k0")
    expect(c.ask("get k0"), "END", "get k0 after delete")
    expect(c.ask("add k1 0 0 1", b"x"), "NOT_STORED", "add k1 (exists)")
    reqs += 54
    print("%.0f" % (reqs / (time.monotonic() - t0)))


try:
    main()
except (OSError, EOFError, ValueError) as e:
    print("memcached_client: %s" % e, file=sys.stderr)
    sys.exit(1)
