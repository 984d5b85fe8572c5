#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's fio workload, shorter: four libaio jobs in a row on a file in
# a temp dir (not tmpfs: direct I/O); passes if each reports err=0.
# lib.sh's temp dir, which its EXIT trap removes, is on disk: a trap of
# the workload's own would replace that one, and its rm's exit status
# would become the workload's (a stubbed fio that never ran passed so).
export TMPDIR=/var/tmp
. "$(dirname "$0")/../lib.sh"
d=$wl_tmp
cat >"$wl_tmp/job.fio" <<JOB
[global]
ioengine=libaio
bs=4k
iodepth=4
size=16m
direct=1
runtime=1
time_based
directory=$d
filename=fio.data
[seqread]
rw=read
stonewall
[randread]
rw=randread
stonewall
[seqwrite]
rw=write
stonewall
[randwrite]
rw=randwrite
stonewall
JOB
wl_run 30 fio "$wl_tmp/job.fio"
[ "$(grep -c ': err= 0' <<<"$wl_out")" = 4 ] || wl_fail "not 4 jobs with err=0"
