# SPDX-License-Identifier: GPL-2.0
"""8 threads doing work and syscalls, joined; deterministic output.

Run by tests/guest/apps_guest.sh natively and under kblaunch. Every thread
writes, reads back and removes its own file and calls os.getppid()
CALLS times (python makes no other getppid call), so the session's
getppid counter proves that every thread's syscalls went through kbridge.
"""
import hashlib
import os
import sys
import tempfile
import threading

THREADS = 8
CALLS = int(sys.argv[1]) if len(sys.argv) > 1 else 200


def work(idx, tmpdir, results, barrier):
    barrier.wait()
    h = hashlib.sha256()
    path = os.path.join(tmpdir, "t%d" % idx)
    for i in range(CALLS):
        os.getppid()
        h.update(("%d:%d" % (idx, i)).encode())
    with open(path, "wb") as f:
        f.write(h.digest() * 64)
    with open(path, "rb") as f:
        data = f.read()
    os.unlink(path)
    results[idx] = (threading.current_thread().name, len(data),
                    hashlib.sha256(data).hexdigest()[:16])


def main():
    results = [None] * THREADS
    barrier = threading.Barrier(THREADS)
    with tempfile.TemporaryDirectory() as tmpdir:
        threads = [threading.Thread(target=work, name="worker-%d" % i,
                                    args=(i, tmpdir, results, barrier))
                   for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        left = os.listdir(tmpdir)
    for idx, r in enumerate(results):
        print(idx, *r)
    print("threads done, files left:", len(left))


main()
