// SPDX-License-Identifier: GPL-2.0
/*
 * tier_mix N1 N2 N3 N4 [THREADS [CHILDREN]]: known numbers of four
 * syscalls, for checking per-syscall statistics against a profile that
 * gives them different tiers (tests/guest/bpf_guest.sh):
 *   N1 x getppid                                  (meant: pass)
 *   N2 x getuid                                   (meant: fake)
 *   N3 x sysfs(3)                                 (meant: stub)
 *   N4 x openat("/nonexistent/kbstat/N", O_RDONLY) (meant: a path rule)
 * The main thread and THREADS more threads each make the whole set; then
 * CHILDREN forked children each make it once more. Prints "main PID" and
 * "child PID" for each child, then "done". Raw syscall(2)s, so that libc
 * neither caches nor adds calls; sysfs and this path are never used by
 * anything else at start-up, so their counts are exactly the program's.
 *
 * tier_mix --range FIRST COUNT: one call of each syscall number FIRST ..
 * FIRST + COUNT - 1 (numbers no kernel assigns fail with ENOSYS), to fill
 * maps keyed by syscall number with COUNT distinct keys.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_THREADS	64

static long n[4];

static void *make_calls(void *arg)
{
	long i;

	for (i = 0; i < n[0]; i++)
		syscall(SYS_getppid);
	for (i = 0; i < n[1]; i++)
		syscall(SYS_getuid);
	for (i = 0; i < n[2]; i++)
		syscall(SYS_sysfs, 3);
	for (i = 0; i < n[3]; i++) {
		long fd = syscall(SYS_openat, AT_FDCWD, "/nonexistent/kbstat/x",
				  O_RDONLY);

		if (fd >= 0)
			close((int)fd);
	}
	return arg;
}

static long number(const char *s, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 0 || v > max) {
		fprintf(stderr, "tier_mix: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	pthread_t t[MAX_THREADS];
	long threads = 0, children = 0, i;
	int status, failed = 0;
	pid_t pid;

	if (argc == 4 && !strcmp(argv[1], "--range")) {
		long first = number(argv[2], 1L << 30), count = number(argv[3], 1L << 20);

		for (i = 0; i < count; i++)
			syscall(first + i);
		printf("main %d\ndone\n", (int)getpid());
		return 0;
	}
	if (argc < 5 || argc > 7) {
		fprintf(stderr, "usage: tier_mix N1 N2 N3 N4 [THREADS [CHILDREN]]\n"
				"       tier_mix --range FIRST COUNT\n");
		return 2;
	}
	for (i = 0; i < 4; i++)
		n[i] = number(argv[i + 1], 100000000);
	if (argc > 5)
		threads = number(argv[5], MAX_THREADS);
	if (argc > 6)
		children = number(argv[6], 64);
	printf("main %d\n", (int)getpid());
	fflush(stdout);
	make_calls(NULL);
	for (i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, make_calls, NULL)) {
			fprintf(stderr, "tier_mix: pthread_create failed\n");
			return 1;
		}
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < children; i++) {
		pid = fork();
		if (pid < 0) {
			perror("tier_mix: fork");
			return 1;
		}
		if (!pid) {
			make_calls(NULL);
			_exit(0);
		}
		printf("child %d\n", (int)pid);
		fflush(stdout);
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed = 1;
	}
	printf("done\n");
	return failed;
}
