// SPDX-License-Identifier: GPL-2.0
/*
 * live_getppid THREADS: THREADS threads call getppid in a loop while the
 * main thread takes commands on stdin, one per line, and answers each
 * with one line on stdout. For policy changes made while a program runs
 * (kbctl set): after the change returns, the test sends "expect V" and
 * every thread's next getppid must return V.
 *
 *   expect V     every thread (the main one when THREADS is 0) calls
 *                getppid once more: "expect V: ok N" or what differed
 *   unlink PATH  unlink(2) PATH: "unlink: ok" or "unlink: ERRNO-NAME"
 *   quit         exit 0 (so does end of input)
 *
 * The first line out is "ready PID". Raw syscall(2)s: no libc caching.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS	64

static atomic_uint generation;
static atomic_uint answered;
static atomic_uint started;
static atomic_bool stop;
static long answer[MAX_THREADS];

static void *spin(void *arg)
{
	long i = (long)arg;
	/* Generation 0 is before any "expect": a late starter still answers. */
	unsigned int seen = 0, g;
	struct timespec nap = { 0, 200000 };

	atomic_fetch_add(&started, 1);
	while (!atomic_load(&stop)) {
		g = atomic_load(&generation);
		if (g != seen) {
			/* The first call after the test's change. */
			answer[i] = syscall(SYS_getppid);
			seen = g;
			atomic_fetch_add(&answered, 1);
			continue;
		}
		syscall(SYS_getppid);
		/* Leave the CPU to the test on a slow (emulated) machine. */
		nanosleep(&nap, NULL);
	}
	return NULL;
}

static void expect(long want, int threads)
{
	struct timespec nap = { 0, 1000000 };
	int i, waited;
	long got;

	if (!threads) {
		got = syscall(SYS_getppid);
		if (got == want)
			printf("expect %ld: ok 1\n", want);
		else
			printf("expect %ld: main thread got %ld\n", want, got);
		return;
	}
	atomic_store(&answered, 0);
	atomic_fetch_add(&generation, 1);
	for (waited = 0; atomic_load(&answered) < (unsigned int)threads; waited++) {
		if (waited > 60000) {
			printf("expect %ld: timeout, %u of %d threads answered\n",
			       want, atomic_load(&answered), threads);
			return;
		}
		nanosleep(&nap, NULL);
	}
	for (i = 0; i < threads; i++)
		if (answer[i] != want) {
			printf("expect %ld: thread %d got %ld\n", want, i, answer[i]);
			return;
		}
	printf("expect %ld: ok %d\n", want, threads);
}

int main(int argc, char **argv)
{
	pthread_t t[MAX_THREADS];
	char line[4096];
	const char *e;
	long i, threads;

	threads = argc > 1 ? atol(argv[1]) : 4;
	if (threads < 0 || threads > MAX_THREADS) {
		fprintf(stderr, "usage: live_getppid THREADS (0..%d)\n", MAX_THREADS);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, spin, (void *)i)) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	while (atomic_load(&started) < (unsigned int)threads)
		sched_yield();
	printf("ready %d\n", (int)getpid());
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "expect ", 7)) {
			expect(atol(line + 7), (int)threads);
		} else if (!strncmp(line, "unlink ", 7)) {
			if (syscall(SYS_unlink, line + 7) == 0) {
				printf("unlink: ok\n");
			} else {
				e = strerrorname_np(errno);
				printf("unlink: %s\n", e ? e : "?");
			}
		} else if (!strcmp(line, "quit")) {
			break;
		} else {
			printf("unknown command: %s\n", line);
		}
	}
	atomic_store(&stop, true);
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	return 0;
}
