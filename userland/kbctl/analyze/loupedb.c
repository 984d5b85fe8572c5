// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl: loupedb's dyn.csv, read (ldb_load: a checkout, an application, a
 * workload or a run) and written (ldb_write_dyn). The format and what
 * its columns mean: loupedb.h.
 *
 * loupedb is data published by others and copied around: every line is
 * checked, and what is wrong is said as FILE:LINE, never guessed at.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../kbctl.h"
#include "jsonin.h"
#include "loupedb.h"

/* A dyn.csv is 336 short lines, about 3 KiB. */
#define LDB_MAX_BYTES	(1u << 20)
/* Loupe's rows: 0 to 334 (335 in the imported runs). */
#define LDB_LOUPE_LAST	334

bool ldb_is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static bool ldb_is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

const char *ldb_class(const struct ldb_verdict *v)
{
	if (v->stub && v->fake)
		return "either";
	if (v->stub)
		return "stub";
	if (v->fake)
		return "fake";
	return "required";
}

static char *ldb_join(const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s/%s", a, b) < 0) {
		kbctl_err("out of memory");
		return NULL;
	}
	return s;
}

/* "Y" or "N" into *@v; false for anything else. */
static bool ldb_yn(const char *s, bool *v)
{
	if (strcmp(s, "Y") && strcmp(s, "N"))
		return false;
	*v = *s == 'Y';
	return true;
}

/*
 * One run's data/dyn.csv (@path) into @v (KB_NR_SYSCALLS entries, zeroed
 * by the caller). Loupe's reader drops every blank in a line and skips
 * lines starting with '#'; so does this one. 0, or -1 said.
 */
static int ldb_read_dyn(const char *path, struct ldb_verdict *v, struct ldb_run *r)
{
	static const char *const cols[] = {
		"syscall", "used", "works faked", "works stubbed", "works both"
	};
	unsigned int lineno = 0, first[KB_NR_SYSCALLS] = { 0 };
	char *text, *line, *next, *e, *f[5], *d, *s, q[64];
	bool yn[4];
	size_t len;
	unsigned long nr;
	int i, ret = -1;

	text = kj_read(path, LDB_MAX_BYTES, &len, NULL);
	if (!text)
		return -1;
	for (line = text; line < text + len; line = next) {
		lineno++;
		e = memchr(line, '\n', (size_t)(text + len - line));
		next = e ? e + 1 : text + len;
		if (memchr(line, '\0', (size_t)(next - line))) {
			kbctl_err("%s:%u: a NUL byte: not a dyn.csv", path, lineno);
			goto out;
		}
		if (e)
			*e = '\0';
		for (s = d = line; *s; s++)
			if (!strchr(" \t\r\v\f", *s))
				*d++ = *s;
		*d = '\0';
		if (!*line || *line == '#')
			continue;
		for (i = 0, s = line; i < 5 && s; i++)
			f[i] = strsep(&s, ",");
		if (i < 5 || s) {
			kbctl_err("%s:%u: %d fields, not 5 (%s, %s, %s, %s, %s)", path,
				  lineno, s ? 6 : i, cols[0], cols[1], cols[2], cols[3],
				  cols[4]);
			goto out;
		}
		errno = 0;
		nr = strtoul(f[0], &e, 10);
		if (!*f[0] || *e || f[0][0] == '-' || errno || nr >= KB_NR_SYSCALLS) {
			kbctl_err("%s:%u: '%s' is not a syscall number (0 to %d)",
				  path, lineno, kj_quote(f[0], q, sizeof(q)),
				  KB_NR_SYSCALLS - 1);
			goto out;
		}
		if (first[nr]) {
			kbctl_err("%s:%u: syscall %lu again (first at line %u)",
				  path, lineno, nr, first[nr]);
			goto out;
		}
		first[nr] = lineno;
		for (i = 0; i < 4; i++) {
			if (!ldb_yn(f[i + 1], &yn[i])) {
				kbctl_err("%s:%u: %s is '%s', not Y or N", path,
					  lineno, cols[i + 1],
					  kj_quote(f[i + 1], q, sizeof(q)));
				goto out;
			}
		}
		/* A verdict on a call the workload never made says nothing. */
		if (!yn[0])
			continue;
		v[nr].used = true;
		v[nr].fake = yn[1] || yn[3];
		v[nr].stub = yn[2] || yn[3];
		if (yn[3] && (yn[1] || yn[2]))
			r->inclusive = true;
		r->used++;
	}
	if (!lineno || !r->used) {
		kbctl_err("%s: no syscall used: not a loupedb run", path);
		goto out;
	}
	ret = 0;
out:
	free(text);
	return ret;
}

