// SPDX-License-Identifier: GPL-2.0
/*
 * A program with no libc at all: exactly N getppid syscalls (N from
 * argv[1]), one write of "done\n", exit_group(3). N + 2 syscalls in all,
 * nothing else: not even the start-up a libc would do. kblaunch's counters
 * must show exactly that.
 */
#include "nolibc.h"

static unsigned long parse(const char *s)
{
	unsigned long n = 0;

	while (s && *s >= '0' && *s <= '9')
		n = n * 10 + (unsigned long)(*s++ - '0');
	return n;
}

/* Called from _start with the initial stack pointer. */
__attribute__((used, noreturn)) static void start_c(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	unsigned long i, n = argc > 1 ? parse(argv[1]) : 0;

	for (i = 0; i < n; i++)
		sys3(__NR_getppid, 0, 0, 0);
	sys3(__NR_write, 1, (long)"done\n", 5);
	for (;;)
		sys3(__NR_exit_group, 3, 0, 0);
}
