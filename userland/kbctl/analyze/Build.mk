# SPDX-License-Identifier: GPL-2.0
# kbctl analyze and kbctl plan: the offline analysis of applications
# (analyze.c drives it: run.c the runs, reap.c the end of their
# processes, discover.c the sub-features,
# output.c the results) and the support plan for a target OS (plan.c),
# with the JSON and lists they read (jsonin.c, syslist.c), and Loupe's database in
# and out (loupedb.c the format, loupedb_cmd.c kbctl loupedb). They use
# nothing of the live-control commands but kbctl.h.
KBCTL_SRCS += kbctl/analyze/analyze.c kbctl/analyze/run.c \
	      kbctl/analyze/output.c kbctl/analyze/discover.c \
	      kbctl/analyze/plan.c kbctl/analyze/jsonin.c \
	      kbctl/analyze/loupedb.c kbctl/analyze/loupedb_cmd.c \
	      kbctl/analyze/syslist.c kbctl/analyze/reap.c
