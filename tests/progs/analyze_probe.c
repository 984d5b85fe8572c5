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
 * Exit 0 and "probe ok" when everything it checks holds.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void)
{
	struct utsname u;
	char link[64], want[32];
	ssize_t n;
	long pid;

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
