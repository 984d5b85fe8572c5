# SPDX-License-Identifier: GPL-2.0
# kbctl: policy, status and live changes of running sessions.
KBCTL_SRCS += kbctl/main.c kbctl/target.c kbctl/status.c kbctl/get.c kbctl/set.c \
	      kbctl/check.c kbctl/rule.c kbctl/ps.c
KBCTL_LDLIBS := -lseccomp -ljson-c -lm
# stats and top: the eBPF counters, through bpf/'s skeleton (libbpf, which
# needs libelf and zlib).
KBCTL_SRCS += kbctl/stats.c kbctl/bpfstat.c kbctl/bpfstat_load.c kbctl/top.c
KBCTL_BPF_OBJS := kbctl/bpfstat_load.o
KBCTL_LDLIBS += -lbpf -lelf -lz
# analyze and plan: the offline analysis, in its own folder.
include kbctl/analyze/Build.mk
