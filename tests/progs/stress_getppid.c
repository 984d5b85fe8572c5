// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: T threads, started together, each making N getppid calls. Under
 * kblaunch the session must count exactly T * N. The time and the rate
 * go to stderr, for the record.
 *
 * usage: stress_getppid T N
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long n;
static pthread_barrier_t start;

static void *worker(void *arg)
{
	long i;

	pthread_barrier_wait(&start);
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	return arg;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	pthread_t *t;
	long nthreads, i;
	double s;

	nthreads = argc == 3 ? atol(argv[1]) : 0;
	n = argc == 3 ? atol(argv[2]) : -1;
	if (nthreads < 1 || n < 0) {
		fprintf(stderr, "usage: %s T N\n", argv[0]);
		return 2;
	}
	t = calloc((size_t)nthreads, sizeof(*t));
	pthread_barrier_init(&start, NULL, (unsigned int)nthreads + 1);
	for (i = 0; i < nthreads; i++)
		if (!t || pthread_create(&t[i], NULL, worker, NULL)) {
			perror("pthread_create");
			return 1;
		}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_barrier_wait(&start);
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(stderr, "stress_getppid: %ld threads x %ld getppid in %.2f s, %.0f calls/s\n",
		nthreads, n, s, s > 0 ? (double)(nthreads * n) / s : 0.0);
	printf("stress_getppid done: %ld x %ld\n", nthreads, n);
	return 0;
}
