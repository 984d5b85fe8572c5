# SPDX-License-Identifier: GPL-2.0
"""The script of tests/workloads/python3.sh: python3 on its own.

usage: python3.py DIR

In DIR (which must exist): a JSON file of computed records written, read
back and compared; a directory listing, a rename, a removal; a sieve of
primes and a SHA-256 checked against values known in advance. No
subprocess, no network. Prints "python3 ok" when every check holds,
otherwise says which failed on stderr and exits 1.
"""
import hashlib
import json
import os
import sys

# The SHA-256 of the records main() builds (sort_keys JSON), computed once
# natively: a change in any of them (the sieve, json, bin()) shows here.
WANT = "6cabd033dedf29ce6ad0014d5c7cc797cf3858bf0e94bd112567888ff85f817f"


def primes(n):
    sieve = bytearray([1]) * (n + 1)
    sieve[0:2] = b"\0\0"
    for i in range(2, int(n ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(range(i * i, n + 1, i)))
    return [i for i, v in enumerate(sieve) if v]


def check(cond, what):
    if not cond:
        print("python3.py: %s" % what, file=sys.stderr)
        sys.exit(1)


def main():
    d = sys.argv[1]
    p = primes(100000)
    # Known values: pi(100000) and the largest prime below 100000.
    check(len(p) == 9592 and p[-1] == 99991, "sieve: %d primes" % len(p))
    recs = [{"n": n, "sq": n * n, "bin": bin(n), "tags": ["p"] * (n % 3)}
            for n in p[:2000]]
    path = os.path.join(d, "recs.json")
    with open(path, "w") as f:
        json.dump(recs, f, indent=1, sort_keys=True)
    os.rename(path, path + ".done")
    with open(path + ".done") as f:
        back = json.load(f)
    check(back == recs, "JSON read back differs")
    check(sorted(os.listdir(d)) == ["recs.json.done"],
          "listing: %r" % os.listdir(d))
    size = os.stat(path + ".done").st_size
    os.unlink(path + ".done")
    check(not os.listdir(d), "the file is still there after unlink")
    h = hashlib.sha256(json.dumps(recs, sort_keys=True).encode())
    check(h.hexdigest() == WANT, "sha256 %s, expected %s" % (h.hexdigest(), WANT))
    check(size > 100000, "JSON file of %d bytes" % size)
    print("python3 ok")


main()
