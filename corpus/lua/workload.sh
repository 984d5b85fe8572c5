#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Loupe's lua workload: a one-line script prints hello.
printf 'print("hello")\n' >"${TMPDIR:-/tmp}/corpus-lua-$$.lua" || exit 1
out=$(timeout -k 1 5 lua5.2 "${TMPDIR:-/tmp}/corpus-lua-$$.lua")
st=$?
rm -f "${TMPDIR:-/tmp}/corpus-lua-$$.lua"
[ "$st" = 0 ] && [ "$out" = hello ]
