#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nutcracker under memcached traffic: the corpus's memcached client
# (tests/workloads/memcached_client.py: sets, gets, multi-gets, incr,
# delete) through the proxy; passes if every answer was right.
. "$(dirname "$0")/lib.sh"
timeout -k 1 "$WL_LONG" "$WL_PY" -S "$(dirname "$0")/../../tests/workloads/memcached_client.py" \
	"$proxy" 100 "$WL_QUICK" || wl_fail "the client failed"
