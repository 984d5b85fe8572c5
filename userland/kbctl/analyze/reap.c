// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl analyze: the end of a run's processes, all of them.
 *
 * A run is a session of its own (an_spawn calls setsid), and everything
 * the workload starts stays in it unless it asks to leave: a process
 * group is not enough, as coreutils' timeout, which many workloads use,
 * puts what it runs in a group of its own. There is no kill() for a
 * session, so its members are found in /proc, by the session field of
 * their stat. What leaves the session (a daemon's setsid) is orphaned
 * sooner or later and, kbctl being a child subreaper, becomes kbctl's
 * child: an_reap also ends those.
 *
 * Everything here is async-signal-safe (raw syscalls, no stdio, no
 * malloc): the stop signals' handler uses it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"

/* Passes over /proc before giving up on a process that will not die. */
#define AN_REAP_PASSES	200
#define AN_REAP_PAUSE_NS	10000000L

struct an_dirent64 {
	unsigned long long ino;
	long long off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static long an_num(const char **p)
{
	long v = 0;

	if (**p < '0' || **p > '9')
		return -1;
	while (**p >= '0' && **p <= '9')
		v = v * 10 + *(*p)++ - '0';
	return v;
}

/*
 * The state, parent, session and threads of /proc/@name (a pid's digits):
 * 0, or -1 when it is gone or not read as stat. comm may hold anything:
 * the fields are read from its last ')'.
 */
static int an_stat_fields(const char *name, char *state, long *ppid,
			  long *sid, long *threads)
{
	char path[32] = "/proc/", buf[1024];
	const char *p, *close_paren = NULL;
	size_t i = 6;
	ssize_t n;
	int fd;

	while (*name && i < sizeof(path) - 6)
		path[i++] = *name++;
	for (p = "/stat"; *p; p++)
		path[i++] = *p;
	path[i] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (p = buf; *p; p++)
		if (*p == ')')
			close_paren = p;
	/* ") S 1234 1234 1234 ...": state, ppid, pgrp, session (fields 3-6) */
	p = close_paren;
	if (!p || p[1] != ' ' || !p[2] || p[3] != ' ')
		return -1;
	*state = p[2];
	p += 4;
	*ppid = an_num(&p);
	if (*ppid < 0 || *p++ != ' ' || an_num(&p) < 0 || *p++ != ' ')
		return -1;
	*sid = an_num(&p);
	if (*sid < 0)
		return -1;
	/* num_threads, field 20; those between may be negative (nice) */
	for (i = 6; i < 20 && *p; p++)
		if (*p == ' ')
			i++;
	*threads = an_num(&p);
	return *threads < 0 ? -1 : 0;
}

static bool an_listed(const pid_t *pids, int n, long pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] > 0 && pids[i] == pid)
			return true;
	return false;
}

/*
 * One pass over /proc: SIGKILL to the targets still alive. Returns how
 * many there were (-1: /proc unreadable).
 */
static int an_reap_pass(const pid_t *sids, int n, pid_t spare, bool orphans)
{
	char buf[4096];
	long self = getpid(), ppid, sid, pid, threads;
	int dir, alive = 0;
	long len, off;
	char state;

	dir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -1;
	while ((len = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		for (off = 0; off < len;) {
			struct an_dirent64 *de = (void *)(buf + off);
			const char *p = de->name;

			off += de->reclen;
			pid = an_num(&p);
			if (pid <= 0 || *p || pid == self || pid == spare ||
			    an_stat_fields(de->name, &state, &ppid, &sid,
					   &threads))
				continue;
			/*
			 * Dead already, only waiting to be reaped; but a zombie
			 * leader whose other threads run (its main thread
			 * exited alone: exit_group stubbed) is alive.
			 */
			if ((state == 'Z' && threads <= 1) || state == 'X')
				continue;
			if (!an_listed(sids, n, sid) &&
			    !(orphans && ppid == self))
				continue;
			kill((pid_t)pid, SIGKILL);
			alive++;
		}
	}
	close(dir);
	return alive;
}

int an_reap(const pid_t *sids, int n, pid_t spare, bool orphans)
{
	struct timespec pause = { 0, AN_REAP_PAUSE_NS };
	int i, alive;

	/*
	 * A member may fork while a pass reads /proc, behind it: passes go
	 * on until one finds nobody alive. SIGKILL is not instant either.
	 */
	for (i = 0; i < AN_REAP_PASSES; i++) {
		alive = an_reap_pass(sids, n, spare, orphans);
		if (alive <= 0)
			return alive;
		nanosleep(&pause, NULL);
	}
	return alive;
}

void an_reap_orphans_wait(void)
{
	pid_t none = 0;

	an_reap(&none, 0, 0, true);
	/* Collected here, or their zombies would last as long as kbctl. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

int an_become_subreaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}
