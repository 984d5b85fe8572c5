// SPDX-License-Identifier: GPL-2.0
/*
 * Signals and threads together, which must all stay intercepted:
 *  - a thread created from inside a signal handler (the runtime's SIGSYS
 *    handler for the clone runs nested in the program's handler);
 *  - NTHREADS threads, each with its own sigaltstack, each taking a
 *    SA_ONSTACK signal sent to it (tgkill) whose handler makes syscalls
 *    on the alternate stack.
 * Each of those makes M getppid calls, nothing else does: under kblaunch
 * the count must be exactly (1 + NTHREADS) * M.
 *
 * usage: sig_threads M
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NTHREADS	4
#define ALTSTACK_SIZE	(64 * 1024)

static long m;
static pthread_t from_handler;
static volatile int created;
static int ready;
static volatile int on_alt[NTHREADS], handled[NTHREADS];
static char *altstacks[NTHREADS];
static __thread int my_index;

static void getppids(void)
{
	long i;

	for (i = 0; i < m; i++)
		syscall(SYS_getppid);
}

static void *spawned(void *arg)
{
	getppids();
	return arg;
}

static void on_usr1(int sig)
{
	(void)sig;
	created = pthread_create(&from_handler, NULL, spawned, (void *)7) == 0;
}

static void on_usr2(int sig)
{
	char here;
	int i = my_index;

	(void)sig;
	on_alt[i] = &here >= altstacks[i] && &here < altstacks[i] + ALTSTACK_SIZE;
	getppids();
	handled[i] = 1;
}

static void *worker(void *arg)
{
	int i = (int)(long)arg;
	stack_t ss = { .ss_size = ALTSTACK_SIZE };

	my_index = i;
	altstacks[i] = malloc(ALTSTACK_SIZE);
	ss.ss_sp = altstacks[i];
	if (sigaltstack(&ss, NULL))
		return NULL;
	__atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
	while (!handled[i])
		usleep(1000);
	return arg;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	pthread_t t[NTHREADS];
	void *ret;
	int i, ok = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: %s M\n", argv[0]);
		return 2;
	}
	m = atol(argv[1]);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	if (!created || pthread_join(from_handler, &ret) || ret != (void *)7) {
		printf("thread created in a signal handler: FAILED\n");
		ok = 0;
	} else {
		printf("thread created in a signal handler: ok\n");
	}

	sa.sa_handler = on_usr2;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR2, &sa, NULL);
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)(long)i);
	while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < NTHREADS)
		usleep(1000);
	for (i = 0; i < NTHREADS; i++)
		pthread_kill(t[i], SIGUSR2);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &ret);
		if (ret != (void *)(long)i || !on_alt[i])
			ok = 0;
	}
	printf("%d threads took SA_ONSTACK signals on their own altstack: %s\n",
	       NTHREADS, ok ? "ok" : "FAILED");
	printf("sig_threads %s\n", ok ? "done" : "FAILED");
	return !ok;
}
