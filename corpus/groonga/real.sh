#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real groonga workload: a new database, a table with a full-text
# index, 500 records loaded, a full-text search and a sorted select.
# Passes if the search finds what was loaded.
. "$(dirname "$0")/../lib.sh"
{
	echo 'table_create Docs TABLE_HASH_KEY ShortText'
	echo 'column_create Docs body COLUMN_SCALAR Text'
	echo 'column_create Docs n COLUMN_SCALAR Int32'
	echo 'table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer TokenBigram --normalizer NormalizerAuto'
	echo 'column_create Terms docs_body COLUMN_INDEX|WITH_POSITION Docs body'
	echo 'load --table Docs'
	echo '['
	for i in $(seq 1 500); do
		w=kernel
		[ $((i % 5)) = 0 ] && w=unikernel
		echo "{\"_key\": \"doc$i\", \"body\": \"a $w document number $i\", \"n\": $i},"
	done
	echo ']'
	echo 'select Docs --match_columns body --query unikernel --output_columns _key --limit 0'
	echo 'select Docs --sort_keys -n --output_columns n --limit 1'
} >"$wl_tmp/cmds"
wl_run 10 groonga -n "$wl_tmp/db" <"$wl_tmp/cmds"
wl_has '\[\[\[100\]'
wl_has '\[\["n","Int32"\]\],\[500\]'
