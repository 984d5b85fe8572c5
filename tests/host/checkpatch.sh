#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test: the module's sources and the uapi header pass the kernel's
# checkpatch.pl, taken from Debian's linux-source tarball.
set -u
cd "$(dirname "$0")/../.." || exit 2
cp_dir=.output/checkpatch
tar=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -1)
echo "1..1"
if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
	if [ -z "$tar" ]; then
		echo "ok 1 - checkpatch # SKIP no linux-source tarball"
		exit 0
	fi
	mkdir -p "$cp_dir"
	tar xJf "$tar" -C "$cp_dir" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' || exit 1
fi
# ENOSYS: checkpatch reserves it for invalid syscall numbers, which is what
# kbridge's stub tier answers for a syscall the emulated OS lacks.
files=$(ls module/*.c module/*.h core/*.c core/*.h uapi/linux/*.h \
	examples/personality/kbdemo.c 2>/dev/null)
out=$("$cp_dir/scripts/checkpatch.pl" --no-tree --quiet --show-types \
	--ignore FILE_PATH_CHANGES,ENOSYS -f $files 2>&1)
if [ -z "$out" ]; then
	echo "ok 1 - checkpatch clean: $(echo $files | wc -w) files"
else
	echo "$out" | sed 's/^/# /'
	echo "not ok 1 - checkpatch found problems"
fi
