// SPDX-License-Identifier: GPL-2.0
/*
 * Threads and children must stay intercepted. 4 threads make M getppid
 * calls each, a forked child makes K; under kblaunch the session must
 * count exactly 4 * M + K getppid calls (the main thread makes none).
 * Also exercises vfork and posix_spawn (CLONE_VM | CLONE_VFORK on a new
 * stack), which make no getppid calls.
 *
 * usage: threads_fork M K
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NTHREADS 4

extern char **environ;
static long m;

static void *worker(void *arg)
{
	long i;

	for (i = 0; i < m; i++)
		syscall(SYS_getppid);
	return arg;
}

static int wait_ok(pid_t pid, const char *what)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		printf("%s: bad child status 0x%x\n", what, status);
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	char *true_argv[] = { "true", NULL };
	pthread_t t[NTHREADS];
	long i, k;
	void *ret;
	pid_t pid;
	volatile int ok = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: %s M K\n", argv[0]);
		return 2;
	}
	m = atol(argv[1]);
	k = atol(argv[2]);

	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i)) {
			perror("pthread_create");
			return 1;
		}

	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		for (i = 0; i < k; i++)
			syscall(SYS_getppid);
		_exit(0);
	}
	ok &= wait_ok(pid, "fork");

	for (i = 0; i < NTHREADS; i++) {
		if (pthread_join(t[i], &ret) || ret != (void *)i) {
			printf("thread %ld: bad join\n", i);
			ok = 0;
		}
	}

	pid = vfork();
	if (pid == 0)
		_exit(0);
	ok &= pid > 0 && wait_ok(pid, "vfork");

	if (posix_spawn(&pid, "/bin/true", NULL, NULL, true_argv, environ)) {
		perror("posix_spawn");
		ok = 0;
	} else {
		ok &= wait_ok(pid, "posix_spawn");
	}

	printf("threads_fork %s: %d threads x %ld, child %ld\n",
	       ok ? "ok" : "FAILED", NTHREADS, m, k);
	return ok ? 0 : 1;
}
