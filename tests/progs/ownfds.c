// SPDX-License-Identifier: GPL-2.0
/*
 * The fds a program sees: everything it prints must be what it prints
 * natively, so kbridge's own fds must never show (tests compare the
 * output of a run under kblaunch with a native one).
 *
 * Listings of /proc/self/fd, fdinfo, thread-self and /proc/PID/fd;
 * /proc/self/fd/N, fstat, fstatat and fcntl of numbers the program never
 * opened; F_DUPFD and dup2
 * onto numbers around the soft RLIMIT_NOFILE once the program raised it;
 * close_range of everything; then RLIMIT_NOFILE lowered to 29 and exec,
 * fork and a thread; an fd without close-on-exec inherited by the exec.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void list(const char *what, const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int self;

	if (!d) {
		printf("%s: %s\n", what, strerror(errno));
		return;
	}
	self = dirfd(d);
	printf("%s:", what);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || atoi(e->d_name) == self)
			continue;
		printf(" %s", e->d_name);
	}
	printf("\n");
	closedir(d);
}

/* readdir's order is the fd table's: sorted, so the lines compare. */
static void list_all(const char *when)
{
	char dir[64];

	printf("-- %s\n", when);
	list("fd", "/proc/self/fd");
	list("fdinfo", "/proc/self/fdinfo");
	list("thread-self", "/proc/thread-self/fd");
	snprintf(dir, sizeof(dir), "/proc/%d/fd", getpid());
	list("pid", dir);
	snprintf(dir, sizeof(dir), "/proc/%d/task/%ld/fdinfo", getpid(),
		 (long)syscall(SYS_gettid));
	list("task", dir);
	fflush(stdout);
}

/* Numbers from @lo to @hi that /proc/self/fd/N and fdinfo/N know. */
static void probe(int lo, int hi)
{
	char path[64], buf[256];
	struct stat st;
	int n, fd;

	printf("probe %d-%d:", lo, hi);
	for (n = lo; n <= hi; n++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", n);
		if (readlink(path, buf, sizeof(buf)) >= 0)
			printf(" %d", n);
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", n);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			printf(" info%d", n);
			close(fd);
		}
		/* the probes of closefrom() fallbacks and fd_status.py */
		if (fstat(n, &st) == 0)
			printf(" fstat%d", n);
		if (fstatat(n, "", &st, AT_EMPTY_PATH) == 0)
			printf(" fstatat%d", n);
		if (fcntl(n, F_GETFD) >= 0)
			printf(" fcntl%d", n);
	}
	printf("\n");
}

static void *thread_lists(void *arg)
{
	(void)arg;
	list("thread", "/proc/thread-self/fd");
	return NULL;
}

static int child(void)
{
	struct rlimit rl;

	getrlimit(RLIMIT_NOFILE, &rl);
	printf("exec'd: soft limit %llu\n", (unsigned long long)rl.rlim_cur);
	list_all("after exec");
	probe(3, 40);
	return 0;
}

int main(int argc, char **argv)
{
	struct rlimit rl, low, now;
	unsigned long soft;
	int base;
	pthread_t t;
	pid_t pid;
	int st, n, fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "child"))
		return child();
	getrlimit(RLIMIT_NOFILE, &rl);
	soft = rl.rlim_cur;
	list_all("start");
	probe(3, 64);
	probe(990, 1040);
	if (soft > 8 && soft < 70000)
		probe((int)soft - 8, (int)soft + 16);

	/* Closed fds of the runtime's are not the program's either. */
	for (n = 990; n < 1040; n++)
		if (close(n) == 0)
			printf("closed %d\n", n);
	if (soft > 8 && soft < 70000)
		for (n = (int)soft - 8; n < (int)soft + 16; n++)
			if (close(n) == 0)
				printf("closed %d\n", n);

	/*
	 * As many servers do: the soft limit up, then numbers above the old
	 * one; with no room to raise it, numbers from 1000.
	 */
	base = 1000;
	if (rl.rlim_max > soft && soft < 60000) {
		struct rlimit up = rl;

		up.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
		if (setrlimit(RLIMIT_NOFILE, &up))
			printf("setrlimit up: %s\n", strerror(errno));
		else
			base = (int)soft;
	}
	getrlimit(RLIMIT_NOFILE, &now);
	if (now.rlim_cur > (rlim_t)base + 16) {
		for (n = 0; n < 4; n++)
			printf("F_DUPFD from %d: %d\n", base,
			       fcntl(1, n & 1 ? F_DUPFD_CLOEXEC : F_DUPFD, base));
		for (n = 0; n < 6; n++)
			printf("dup2 onto %d: %d\n", base + 4 + n,
			       dup2(1, base + 4 + n));
		printf("dup3 onto %d: %d\n", base + 10,
		       dup3(1, base + 10, O_CLOEXEC));
		printf("F_DUPFD from 990: %d\n", fcntl(1, F_DUPFD, 990));
		list_all("with fds at the numbers tried");
		probe(base - 2, base + 16);
		/* Still under kbridge: the ioctl and exec work after moves. */
		printf("getppid works: %d\n", getppid() > 0);
	}

	if (syscall(SYS_close_range, 3, ~0U, 0))
		printf("close_range: %s\n", strerror(errno));
	list_all("after close_range(3, ~0U)");
	fd = open("/dev/null", O_RDONLY);
	printf("open after close_range: %d\n", fd);
	close(fd);

	pid = fork();
	if (pid == 0) {
		list_all("fork child");
		_exit(0);
	}
	waitpid(pid, &st, 0);
	pthread_create(&t, NULL, thread_lists, NULL);
	pthread_join(t, NULL);

	/* The limit below kbridge's fds, then exec, fork, threads. */
	low = rl;
	low.rlim_cur = 29;
	if (setrlimit(RLIMIT_NOFILE, &low))
		printf("setrlimit 29: %s\n", strerror(errno));
	fd = open("/dev/null", O_RDONLY);	/* inherited by the exec */
	printf("inherited fd %d\n", fd);
	pthread_create(&t, NULL, thread_lists, NULL);
	pthread_join(t, NULL);
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", argv[0], "child", (char *)NULL);
		printf("exec in fork child: %s\n", strerror(errno));
		_exit(1);
	}
	waitpid(pid, &st, 0);
	printf("fork+exec child: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	execl(argv[0], argv[0], "child", (char *)NULL);
	printf("exec: %s\n", strerror(errno));
	return 1;
}
