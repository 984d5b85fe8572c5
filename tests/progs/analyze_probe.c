// SPDX-License-Identifier: GPL-2.0
/*
 * analyze_probe: a tiny application with known needs, for kbctl analyze's
 * tests. Static, so that besides glibc's start-up it makes exactly these
 * syscalls (raw, through syscall(2)):
 *   getppid      result ignored            -> can be stubbed or faked
 *   sched_yield  result ignored            -> either
 *   uname        checks sysname is "Linux" -> required (a fake leaves the
 *                                             buffer empty)
 *   getpid       must equal /proc's idea    -> a fake of 0 fails, a stub
 *                via readlink /proc/self       fails: required
 *   write        its output                -> required (the workload
 *                                             checks it)
 * With the argument "many" it also makes 20 syscalls whose results it
 * ignores, all of which can go: the kind of application on which testing
 * syscalls in groups saves runs.
 * Exit 0 and "probe ok" when everything it checks holds.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Calls whose results nothing depends on. */
static void ignored_calls(void)
{
	struct rusage ru;
	struct sysinfo si;
	struct itimerval it;
	struct tms t;
	unsigned int a, b, c;
	char cwd[256];

	syscall(SYS_getuid);
	syscall(SYS_getgid);
	syscall(SYS_geteuid);
	syscall(SYS_getegid);
	syscall(SYS_getpgrp);
	syscall(SYS_getsid, 0);
	syscall(SYS_gettid);
	syscall(SYS_times, &t);
	syscall(SYS_sysinfo, &si);
	syscall(SYS_getrusage, RUSAGE_SELF, &ru);
	syscall(SYS_getpriority, PRIO_PROCESS, 0);
	syscall(SYS_sched_getscheduler, 0);
	syscall(SYS_getcpu, &a, &b, NULL);
	syscall(SYS_getresuid, &a, &b, &c);
	syscall(SYS_getresgid, &a, &b, &c);
	syscall(SYS_getitimer, ITIMER_REAL, &it);
	syscall(SYS_getcwd, cwd, sizeof(cwd));
	syscall(SYS_alarm, 0);
	syscall(SYS_sched_get_priority_max, 0);
	syscall(SYS_getpgid, 0);
}

int main(int argc, char **argv)
{
	struct utsname u;
	char link[64], want[32];
	ssize_t n;
	long pid;

	if (argc > 1 && !strcmp(argv[1], "many"))
		ignored_calls();

	syscall(SYS_getppid);
	syscall(SYS_sched_yield);
	memset(&u, 0, sizeof(u));
	if (syscall(SYS_uname, &u) || strcmp(u.sysname, "Linux"))
		return 1;
	pid = syscall(SYS_getpid);
	n = syscall(SYS_readlink, "/proc/self", link, sizeof(link) - 1);
	if (n <= 0)
		return 2;
	link[n] = '\0';
	snprintf(want, sizeof(want), "%ld", pid);
	if (strcmp(link, want))
		return 3;
	if (syscall(SYS_write, 1, "probe ok\n", 9) != 9)
		return 4;
	return 0;
}
