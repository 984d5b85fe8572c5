// SPDX-License-Identifier: GPL-2.0
/*
 * A program that tries to get out of its kbridge session, run under
 * kblaunch with a profile that stubs getppid (tests/guest/perm_guest.sh). One
 * line per attempt, "NAME ERRNO" (0: it worked), then "getppid RESULT",
 * which must still be the stub's answer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kbridge.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kb_sud.h"

static void report(const char *name, long ret)
{
	printf("%s %d\n", name, ret < 0 ? errno : 0);
}

/*
 * The session's file the runtime keeps. It is in no listing of
 * /proc/self/fd and fstat and fcntl call it closed (rt/ownfds.c), so a
 * program bent on finding it asks every number the module's own question.
 */
static int find_kbfd(void)
{
	struct kb_version v;
	int fd;

	for (fd = 3; fd < 1 << 17; fd++) {
		memset(&v, 0, sizeof(v));
		v.size = sizeof(v);
		if (!ioctl(fd, KB_IOC_GET_VERSION, &v))
			return fd;
	}
	return -1;
}

/* PPid from /proc: getppid itself is stubbed. */
static pid_t real_ppid(void)
{
	char line[256];
	pid_t ppid = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "PPid: %d", &ppid) == 1)
			break;
	if (f)
		fclose(f);
	return ppid;
}

int main(void)
{
	struct kb_rule_desc pass = {
		.nr = SYS_getppid, .tier = KB_TIER_FULL,
		.action = KB_ACTION_PASS,
	};
	struct kb_set_rules sr = {
		.size = sizeof(sr), .count = 1, .rule_size = sizeof(pass),
		.rules = (uintptr_t)&pass,
	};
	struct kb_set_fastpath fp = {
		.size = sizeof(fp), .enable = 0,
	};
	struct kb_set_scope sc = { .size = sizeof(sc), .in_scope = 0 };
	struct kb_set_personality sp = { .size = sizeof(sp) };
	pid_t ppid = real_ppid();
	int fd;

	report("prctl_sud_off", prctl(PR_SET_SYSCALL_USER_DISPATCH,
				      PR_SYS_DISPATCH_OFF, 0, 0, 0));
	fd = find_kbfd();
	printf("kbfd %s\n", fd >= 0 ? "found" : "missing");
	if (fd >= 0) {
		report("set_rules", ioctl(fd, KB_IOC_SET_RULES, &sr));
		report("set_fastpath", ioctl(fd, KB_IOC_SET_FASTPATH, &fp));
		report("set_scope", ioctl(fd, KB_IOC_SET_SCOPE, &sc));
		report("set_personality",
		       ioctl(fd, KB_IOC_SET_PERSONALITY, &sp));
	}
	/* kblaunch itself holds the file: it must not be ours to drive. */
	if (ppid > 0) {
		long r = ptrace(PTRACE_ATTACH, ppid, NULL, NULL);

		report("ptrace_parent", r);
		if (r == 0) {
			waitpid(ppid, NULL, __WALL);
			ptrace(PTRACE_DETACH, ppid, NULL, NULL);
		}
	}
	report("setuid0", syscall(SYS_setuid, 0));
	printf("getppid %ld\n", syscall(SYS_getppid) < 0 ? -errno : 0L);
	fflush(stdout);
	return 0;
}
