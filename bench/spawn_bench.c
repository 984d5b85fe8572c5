// SPDX-License-Identifier: GPL-2.0
/*
 * spawn_bench: what starting a program costs, natively or under
 * kblaunch. Runs COMMAND N times, or for MS milliseconds (at least 3
 * times), one after the other (posix_spawn, then waitpid), and prints the
 * mean wall time of one start-to-exit as ns_per_call=... . Every run must
 * exit 0: a row that measures a failing start measures nothing.
 *
 *   spawn_bench {-n N | -t MS} -- COMMAND [ARGS...]
 *
 * stdout and stderr of COMMAND go to /dev/null (kblaunch's message that
 * it decides in the process would otherwise fill the log).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	long n = 0, ms = 0, i;
	double t0, t;
	int opt, st, err;
	char *end;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+n:t:h")) != -1) {
		long *v = opt == 'n' ? &n : &ms;

		switch (opt) {
		case 'n':
		case 't':
			errno = 0;
			*v = strtol(optarg, &end, 10);
			if (errno || *end || *v <= 0) {
				fprintf(stderr, "spawn_bench: bad -%c '%s'\n", opt,
					optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: spawn_bench {-n N | -t MS} -- COMMAND [ARGS...]\n");
			return 2;
		}
	}
	if (!n == !ms || optind >= argc) {
		fprintf(stderr, "usage: spawn_bench {-n N | -t MS} -- COMMAND [ARGS...]\n");
		return 2;
	}
	if (posix_spawn_file_actions_init(&fa) ||
	    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) ||
	    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0)) {
		fprintf(stderr, "spawn_bench: file actions: %s\n", strerror(errno));
		return 1;
	}
	t0 = now_ns();
	for (i = 0; ms ? i < 3 || now_ns() - t0 < ms * 1e6 : i < n; i++) {
		err = posix_spawnp(&pid, argv[optind], &fa, NULL, argv + optind,
				   environ);
		if (err) {
			fprintf(stderr, "spawn_bench: %s: %s\n", argv[optind],
				strerror(err));
			return 1;
		}
		while (waitpid(pid, &st, 0) < 0) {
			if (errno != EINTR) {
				fprintf(stderr, "spawn_bench: waitpid: %s\n",
					strerror(errno));
				return 1;
			}
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "spawn_bench: run %ld of %s: %s %d\n",
				i + 1, argv[optind],
				WIFEXITED(st) ? "exit status" : "signal",
				WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			return 1;
		}
	}
	t = now_ns() - t0;
	posix_spawn_file_actions_destroy(&fa);
	printf("iters=%ld ns_per_call=%.0f\n", i, t / i);
	return 0;
}
