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
 * With "effects" it opens and closes /dev/null 64 times (closes ignored:
 * stubbed or faked, the fds pile up), prints as its figure how many of
 * 100 sched_yield calls succeeded (0 when stubbed), and lives 300 ms so
 * that its peaks can be sampled.
 * With "cmds" it uses commands of vectored syscalls: prctl PR_GET_NAME,
 * checked (so prctl cannot be stubbed whole, and that command is
 * required), prctl PR_GET_DUMPABLE and ioctl TIOCGWINSZ, ignored.
 * With "hang" it does not exit when a check fails but waits forever, as
 * a server left unable to serve does: the runs kbctl analyze ends early.
 * Exit 0 and "probe ok" when everything it checks holds.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <fcntl.h>
#include <time.h>
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

/* Side effects that kbctl analyze must see: fds, the figure. */
static int effects(void)
{
	struct timespec t0, t;
	int i, yields = 0;
	long fd;

	for (i = 0; i < 64; i++) {
		fd = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);
		if (fd < 0)
			return -1;
		syscall(SYS_close, fd);
	}
	for (i = 0; i < 100; i++)
		yields += syscall(SYS_sched_yield) == 0;
	/* The vDSO's clock: no syscall, the app stays the same. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000000000L + t.tv_nsec - t0.tv_nsec <
	       300000000L);
	return yields;
}

static int commands(void)
{
	char name[17] = "";
	struct winsize ws;

	syscall(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0);
	syscall(SYS_ioctl, 1, TIOCGWINSZ, &ws);
	if (syscall(SYS_prctl, PR_GET_NAME, name, 0, 0, 0) ||
	    strcmp(name, "analyze_probe"))
		return -1;
	return 0;
}

static int hang;

/* A check failed: exit @code, or under "hang" wait to be killed. */
static int failed(int code)
{
	while (hang)
		pause();
	return code;
}

int main(int argc, char **argv)
{
	char link[64], want[32], fig[32];
	struct utsname u;
	int figure = -1;
	ssize_t n;
	long pid;

	hang = argc > 1 && !strcmp(argv[1], "hang");
	if (argc > 1 && !strcmp(argv[1], "many"))
		ignored_calls();
	if (argc > 1 && !strcmp(argv[1], "cmds") && commands())
		return 6;
	if (argc > 1 && !strcmp(argv[1], "effects")) {
		figure = effects();
		if (figure < 0)
			return 5;
	}

	syscall(SYS_getppid);
	syscall(SYS_sched_yield);
	memset(&u, 0, sizeof(u));
	if (syscall(SYS_uname, &u) || strcmp(u.sysname, "Linux"))
		return failed(1);
	pid = syscall(SYS_getpid);
	n = syscall(SYS_readlink, "/proc/self", link, sizeof(link) - 1);
	if (n <= 0)
		return failed(2);
	link[n] = '\0';
	snprintf(want, sizeof(want), "%ld", pid);
	if (strcmp(link, want))
		return failed(3);
	if (syscall(SYS_write, 1, "probe ok\n", 9) != 9)
		return failed(4);
	if (figure >= 0) {
		n = snprintf(fig, sizeof(fig), "%d\n", figure);
		if (syscall(SYS_write, 1, fig, n) != n)
			return 4;
	}
	return 0;
}
