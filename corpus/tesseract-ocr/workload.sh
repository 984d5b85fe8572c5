#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's tesseract-ocr workload: tesseract --oem 1 reads page.png into a
# text file; passes if the text has the page's words.
. "$(dirname "$0")/../lib.sh"
wl_run 30 tesseract "$CORPUS_DATA/page.png" "$wl_tmp/page" --oem 1 -l eng
grep -q 'stubbed' "$wl_tmp/page.txt" && grep -q 'implemented' "$wl_tmp/page.txt" ||
	wl_fail "read: '$(tr '\n' ' ' <"$wl_tmp/page.txt")'"
