# SPDX-License-Identifier: GPL-2.0
# kbctl: policy, status and live changes of running sessions.
KBCTL_SRCS += kbctl/main.c kbctl/target.c kbctl/status.c kbctl/rules.c \
	      kbctl/check.c kbctl/analyze.c kbctl/plan.c kbctl/exec_rules.c kbctl/ps.c
KBCTL_SRCS += kbctl/analyze_run.c kbctl/analyze_out.c kbctl/analyze_discover.c
# JSON and text files read with errors that say where
KBCTL_SRCS += kbctl/jsonin.c
KBCTL_LDLIBS := -lseccomp -ljson-c -lm
# stats and top: the eBPF counters, through bpf/'s skeleton (libbpf, which
# needs libelf and zlib).
KBCTL_SRCS += kbctl/stats.c kbctl/top.c
KBCTL_BPF_OBJS := kbctl/stats.o
KBCTL_LDLIBS += -lbpf -lelf -lz
