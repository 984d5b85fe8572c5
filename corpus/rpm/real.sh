#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real rpm workload: a new package database, queried (empty), a macro
# evaluated, the database verified and queried again.
. "$(dirname "$0")/../lib.sh"
db=$wl_tmp/rpmdb
wl_run 10 rpm --dbpath "$db" --initdb
[ -n "$(ls "$db")" ] || wl_fail "no database files"
wl_run 10 rpm --dbpath "$db" -qa
[ -z "$wl_out" ] || wl_fail "an empty database lists '$wl_out'"
wl_run 10 rpm --eval '%{_arch} %{expr:6*7}'
[ "$wl_out" = "x86_64 42" ] || wl_fail "eval: '$wl_out'"
wl_run 10 rpm --dbpath "$db" --verifydb
out=$(timeout -k 1 10 rpm --dbpath "$db" -q kbridge 2>&1)
st=$?
[ "$st" = 1 ] && [ "$out" = "package kbridge is not installed" ] ||
	wl_fail "a package that is not there: exit status $st, '$out'"
