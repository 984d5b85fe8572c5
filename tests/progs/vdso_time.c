// SPDX-License-Identifier: GPL-2.0
/*
 * The calls libc answers from the vDSO: clock_gettime, gettimeofday,
 * time and getcpu, 100 of each; then, with "exec", the same again after
 * an exec of itself. Under kblaunch --vdso=hide the first three are
 * syscalls (glibc 2.35 and later answer sched_getcpu from rseq, when the
 * kernel has it, with no syscall and no vDSO).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec ts;
	struct timeval tv;
	long ok = 0;
	int i;

	for (i = 0; i < 100; i++) {
		ok += clock_gettime(CLOCK_MONOTONIC, &ts) == 0;
		ok += gettimeofday(&tv, NULL) == 0;
		ok += time(NULL) > 0;
		ok += sched_getcpu() >= 0;
	}
	printf("%ld of 400 answered\n", ok);
	fflush(stdout);
	if (argc > 1 && !strcmp(argv[1], "exec"))
		execl("/proc/self/exe", argv[0], (char *)NULL);
	return ok == 400 ? 0 : 1;
}
