#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# PostgreSQL as its users run it, for tests/guest/runtimes_guest.sh: initdb,
# pg_ctl start, pgbench's initialisation and 200 transactions from 4
# clients, a query, pg_ctl stop; every step forks and execs. Prints only
# what is the same in every run, and leaves nothing behind.
set -eu
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
port=5439
d=$(mktemp -d "${TMPDIR:-/tmp}/kbpg.XXXXXX")
trap '"$bin/pg_ctl" -D "$d/data" -m immediate stop >/dev/null 2>&1 || :; rm -rf "$d"' EXIT
"$bin/initdb" -D "$d/data" -A trust -U kb --no-sync >"$d/initdb.log" 2>&1
echo "initdb: $?"
"$bin/pg_ctl" -D "$d/data" -l "$d/server.log" -w \
	-o "-k $d -p $port -c listen_addresses=" start >/dev/null
echo "pg_ctl start: $?"
# Process titles, written over argv: what ps and pgrep show.
for t in checkpointer "background writer" walwriter; do
	pgrep -u "$(id -u)" -f "^postgres: $t" >/dev/null && echo "title: postgres: $t"
done
"$bin/pgbench" -h "$d" -p "$port" -U kb -i -s 1 -q postgres >"$d/init.log" 2>&1
echo "pgbench -i: $?"
"$bin/pgbench" -h "$d" -p "$port" -U kb -c 4 -j 2 -t 50 postgres 2>&1 |
	grep -E '^(number of transactions actually processed|number of failed transactions)' |
	sed 's/ (.*//'
"$bin/psql" -h "$d" -p "$port" -U kb -Atc 'select count(*) from pgbench_accounts' postgres
"$bin/pg_ctl" -D "$d/data" -m fast -w stop >/dev/null
echo "pg_ctl stop: $?"
