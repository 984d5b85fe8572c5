-- SPDX-License-Identifier: GPL-2.0
-- The kbctl analyze sqlite3 workload: a table, an index, a transaction,
-- an aggregate.
CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER, name TEXT);
CREATE INDEX t_v ON t(v);
BEGIN;
INSERT INTO t(v, name) VALUES (10, 'a'), (20, 'b'), (30, 'c');
COMMIT;
SELECT count(*), sum(v), avg(v) FROM t;
