// SPDX-License-Identifier: GPL-2.0
/*
 * A program for exec rules (tests/guest/kbridge_exec.c): no libc, so that every
 * syscall it makes is one of these. Prints "getppid N" (N negative for an
 * errno), after:
 *   (no argument)   nothing;
 *   wait            one byte read from stdin;
 *   fork            in a child too, which prints first;
 *   exec PATH       ...and then execs PATH with no arguments;
 *   nosys           first "nosys ok" if syscall 1000, which no kernel
 *                   has, failed with ENOSYS, else "nosys bad".
 */
#include "nolibc.h"

static long sys4(long nr, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;

	__asm__ volatile ("syscall"
			  : "=a" (ret)
			  : "a" (nr), "D" (a), "S" (b), "d" (c), "r" (r10)
			  : "rcx", "r11", "memory");
	return ret;
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static void report(void)
{
	char buf[32] = "getppid ", digits[24];
	long v = sys3(__NR_getppid, 0, 0, 0);
	unsigned long u = v < 0 ? -v : v;
	int n = 8, d = 0;

	if (v < 0)
		buf[n++] = '-';
	do {
		digits[d++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (d)
		buf[n++] = digits[--d];
	buf[n++] = '\n';
	sys3(__NR_write, 1, (long)buf, n);
}

__attribute__((used, noreturn)) static void start_c(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char *cmd = argc > 1 ? argv[1] : "";
	char c;
	long pid;

	if (same(cmd, "wait"))
		sys3(__NR_read, 0, (long)&c, 1);
	if (same(cmd, "nosys")) {
		if (sys3(1000, 0, 0, 0) == -38)
			sys3(__NR_write, 1, (long)"nosys ok\n", 9);
		else
			sys3(__NR_write, 1, (long)"nosys bad\n", 10);
	}
	if (same(cmd, "fork")) {
		pid = sys3(__NR_fork, 0, 0, 0);
		if (pid == 0) {
			report();
			sys3(__NR_exit_group, 0, 0, 0);
		}
		sys4(__NR_wait4, pid, 0, 0, 0);
	}
	report();
	if (same(cmd, "exec") && argc > 2) {
		char *nargv[2] = { argv[2], 0 };

		sys3(__NR_execve, (long)argv[2], (long)nargv, 0);
		sys3(__NR_exit_group, 127, 0, 0);
	}
	for (;;)
		sys3(__NR_exit_group, 0, 0, 0);
}
