#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbctl analyze workload: a pipeline of coreutils (cut, tr, sort, uniq,
# head, wc) on a generated file whose answers are known in advance; the
# application under test is one of them, /usr/bin/sort, which runs three
# times: a numeric sort that must give back 1..N, a plain sort feeding
# uniq -c, and a sort by count then word. The first has a 64 KiB buffer,
# so that it merges through temporary files. The others get theirs
# (-S 8M) too: reading a pipe, sort otherwise sizes its buffer from
# sysinfo(2), and with that stubbed it falls back to a tiny one:
# thousands of temporary files, seconds instead of milliseconds, a
# slowdown the time bound (WL_WAIT) would turn into a failure or not
# depending on the machine.
#   kbctl analyze --app /usr/bin/sort -- tests/workloads/coreutils.sh
set -u -o pipefail
# shellcheck source=tests/workloads/lib.sh
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
# A prime: the permutation below visits every line once.
n=49999
f=$wl_tmp/data
# Line i (0 <= i < n) is "j wK" where j = (i * 7919) mod n + 1, a
# permutation of 1..n, and K = j mod 97.
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) { j = (i * 7919) % n + 1; print j, "w" (j % 97) } }' \
	>"$f" || exit 1
bounded_sort() { timeout -k 1 "$WL_WAIT" sort "$@"; }

# The numbers, sorted, are 1..n.
bounded_sort -n -S 64K -T "$wl_tmp" "$f" | cut -d' ' -f1 >"$wl_tmp/nums" ||
	wl_fail "sort -n failed"
seq "$n" | cmp -s - "$wl_tmp/nums" || wl_fail "sort -n did not give back 1..$n"

# n = 97 * 515 + 44: the words w1..w44 come 516 times, the 53 others 515
# times. By count, then by word (C order: W1 W10 W11 ... W19 W2 W20 ...).
cut -d' ' -f2 "$f" | tr w W | bounded_sort -S 8M | uniq -c |
	bounded_sort -S 8M -k1,1nr -k2,2 >"$wl_tmp/freq" ||
	wl_fail "the frequency pipeline failed"
got=$(head -n 3 "$wl_tmp/freq" | tr -s ' ' | tr '\n' '|')
[ "$got" = " 516 W1| 516 W10| 516 W11|" ] || wl_fail "top words: '$got'"
got=$(tail -n 1 "$wl_tmp/freq" | tr -s ' ')
[ "$got" = " 515 W96" ] || wl_fail "last word: '$got'"
got=$(wc -l <"$wl_tmp/freq")
[ "$got" -eq 97 ] || wl_fail "$got distinct words, expected 97"
got=$(grep -c '^ *516 ' "$wl_tmp/freq")
[ "$got" -eq 44 ] || wl_fail "$got words 516 times, expected 44"