/* The entries of directory @dir that are directories, by name; NULL said. */
static char **ldb_subdirs(const char *dir, size_t *n)
{
	struct dirent **ents;
	char **out, *p;
	int i, k;

	k = scandir(dir, &ents, NULL, alphasort);
	if (k < 0) {
		kbctl_err("%s: %s", dir, strerror(errno));
		return NULL;
	}
	out = calloc((size_t)k + 1, sizeof(*out));
	*n = 0;
	for (i = 0; i < k; i++) {
		/* ".", "..", and .git of a checkout */
		if (out && ents[i]->d_name[0] != '.') {
			p = ldb_join(dir, ents[i]->d_name);
			if (p && ldb_is_dir(p))
				out[(*n)++] = strdup(ents[i]->d_name);
			free(p);
		}
		free(ents[i]);
	}
	free(ents);
	if (!out)
		kbctl_err("out of memory");
	return out;
}

static void ldb_free_names(char **names, size_t n)
{
	while (n--)
		free(names[n]);
	free(names);
}

/*
 * How deep under @path the runs are: 0 for a run, 1 for a workload, 2 for
 * an application, 3 for a checkout; -1 when no run is there. The first
 * entry (by name) that holds one decides.
 */
static int ldb_depth(const char *path, int max)
{
	char *p = ldb_join(path, "data/dyn.csv"), **sub;
	size_t i, n = 0;
	int d = -1;

	if (!p)
		return -1;
	if (ldb_is_file(p))
		d = 0;
	free(p);
	if (d == 0 || !max)
		return d;
	sub = ldb_subdirs(path, &n);
	for (i = 0; sub && i < n && d < 0; i++) {
		p = ldb_join(path, sub[i]);
		if (p) {
			d = ldb_depth(p, max - 1);
			d = d < 0 ? -1 : d + 1;
		}
		free(p);
	}
	ldb_free_names(sub, n);
	return d;
}

static const char *ldb_base(const char *path)
{
	const char *s = path + strlen(path);

	while (s > path && s[-1] == '/')
		s--;
	while (s > path && s[-1] != '/')
		s--;
	return s;
}

/* The last component of @path, without trailing slashes; NULL said. */
static char *ldb_name(const char *path)
{
	const char *b = ldb_base(path);
	char *s = strndup(b, strcspn(b, "/"));

	if (!s)
		kbctl_err("out of memory");
	return s;
}

/* Run @dir (folder @run of workload @workload) merged into @a. */
static int ldb_add_run(struct ldb_app *a, const char *dir, const char *workload,
		       const char *run)
{
	static struct ldb_verdict v[KB_NR_SYSCALLS];
	struct ldb_run *r, *nr;
	char *p;
	int ret, i;

	nr = realloc(a->runs, (a->nruns + 1) * sizeof(*a->runs));
	if (!nr) {
		kbctl_err("out of memory");
		return -1;
	}
	a->runs = nr;
	r = &a->runs[a->nruns];
	memset(r, 0, sizeof(*r));
	r->workload = strdup(workload);
	r->run = strdup(run);
	a->nruns++;
	p = ldb_join(dir, "data/dyn.csv");
	if (!p || !r->workload || !r->run) {
		free(p);
		kbctl_err("out of memory");
		return -1;
	}
	if (!ldb_is_file(p)) {
		kbctl_err("%s: no data/dyn.csv: not a loupedb run", dir);
		free(p);
		return -1;
	}
	memset(v, 0, sizeof(v));
	ret = ldb_read_dyn(p, v, r);
	free(p);
	if (ret)
		return -1;
	for (i = 0; i < KB_NR_SYSCALLS; i++) {
		if (!v[i].used)
			continue;
		if (!a->sys[i].used) {
			a->sys[i] = v[i];
			continue;
		}
		a->sys[i].stub &= v[i].stub;
		a->sys[i].fake &= v[i].fake;
	}
	return 0;
}

/* Every run of workload @dir into @a. */
static int ldb_add_workload(struct ldb_app *a, const char *dir)
{
	char **runs, *w, *p;
	size_t i, n = 0;
	int ret = -1;

	w = ldb_name(dir);
	runs = w ? ldb_subdirs(dir, &n) : NULL;
	if (!runs)
		goto out;
	if (!n) {
		kbctl_err("%s: no run in this workload", dir);
		goto out;
	}
	for (i = 0; i < n; i++) {
		p = ldb_join(dir, runs[i]);
		if (!p || ldb_add_run(a, p, w, runs[i])) {
			free(p);
			goto out;
		}
		free(p);
	}
	ret = 0;
out:
	ldb_free_names(runs, n);
	free(w);
	return ret;
}

