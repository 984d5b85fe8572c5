#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's erlang workload: erl -noshell runs hello:hello_world() and
# stops; passes if it printed hello.
. "$(dirname "$0")/../lib.sh"
export HOME=$wl_tmp
wl_run 10 erl -noshell -pa "$CORPUS_DATA" -s hello hello_world -s init stop
wl_has 'hello'
