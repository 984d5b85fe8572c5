// SPDX-License-Identifier: GPL-2.0
/*
 * Joins a session of its own, then T threads each fork N children that
 * exit at once, all together: the module's fork and exit probes run from
 * many tasks at a time, with preemption off, on every CPU. Under
 * PREEMPT_RT a sleeping lock taken there shows as "BUG: scheduling while
 * atomic" in the kernel log (tests/guest/fork_storm_guest.sh looks).
 *
 * Checks what it can itself: every fork and every child's exit succeed,
 * and the session counts 1 + T + T * N tasks that joined (this process,
 * its threads, every child). Exit status 0, else 1 with the reason.
 *
 * usage: fork_storm T N
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kbridge.h>

static long forks;

static void *storm(void *arg)
{
	long i, bad = 0;
	int status;

	(void)arg;
	for (i = 0; i < forks; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	return (void *)bad;
}

int main(int argc, char **argv)
{
	struct kb_session_create create = { .size = sizeof(create) };
	struct kb_session_join join = { .size = sizeof(join) };
	struct kb_session_stats st = { .size = sizeof(st) };
	long nthreads, i, bad = 0;
	unsigned long long want;
	pthread_t *th;
	void *ret;
	int fd;

	if (argc != 3 || (nthreads = atol(argv[1])) < 1 || nthreads > 1024 ||
	    (forks = atol(argv[2])) < 1) {
		fprintf(stderr, "usage: fork_storm THREADS FORKS\n");
		return 2;
	}
	fd = open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, KB_IOC_SESSION_CREATE, &create) ||
	    ioctl(fd, KB_IOC_SESSION_JOIN, &join)) {
		fprintf(stderr, "fork_storm: cannot join a session: %s\n",
			strerror(errno));
		return 1;
	}
	th = calloc(nthreads, sizeof(*th));
	if (!th)
		return 1;
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, storm, NULL)) {
			fprintf(stderr, "fork_storm: pthread_create failed\n");
			return 1;
		}
	for (i = 0; i < nthreads; i++) {
		pthread_join(th[i], &ret);
		bad += (long)ret;
	}
	if (ioctl(fd, KB_IOC_SESSION_STATS, &st)) {
		fprintf(stderr, "fork_storm: SESSION_STATS: %s\n", strerror(errno));
		return 1;
	}
	want = 1 + nthreads + nthreads * forks;
	printf("%ld threads x %ld forks: %ld failed, %llu tasks joined (want %llu)\n",
	       nthreads, forks, bad, (unsigned long long)st.joined, want);
	return bad || st.joined != want;
}