static struct ldb_app *ldb_new_app(struct ldb_app **apps, size_t *n,
				   const char *name_of, const char *path)
{
	struct ldb_app *na = realloc(*apps, (*n + 1) * sizeof(**apps)), *a;

	if (!na) {
		kbctl_err("out of memory");
		return NULL;
	}
	*apps = na;
	a = &na[(*n)++];
	memset(a, 0, sizeof(*a));
	a->name = ldb_name(name_of);
	a->path = strdup(path);
	if (!a->name || !a->path) {
		kbctl_err("out of memory");
		return NULL;
	}
	return a;
}

/* Application @dir: every workload in it. */
static int ldb_add_app(struct ldb_app **apps, size_t *n, const char *dir)
{
	struct ldb_app *a = ldb_new_app(apps, n, dir, dir);
	char **wl, *p;
	size_t i, k = 0;
	int ret = -1;

	wl = a ? ldb_subdirs(dir, &k) : NULL;
	if (!wl)
		goto out;
	if (!k) {
		kbctl_err("%s: no workload in this application", dir);
		goto out;
	}
	for (i = 0; i < k; i++) {
		p = ldb_join(dir, wl[i]);
		if (!p || ldb_add_workload(a, p)) {
			free(p);
			goto out;
		}
		free(p);
	}
	ret = 0;
out:
	ldb_free_names(wl, k);
	return ret;
}

/* Cuts the last component off @path (absolute, no trailing slash). */
static void ldb_up(char *path)
{
	char *s = strrchr(path, '/');

	if (s && s != path)
		*s = '\0';
}

int ldb_load(const char *path, struct ldb_app **apps, size_t *n)
{
	char *real = NULL, *run = NULL, *wl = NULL, *p, **sub = NULL;
	struct ldb_app *a;
	size_t i, k = 0;
	int d, ret = -1;

	d = ldb_depth(path, 3);
	if (d < 0) {
		kbctl_err("%s: no loupedb run under it (DB/APP/WORKLOAD/RUN/data/dyn.csv)",
			  path);
		return -1;
	}
	switch (d) {
	case 0:
	case 1:
		/* A workload or a run is named after its application, above it. */
		real = realpath(path, NULL);
		if (!real) {
			kbctl_err("%s: %s", path, strerror(errno));
			break;
		}
		if (!d) {
			run = ldb_name(real);
			ldb_up(real);
			wl = ldb_name(real);
		}
		ldb_up(real);
		a = ldb_new_app(apps, n, real, path);
		if (!a)
			break;
		if (d)
			ret = ldb_add_workload(a, path);
		else if (run && wl)
			ret = ldb_add_run(a, path, wl, run);
		break;
	case 2:
		ret = ldb_add_app(apps, n, path);
		break;
	default:
		sub = ldb_subdirs(path, &k);
		if (!sub)
			break;
		for (i = 0; i < k; i++) {
			p = ldb_join(path, sub[i]);
			if (!p || ldb_add_app(apps, n, p)) {
				free(p);
				goto out;
			}
			free(p);
		}
		ret = 0;
	}
out:
	ldb_free_names(sub, k);
	free(real);
	free(run);
	free(wl);
	return ret;
}

void ldb_free(struct ldb_app *apps, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < apps[i].nruns; j++) {
			free(apps[i].runs[j].workload);
			free(apps[i].runs[j].run);
		}
		free(apps[i].runs);
		free(apps[i].name);
		free(apps[i].path);
	}
	free(apps);
}

/* The last row to write: Loupe's last, or the highest syscall used. */
static int ldb_last_row(const bool *used)
{
	int i, last = LDB_LOUPE_LAST;

	for (i = 0; i < KB_NR_SYSCALLS; i++)
		if (used[i] && i > last)
			last = i;
	return last;
}

int ldb_write_static(FILE *f, const bool *used)
{
	int i, last = ldb_last_row(used);

	fprintf(f, "# syscall, used\n");
	for (i = 0; i <= last; i++)
		fprintf(f, "%d,%c\n", i, used[i] ? 'Y' : 'N');
	return ferror(f) ? -1 : 0;
}

int ldb_write_dyn(FILE *f, const struct ldb_verdict *v)
{
	bool used[KB_NR_SYSCALLS];
	int i, last;

	for (i = 0; i < KB_NR_SYSCALLS; i++)
		used[i] = v[i].used;
	last = ldb_last_row(used);
	fprintf(f, "# syscall, used, works faked, works stubbed, works both\n");
	for (i = 0; i <= last; i++) {
		const struct ldb_verdict *x = &v[i];

		fprintf(f, "%d,%c,%c,%c,%c\n", i, x->used ? 'Y' : 'N',
			x->used && x->fake && !x->stub ? 'Y' : 'N',
			x->used && x->stub && !x->fake ? 'Y' : 'N',
			x->used && x->stub && x->fake ? 'Y' : 'N');
	}
	return ferror(f) ? -1 : 0;
}
