# SPDX-License-Identifier: GPL-2.0
# kbctl: policy, status and live changes of running sessions.
# kblaunch/report.c is linked in too: a syscall has one JSON shape in
# kblaunch's reports and in kbctl's output.
KBCTL_SRCS += kbctl/main.c kbctl/target.c kbctl/status.c kbctl/rules.c \
	      kbctl/check.c kblaunch/report.c
KBCTL_LDLIBS := -lseccomp -ljson-c
