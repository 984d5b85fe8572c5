# SPDX-License-Identifier: GPL-2.0
"""A Python program that does something: JSON, regular expressions,
hashing, a thread pool, a temporary file and an SQLite database."""
import collections, concurrent.futures, hashlib, json, os, re, sqlite3, sys, tempfile

d = sys.argv[1]
records = [{"id": i, "name": "item-%d" % i, "tags": ["t%d" % (i % 5)]} for i in range(2000)]
path = os.path.join(d, "items.json")
with open(path, "w") as f:
    json.dump(records, f)
with open(path) as f:
    back = json.load(f)
tags = collections.Counter(t for r in back for t in r["tags"])
nums = sum(int(m.group(1)) for r in back for m in [re.match(r"item-(\d+)$", r["name"])])
with concurrent.futures.ThreadPoolExecutor(4) as ex:
    digests = list(ex.map(lambda r: hashlib.sha256(r["name"].encode()).hexdigest(), back))
db = sqlite3.connect(os.path.join(d, "items.db"))
db.execute("create table items (id integer primary key, name text, tag text)")
db.executemany("insert into items values (?, ?, ?)", [(r["id"], r["name"], r["tags"][0]) for r in back])
db.commit()
rows = db.execute("select tag, count(*) from items group by tag order by tag").fetchall()
db.close()
with tempfile.TemporaryFile() as t:
    t.write(b"x" * 100000)
    t.seek(0)
    size = len(t.read())
print(len(back), tags["t3"], nums, digests[7][:8], rows[0], size)
