# SPDX-License-Identifier: GPL-2.0
"""A small memcached text-protocol client for tests/guest/apps_guest.sh.

usage: memcache_client.py PORT [KEYS]

Sets KEYS keys over 4 connections, reads them all back with one multi-get
per connection, increments a counter on each connection, and prints a
summary that does not depend on timing: identical output natively and
with the server under kblaunch is the check. Exit status 1 on any
protocol error.
"""
import socket
import sys


def conn(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    return s, s.makefile("rb")


def cmd(s, f, line, data=None):
    s.sendall(line.encode() + b"\r\n" + (data + b"\r\n" if data is not None else b""))
    return f.readline().rstrip(b"\r\n").decode()


def main():
    port = int(sys.argv[1])
    keys = int(sys.argv[2]) if len(sys.argv) > 2 else 400
    conns = [conn(port) for _ in range(4)]
    errors = 0
    for i in range(keys):
        s, f = conns[i % 4]
        val = (b"value-%d-" % i) * (1 + i % 7)
        if cmd(s, f, "set k%d %d 0 %d" % (i, i, len(val)), val) != "STORED":
            errors += 1
    got = 0
    for c, (s, f) in enumerate(conns):
        mine = range(c, keys, 4)
        s.sendall(("get " + " ".join("k%d" % i for i in mine) + "\r\n").encode())
        for i in mine:
            hdr = f.readline().split()
            val = (b"value-%d-" % i) * (1 + i % 7)
            if hdr != [b"VALUE", b"k%d" % i, b"%d" % i, b"%d" % len(val)]:
                errors += 1
                break
            if f.read(len(val) + 2) != val + b"\r\n":
                errors += 1
            got += 1
        if f.readline() != b"END\r\n":
            errors += 1
    cmd(*conns[0], "set counter 0 0 1", b"0")
    for s, f in conns:
        for _ in range(25):
            cmd(s, f, "incr counter 1")
    counter = cmd(*conns[0], "get counter")
    counter = conns[0][1].readline().strip().decode() if counter.startswith("VALUE") else "?"
    conns[0][1].readline()
    print("set %d, got back %d, counter %s, errors %d" % (keys, got, counter, errors))
    return 1 if errors else 0


sys.exit(main())
