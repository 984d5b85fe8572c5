#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kbctl analyze workload: sqlite3 runs a SQL script on a database file
# and must print the expected answer. Natively it takes milliseconds; a
# stub that makes it loop (faked write) ends after 5 s.
set -u
db=$(mktemp -d)/w.db || exit 1
trap 'rm -rf "$(dirname "$db")"' EXIT
out=$(timeout -k 1 5 sqlite3 "$db" <"$(dirname "$0")/sqlite3.sql") || exit 1
[ "$out" = "3|60|20.0" ]
