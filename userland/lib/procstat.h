/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/PID/stat, read once for every tool that needs a field of it.
 */
#ifndef KB_PROCSTAT_H
#define KB_PROCSTAT_H

#include <stddef.h>

/* Fields are numbered as in proc(5): 1 pid, 2 comm, 3 state, 4 ppid... */
#define KB_STAT_SESSION		6
#define KB_STAT_START_CODE	26
#define KB_STAT_END_CODE	27
#define KB_STAT_START_STACK	28
#define KB_STAT_START_DATA	45
#define KB_STAT_END_DATA	46
#define KB_STAT_START_BRK	47
#define KB_STAT_MAX		52

/*
 * Reads /proc/@pid/stat (@pid: a number or "self"): the command name into
 * @comm (@len bytes; NULL: not wanted), and fields 4 to @last (at most
 * KB_STAT_MAX) into @v[4..@last], @v[3] the state letter. 0, or -1 when
 * the process is gone or the file does not read as stat.
 */
int kb_proc_stat(const char *pid, char *comm, size_t len,
		 unsigned long long *v, int last);

#endif /* KB_PROCSTAT_H */
