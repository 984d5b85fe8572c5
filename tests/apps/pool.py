# SPDX-License-Identifier: GPL-2.0
"""multiprocessing.Pool(4).map over a deterministic function.

usage: pool.py METHOD   (default, fork, spawn or forkserver)

Run by tests/guest/apps_guest.sh natively and under kblaunch. spawn and
forkserver exec python again, so their workers are only intercepted if
kblaunch follows exec. Each item calls os.getppid() CALLS times in a
worker (python and multiprocessing make no other getppid call), so the
session's getppid counter shows the workers' syscalls went through
kbridge. The output does not depend on the method.
"""
import hashlib
import multiprocessing
import os
import sys

ITEMS = 40
CALLS = 10


def job(x):
    for _ in range(CALLS):
        os.getppid()
    return x, hashlib.sha256(str(x * x).encode()).hexdigest()[:12]


def main():
    method = sys.argv[1] if len(sys.argv) > 1 else "default"
    ctx = multiprocessing.get_context(None if method == "default" else method)
    pool = ctx.Pool(4)
    out = pool.map(job, range(ITEMS))
    # close + join: the workers exit on their own (terminate() would kill
    # them with SIGTERM).
    pool.close()
    pool.join()
    for x, h in out:
        print(x, h)
    print("pool done:", len(out), "items")


if __name__ == "__main__":
    main()
