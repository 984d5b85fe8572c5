// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/stat (procstat.h): the command name is in parentheses and may
 * hold anything, so the fields are read from its last ')'.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procstat.h"

int kb_proc_stat(const char *pid, char *comm, size_t len,
		 unsigned long long *v, int last)
{
	char path[64], buf[2048], *l, *p;
	ssize_t n;
	int fd, i;

	if (last < 3 || last > KB_STAT_MAX)
		return -1;
	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* comm may hold anything, ')' and spaces included: up to the last ')' */
	l = strchr(buf, '(');
	p = strrchr(buf, ')');
	if (!l || !p || p < l || p[1] != ' ' || !p[2] || p[3] != ' ')
		return -1;
	if (comm)
		snprintf(comm, len, "%.*s", (int)(p - l - 1), l + 1);
	v[3] = (unsigned char)p[2];
	for (i = 4, p += 3; i <= last; i++) {
		while (*p == ' ')
			p++;
		/* Signed fields (priority, nice) may be negative. */
		if (*p != '-' && (*p < '0' || *p > '9'))
			return -1;
		v[i] = strtoull(p, &p, 10);
	}
	return 0;
}
