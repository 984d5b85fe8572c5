/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbctl: Loupe's results database (loupedb), read and written.
 *
 * A checkout is DB/APP/WORKLOAD/RUN/data/dyn.csv: a header line, then
 * one line per x86_64 syscall number, "NR,used,works faked,works
 * stubbed,works both" (Y or N). Loupe's writer makes the last three
 * exclusive (works faked: with 0 but not with ENOSYS; works stubbed: the
 * reverse; works both: either way); the runs loupedb imported from
 * before that format set them independently (works faked and works
 * stubbed each alone, works both when both do). Both layouts mean the
 * same thing when read as fake = faked or both, stub = stubbed or both,
 * which is how this reader takes them. Loupe's own reader (loupe
 * search) labels the first of the three "can be stubbed": that is the
 * other way round from its writer and its header, which are followed here.
 */
#ifndef KBCTL_LOUPEDB_H
#define KBCTL_LOUPEDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <linux/kbridge.h>

/* What an application's runs say of one syscall. */
struct ldb_verdict {
	bool used;
	bool stub;	/* every run that used it works with ENOSYS */
	bool fake;	/* ... with 0 */
};

struct ldb_run {
	char *workload;		/* "benchmark-wrk", "suite" */
	char *run;		/* the run's folder: a hash, "imported" */
	bool inclusive;		/* the older layout (above) */
	unsigned int used;	/* syscalls it used */
};

/* An application: every run found under the path it was read from. */
struct ldb_app {
	char *name;		/* its folder's name */
	char *path;		/* the path it was read from */
	struct ldb_run *runs;
	size_t nruns;
	struct ldb_verdict sys[KB_NR_SYSCALLS];
};

/*
 * The applications under @path, appended to *@apps (*@n of them), each
 * with its runs merged as Loupe merges replicas: used if any run used it,
 * stub (fake) only if every run that used it works stubbed (faked).
 * @path is a checkout (every application in it), an application, one of
 * its workloads or one run. 0, or -1 with a message naming the file (and
 * FILE:LINE for what does not parse).
 */
int ldb_load(const char *path, struct ldb_app **apps, size_t *n);
/* Frees what ldb_load appended, and the array. */
void ldb_free(struct ldb_app *apps, size_t n);
/* "required", "stub", "fake" or "either": kbctl analyze's class. */
const char *ldb_class(const struct ldb_verdict *v);
/*
 * @v (KB_NR_SYSCALLS entries) as a dyn.csv in Loupe's writer's layout:
 * the header, then rows 0 to 334 (Loupe's reader indexes them by
 * number up to there) and on to the highest syscall used. 0, or -1 on a
 * write error.
 */
int ldb_write_dyn(FILE *f, const struct ldb_verdict *v);
/*
 * @used (KB_NR_SYSCALLS entries: what a static analysis found) as a
 * static_binary.csv: the header "# syscall, used", then "NR,Y" or "NR,N"
 * rows 0 to 334 and on to the highest syscall found. 0, or -1 on a write
 * error.
 */
int ldb_write_static(FILE *f, const bool *used);
/* Is @path a directory (a loupedb path) rather than a file (a report)? */
bool ldb_is_dir(const char *path);

#endif
