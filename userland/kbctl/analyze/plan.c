// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl plan: in which order should an OS (a compatibility layer, a
 * unikernel, a new kernel) implement syscalls to run a set of
 * applications as early as possible? Loupe's support plan, computed from
 * the reports of kbctl analyze and a list of what the OS already has.
 *
 * An application is supported once every syscall its analysis found
 * required is implemented; the others it made are stubbed (ENOSYS) where
 * its analysis says that works, else faked (0). The plan is greedy: each
 * step implements the fewest syscalls that unlock some application. That
 * is not always the order with the smallest total effort (no greedy order
 * is), but each step is the cheapest next success, which is what a
 * developer bringing up an OS wants to see, and it is what Loupe prints.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kbctl.h"
#include "jsonin.h"
#include "loupedb.h"
#include "syslist.h"
#include "../../lib/json.h"
#include "../../lib/names.h"

/* A syscall some report lists: the reports' union. */
struct pl_sys {
	int nr;
	char *name;
	const char *report;	/* the first that listed it */
	bool os;		/* in the --os list */
	bool impl;		/* os, or implemented by a step so far */
};

struct pl_use {
	size_t sys;		/* index in pl.sys */
	enum kj_class cls;
};

struct pl_app {
	const char *report;
	char *report_own;	/* report, when it is ours to free */
	char *label;
	bool loupedb;		/* Loupe's results (kbctl loupedb) */
	char *real;		/* realpath of the report: one report once */
	bool confirmed;
	bool has_confirmation;
	struct pl_use *use;
	size_t nuse;
	size_t nrequired;
	size_t nmissing;	/* required and not in the OS */
	int step;		/* -1: not supported yet */
	/* At the step that supports it: what its profile needs. */
	size_t *stub, *fake;
	size_t nstub, nfake;
};

struct pl_step {
	size_t *impl;		/* syscalls implemented at this step */
	size_t nimpl;
	size_t *apps;		/* apps it supports, by label */
	size_t napps;
	size_t cum_apps, cum_impl;
};

struct pl {
	const char *os_file;
	int *os_nr;		/* the --os list, resolved, distinct */
	size_t nos;
	struct pl_sys *sys;
	size_t nsys;
	struct pl_app *apps;
	size_t napps;
	struct pl_step *steps;
	size_t nsteps;
};

struct pl_opts {
	const char *os;
	bool json;
	char **reports;
	int nreports;
};

static void *pl_calloc(size_t n, size_t size)
{
	/* Never NULL for n == 0, so that NULL only ever means no memory. */
	void *p = calloc(n ? n : 1, size);

	if (!p)
		kbctl_err("out of memory");
	return p;
}

static int pl_grow(void **p, size_t n, size_t size)
{
	void *q = realloc(*p, (n + 1) * size);

	if (!q) {
		kbctl_err("out of memory");
		return -1;
	}
	*p = q;
	return 0;
}

static int pl_read_os(struct pl *p, const char *path)
{
	return sl_read(path, &p->os_nr, &p->nos);
}

/*
 * The index of syscall @nr in the union, added when new. Reports must
 * agree on names: one number, one name (and one name, one number), or
 * two reports describe two different systems.
 */
static ssize_t pl_sys_index(struct pl *p, const struct pl_app *a, const char *where,
			    int nr, const char *name)
{
	char q[128], q2[128];
	size_t i;

	for (i = 0; i < p->nsys; i++) {
		if (p->sys[i].nr == nr && strcmp(p->sys[i].name, name)) {
			kj_err(a->report, where, "syscall %d is '%s' here, '%s' in %s",
			       nr, kj_quote(name, q, sizeof(q)),
			       kj_quote(p->sys[i].name, q2, sizeof(q2)),
			       p->sys[i].report);
			return -1;
		}
		if (p->sys[i].nr != nr && !strcmp(p->sys[i].name, name)) {
			kj_err(a->report, where, "'%s' is syscall %d here, %d in %s",
			       kj_quote(name, q, sizeof(q)), nr, p->sys[i].nr,
			       p->sys[i].report);
			return -1;
		}
		if (p->sys[i].nr == nr)
			return (ssize_t)i;
	}
	if (pl_grow((void **)&p->sys, p->nsys, sizeof(*p->sys)))
		return -1;
	p->sys[i] = (struct pl_sys){ .nr = nr, .name = strdup(name),
				     .report = a->report };
	if (!p->sys[i].name) {
		kbctl_err("out of memory");
		return -1;
	}
	p->nsys++;
	return (ssize_t)i;
}

/*
 * "sqlite3", "nginx+php-fpm": the basenames of the report's "apps"
 * (an array of strings, if there), or the report's path. 0, or -1 said.
 */
static int pl_label(struct json_object *root, struct pl_app *a)
{
	struct json_object *apps, *v;
	const char *s, *slash;
	char where[64];
	size_t i, n, len = 0;

	if (!kj_member(a->report, "", root, "apps", json_type_array, true, &apps))
		return -1;
	n = apps ? json_object_array_length(apps) : 0;
	a->label = n ? calloc(1, PATH_MAX) : strdup(a->report);
	if (!a->label) {
		kbctl_err("out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(apps, i);
		snprintf(where, sizeof(where), ".apps[%zu]", i);
		if (!json_object_is_type(v, json_type_string) ||
		    !json_object_get_string_len(v) ||
		    strlen(json_object_get_string(v)) !=
		    (size_t)json_object_get_string_len(v)) {
			kj_err(a->report, where, "expected the path of an application");
			return -1;
		}
		s = json_object_get_string(v);
		slash = strrchr(s, '/');
		len += snprintf(a->label + len, PATH_MAX - len, "%s%s",
				i ? "+" : "", slash && slash[1] ? slash + 1 : s);
		if (len >= PATH_MAX - 1)
			break;
	}
	/* A label is printed: nothing in it may garble the terminal. */
	if (n) {
		char *q = malloc(4 * PATH_MAX);

		if (!q) {
			kbctl_err("out of memory");
			return -1;
		}
		kj_quote(a->label, q, 4 * PATH_MAX);
		free(a->label);
		a->label = q;
	}
	return 0;
}

static int pl_read_report(struct pl *p, struct pl_app *a)
{
	struct json_object *root, *arr, *v, *conf, *src;
	const char *name;
	char where[64];
	enum kj_class c;
	size_t i, j, n;
	ssize_t idx;
	int nr, ret = -1;

	a->step = -1;
	root = kj_load(a->report, NULL);
	if (!root)
		return -1;
	if (!json_object_object_get_ex(root, "syscalls", &arr)) {
		kbctl_err("%s: no \"syscalls\" array: not an analysis.json of kbctl analyze",
			  a->report);
		goto out;
	}
	if (!kj_member(a->report, "", root, "syscalls", json_type_array, false, &arr) ||
	    pl_label(root, a) ||
	    !kj_member(a->report, "", root, "confirmation", json_type_object, true, &conf) ||
	    (conf && !kj_member(a->report, ".confirmation", conf, "passed",
				json_type_boolean, true, &v)))
		goto out;
	if (!kj_member(a->report, "", root, "source", json_type_string, true, &src))
		goto out;
	a->loupedb = src && !strcmp(json_object_get_string(src), "loupedb");
	a->has_confirmation = conf && v;
	a->confirmed = a->has_confirmation && json_object_get_boolean(v);
	n = json_object_array_length(arr);
	a->use = pl_calloc(n, sizeof(*a->use));
	if (!a->use)
		goto out;
	for (i = 0; i < n; i++) {
		if (!kj_syscall_entry(a->report, arr, i, &nr, &name, &c))
			goto out;
		snprintf(where, sizeof(where), ".syscalls[%zu]", i);
		idx = pl_sys_index(p, a, where, nr, name);
		if (idx < 0)
			goto out;
		for (j = 0; j < a->nuse; j++) {
			if (a->use[j].sys == (size_t)idx) {
				kj_err(a->report, where, "syscall %s listed twice", name);
				goto out;
			}
		}
		a->use[a->nuse++] = (struct pl_use){ (size_t)idx, c };
		if (c == KJ_REQUIRED)
			a->nrequired++;
	}
	ret = 0;
out:
	json_object_put(root);
	return ret;
}

/* A loupedb application (ldb_load) as a report. */
static int pl_read_loupedb(struct pl *p, struct pl_app *a, const struct ldb_app *l)
{
	enum kj_class c;
	ssize_t idx;
	char *name;
	int nr;

	a->step = -1;
	a->loupedb = true;
	a->label = strdup(l->name);
	a->use = pl_calloc(KB_NR_SYSCALLS, sizeof(*a->use));
	if (!a->label || !a->use) {
		kbctl_err("out of memory");
		return -1;
	}
	for (nr = 0; nr < KB_NR_SYSCALLS; nr++) {
		if (!l->sys[nr].used)
			continue;
		name = kb_syscall_name((uint32_t)nr);
		if (!name) {
			kbctl_err("out of memory");
			return -1;
		}
		idx = pl_sys_index(p, a, "", nr, name);
		free(name);
		if (idx < 0)
			return -1;
		for (c = 0; strcmp(ldb_class(&l->sys[nr]), kj_class_names[c]); c++)
			;
		a->use[a->nuse++] = (struct pl_use){ (size_t)idx, c };
		if (c == KJ_REQUIRED)
			a->nrequired++;
	}
	return 0;
}

/* Labels name apps uniquely: "sqlite3 (b/analysis.json)" when two are "sqlite3". */
static int pl_unique_labels(struct pl *p)
{
	size_t i, j, len;
	bool *dup = pl_calloc(p->napps, sizeof(*dup));
	char *l;

	if (!dup)
		return -1;
	for (i = 0; i < p->napps; i++)
		for (j = i + 1; j < p->napps; j++)
			if (!strcmp(p->apps[i].label, p->apps[j].label))
				dup[i] = dup[j] = true;
	for (i = 0; i < p->napps; i++) {
		if (!dup[i])
			continue;
		len = strlen(p->apps[i].label) + strlen(p->apps[i].report) + 4;
		l = malloc(len);
		if (!l) {
			kbctl_err("out of memory");
			free(dup);
			return -1;
		}
		snprintf(l, len, "%s (%s)", p->apps[i].label, p->apps[i].report);
		free(p->apps[i].label);
		p->apps[i].label = l;
	}
	free(dup);
	return 0;
}

static const struct pl *pl_sort_ctx;

static int pl_cmp_sys(const void *x, const void *y)
{
	const struct pl_sys *s = pl_sort_ctx->sys;

	return strcmp(s[*(const size_t *)x].name, s[*(const size_t *)y].name);
}

static int pl_cmp_app(const void *x, const void *y)
{
	const struct pl_app *a = pl_sort_ctx->apps;

	return strcmp(a[*(const size_t *)x].label, a[*(const size_t *)y].label);
}

static int pl_cmp_size(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	return a < b ? -1 : a > b;
}

/* @a's required syscalls not implemented yet, by index, ascending. */
static size_t pl_missing(const struct pl *p, const struct pl_app *a, size_t *out)
{
	size_t i, n = 0;

	for (i = 0; i < a->nuse; i++)
		if (a->use[i].cls == KJ_REQUIRED && !p->sys[a->use[i].sys].impl)
			out[n++] = a->use[i].sys;
	qsort(out, n, sizeof(*out), pl_cmp_size);
	return n;
}

/* @a becomes supported at @step: what its profile stubs and fakes then. */
static int pl_support(struct pl *p, struct pl_app *a, size_t step)
{
	size_t i;
	struct pl_use *u;

	a->step = (int)step;
	a->stub = pl_calloc(a->nuse, sizeof(*a->stub));
	a->fake = pl_calloc(a->nuse, sizeof(*a->fake));
	if (!a->stub || !a->fake)
		return -1;
	for (i = 0; i < a->nuse; i++) {
		u = &a->use[i];
		if (p->sys[u->sys].impl)
			continue;
		/* ENOSYS first: it is what an OS answers for what it lacks. */
		if (u->cls == KJ_STUB || u->cls == KJ_EITHER)
			a->stub[a->nstub++] = u->sys;
		else if (u->cls == KJ_FAKE)
			a->fake[a->nfake++] = u->sys;
	}
	pl_sort_ctx = p;
	qsort(a->stub, a->nstub, sizeof(*a->stub), pl_cmp_sys);
	qsort(a->fake, a->nfake, sizeof(*a->fake), pl_cmp_sys);
	return 0;
}

/* Supports, as step @k, the apps nothing missing; implements @impl first. */
static int pl_add_step(struct pl *p, const size_t *impl, size_t nimpl)
{
	struct pl_step *st;
	size_t i, k = p->nsteps, *tmp;

	if (pl_grow((void **)&p->steps, p->nsteps, sizeof(*p->steps)))
		return -1;
	st = &p->steps[p->nsteps++];
	memset(st, 0, sizeof(*st));
	st->impl = pl_calloc(nimpl, sizeof(*st->impl));
	st->apps = pl_calloc(p->napps, sizeof(*st->apps));
	tmp = pl_calloc(p->nsys, sizeof(*tmp));
	if (!st->impl || !st->apps || !tmp) {
		free(tmp);
		return -1;
	}
	for (i = 0; i < nimpl; i++) {
		p->sys[impl[i]].impl = true;
		st->impl[st->nimpl++] = impl[i];
	}
	for (i = 0; i < p->napps; i++) {
		if (p->apps[i].step >= 0 || pl_missing(p, &p->apps[i], tmp))
			continue;
		st->apps[st->napps++] = i;
	}
	free(tmp);
	/* Only now: an app's stubs depend on everything this step implements. */
	for (i = 0; i < st->napps; i++)
		if (pl_support(p, &p->apps[st->apps[i]], k))
			return -1;
	pl_sort_ctx = p;
	qsort(st->impl, st->nimpl, sizeof(*st->impl), pl_cmp_sys);
	qsort(st->apps, st->napps, sizeof(*st->apps), pl_cmp_app);
	st->cum_apps = (k ? p->steps[k - 1].cum_apps : 0) + st->napps;
	st->cum_impl = (k ? p->steps[k - 1].cum_impl : 0) + st->nimpl;
	return 0;
}

/*
 * The greedy order. Every candidate next step is the missing set of some
 * cheapest app (an app unlocked by a set of the minimum size needs all of
 * it), and unlocks exactly the apps with that same missing set; the one
 * unlocking the most wins, then the one whose first app by name comes
 * first (two different sets never share their apps, so this decides).
 */
static int pl_plan(struct pl *p)
{
	size_t *miss, *best = NULL, *cur, i, j, nbest = 0, best_count, count;
	size_t best_first, first, left = p->napps, min, *nmiss;
	size_t **sets;
	int ret = -1;

	for (i = 0; i < p->nsys; i++) {
		p->sys[i].impl = false;
		for (j = 0; j < p->nos; j++)
			if (p->os_nr[j] == p->sys[i].nr)
				p->sys[i].impl = p->sys[i].os = true;
	}
	miss = pl_calloc(p->nsys, sizeof(*miss));
	nmiss = pl_calloc(p->napps, sizeof(*nmiss));
	sets = pl_calloc(p->napps, sizeof(*sets));
	if (!miss || !nmiss || !sets)
		goto out;
	for (i = 0; i < p->napps; i++) {
		p->apps[i].nmissing = pl_missing(p, &p->apps[i], miss);
		sets[i] = pl_calloc(p->nsys, sizeof(**sets));
		if (!sets[i])
			goto out;
	}
	/* Step 0, even when empty: the plan starts from the OS as it is. */
	if (pl_add_step(p, NULL, 0))
		goto out;
	left -= p->steps[0].napps;
	while (left) {
		min = SIZE_MAX;
		for (i = 0; i < p->napps; i++) {
			if (p->apps[i].step >= 0)
				continue;
			nmiss[i] = pl_missing(p, &p->apps[i], sets[i]);
			if (nmiss[i] < min)
				min = nmiss[i];
		}
		best_count = 0;
		best_first = 0;
		for (i = 0; i < p->napps; i++) {
			if (p->apps[i].step >= 0 || nmiss[i] != min)
				continue;
			cur = sets[i];
			count = 0;
			first = i;
			for (j = 0; j < p->napps; j++) {
				if (p->apps[j].step >= 0 || nmiss[j] != min ||
				    memcmp(sets[j], cur, min * sizeof(*cur)))
					continue;
				count++;
				if (strcmp(p->apps[j].label, p->apps[first].label) < 0)
					first = j;
			}
			if (count > best_count ||
			    (count == best_count &&
			     strcmp(p->apps[first].label, p->apps[best_first].label) < 0)) {
				best = cur;
				nbest = min;
				best_count = count;
				best_first = first;
			}
		}
		/* Cannot happen (the cheapest app is a candidate): never loop. */
		if (!best_count) {
			kbctl_err("internal error: no step supports any of %zu apps left", left);
			goto out;
		}
		if (pl_add_step(p, best, nbest))
			goto out;
		if (p->steps[p->nsteps - 1].napps != best_count) {
			kbctl_err("internal error: step %zu supports %zu apps, not %zu",
				  p->nsteps - 1, p->steps[p->nsteps - 1].napps, best_count);
			goto out;
		}
		left -= best_count;
	}
	ret = 0;
out:
	if (sets)
		for (i = 0; i < p->napps; i++)
			free(sets[i]);
	free(sets);
	free(nmiss);
	free(miss);
	return ret;
}

/* In a step's union of stubs (@stub) or fakes: which apps want it so. */
static size_t pl_wanted_by(const struct pl *p, const struct pl_step *st,
			   size_t sys, bool stub, size_t *apps)
{
	const struct pl_app *a;
	size_t i, j, n = 0, nl;
	const size_t *l;

	for (i = 0; i < st->napps; i++) {
		a = &p->apps[st->apps[i]];
		l = stub ? a->stub : a->fake;
		nl = stub ? a->nstub : a->nfake;
		for (j = 0; j < nl && l[j] != sys; j++)
			;
		if (j < nl)
			apps[n++] = st->apps[i];
	}
	return n;
}

/* The union of the stubs (or fakes) of a step's apps, by name. */
static size_t pl_step_union(const struct pl *p, const struct pl_step *st,
			    bool stub, size_t *out, size_t *apps)
{
	size_t i, n = 0;

	for (i = 0; i < p->nsys; i++)
		if (pl_wanted_by(p, st, i, stub, apps))
			out[n++] = i;
	pl_sort_ctx = p;
	qsort(out, n, sizeof(*out), pl_cmp_sys);
	return n;
}

/* "HEAD item item ...", wrapped under the first item at 78 columns. */
struct pl_line {
	size_t col;
	bool any;
};

static void pl_line_start(struct pl_line *l, const char *head)
{
	l->col = (size_t)printf("  %-11s", head);
	l->any = false;
}

static void pl_line_item(struct pl_line *l, const char *sep, const char *item)
{
	size_t need = strlen(item) + (l->any ? strlen(sep) : 0);

	if (l->any && l->col + need > 78) {
		/* ", " ends the line as ",": the list goes on below. */
		printf("%.*s\n%13s", (int)strcspn(sep, " "), sep, "");
		l->col = 13;
	} else if (l->any) {
		l->col += (size_t)printf("%s", sep);
	}
	l->col += (size_t)printf("%s", item);
	l->any = true;
}

static void pl_line_end(struct pl_line *l)
{
	printf("%s\n", l->any ? "" : "-");
}

static int pl_print_text(const struct pl *p)
{
	const struct pl_step *st;
	struct pl_line l;
	size_t *u, *apps, i, k, n, m, j, len;
	char item[PATH_MAX + 64];
	int stub;

	u = pl_calloc(p->nsys, sizeof(*u));
	apps = pl_calloc(p->napps, sizeof(*apps));
	if (!u || !apps) {
		free(u);
		free(apps);
		return -1;
	}
	printf("%s: %zu syscall%s implemented; %zu app%s to support\n",
	       p->os_file, p->nos, p->nos == 1 ? "" : "s",
	       p->napps, p->napps == 1 ? "" : "s");
	for (k = 0; k < p->nsteps; k++) {
		st = &p->steps[k];
		printf("\nStep %zu%s: apps supported %zu/%zu (+%zu), syscalls implemented %zu (+%zu)\n",
		       k, k ? "" : " (the OS as it is)", st->cum_apps, p->napps,
		       st->napps, st->cum_impl, st->nimpl);
		if (k) {
			pl_line_start(&l, "implement:");
			for (i = 0; i < st->nimpl; i++)
				pl_line_item(&l, " ", p->sys[st->impl[i]].name);
			pl_line_end(&l);
		}
		pl_line_start(&l, "supported:");
		for (i = 0; i < st->napps; i++)
			pl_line_item(&l, ", ", p->apps[st->apps[i]].label);
		pl_line_end(&l);
		for (stub = 1; stub >= 0; stub--) {
			pl_line_start(&l, stub ? "stub:" : "fake:");
			n = pl_step_union(p, st, stub, u, apps);
			for (i = 0; i < n; i++) {
				/*
				 * Apps of one step may disagree (one works
				 * with the stub only, another with the fake
				 * only): then say which app wants which.
				 */
				m = pl_wanted_by(p, st, u[i], !stub, apps);
				if (!m) {
					pl_line_item(&l, " ", p->sys[u[i]].name);
					continue;
				}
				m = pl_wanted_by(p, st, u[i], stub, apps);
				len = (size_t)snprintf(item, sizeof(item), "%s(", p->sys[u[i]].name);
				for (j = 0; j < m && len < sizeof(item); j++)
					len += (size_t)snprintf(item + len, sizeof(item) - len, "%s%s",
							j ? "," : "", p->apps[apps[j]].label);
				if (len < sizeof(item) - 1)
					strcat(item, ")");
				pl_line_item(&l, " ", item);
			}
			pl_line_end(&l);
		}
	}
	st = &p->steps[p->nsteps - 1];
	printf("\nAll %zu app%s supported after %zu step%s, with %zu syscall%s implemented beyond %s's %zu.\n",
	       p->napps, p->napps == 1 ? "" : "s", p->nsteps - 1,
	       p->nsteps - 1 == 1 ? "" : "s", st->cum_impl,
	       st->cum_impl == 1 ? "" : "s", p->os_file, p->nos);
	free(u);
	free(apps);
	return 0;
}

static struct json_object *pl_json_names(const struct pl *p, const size_t *l, size_t n)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; arr && i < n; i++) {
		if (json_object_array_add(arr, json_object_new_string(p->sys[l[i]].name))) {
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

static struct json_object *pl_json_app_labels(const struct pl *p, const size_t *l, size_t n)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; arr && i < n; i++) {
		if (json_object_array_add(arr, json_object_new_string(p->apps[l[i]].label))) {
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

static struct json_object *pl_json_step(const struct pl *p, size_t k, size_t *u,
					size_t *apps)
{
	const struct pl_step *st = &p->steps[k];
	const struct pl_app *a;
	struct json_object *o = json_object_new_object(), *arr, *x;
	bool ok;
	size_t i;

	if (!o)
		return NULL;
	ok = kb_json_add(o, "step", json_object_new_int64((int64_t)k)) &&
	     kb_json_add(o, "implement", pl_json_names(p, st->impl, st->nimpl)) &&
	     kb_json_add(o, "apps", pl_json_app_labels(p, st->apps, st->napps)) &&
	     kb_json_add(o, "stub", pl_json_names(p, u, pl_step_union(p, st, true, u, apps))) &&
	     kb_json_add(o, "fake", pl_json_names(p, u, pl_step_union(p, st, false, u, apps))) &&
	     kb_json_add(o, "apps_supported", json_object_new_int64((int64_t)st->cum_apps)) &&
	     kb_json_add(o, "syscalls_implemented", json_object_new_int64((int64_t)st->cum_impl));
	arr = ok ? json_object_new_array() : NULL;
	ok = kb_json_add(o, "profiles", arr);
	for (i = 0; ok && i < st->napps; i++) {
		a = &p->apps[st->apps[i]];
		x = json_object_new_object();
		ok = x && !json_object_array_add(arr, x) &&
		     kb_json_add(x, "app", json_object_new_string(a->label)) &&
		     kb_json_add(x, "stub", pl_json_names(p, a->stub, a->nstub)) &&
		     kb_json_add(x, "fake", pl_json_names(p, a->fake, a->nfake));
	}
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int pl_print_json(const struct pl *p)
{
	struct json_object *root = json_object_new_object(), *o, *arr;
	const struct pl_app *a;
	size_t *u, *apps, i;
	bool ok;

	u = pl_calloc(p->nsys, sizeof(*u));
	apps = pl_calloc(p->napps, sizeof(*apps));
	o = json_object_new_object();
	ok = root && u && apps && kb_json_add(root, "os", o) &&
	     kb_json_add(o, "file", json_object_new_string(p->os_file)) &&
	     kb_json_add(o, "syscalls", json_object_new_int64((int64_t)p->nos));
	arr = ok ? json_object_new_array() : NULL;
	ok = ok && kb_json_add(root, "apps", arr);
	for (i = 0; ok && i < p->napps; i++) {
		a = &p->apps[i];
		o = json_object_new_object();
		ok = o && !json_object_array_add(arr, o) &&
		     kb_json_add(o, "name", json_object_new_string(a->label)) &&
		     kb_json_add(o, "report", json_object_new_string(a->report)) &&
		     kb_json_add(o, "confirmed", json_object_new_boolean(a->confirmed)) &&
		     kb_json_add(o, "required", json_object_new_int64((int64_t)a->nrequired)) &&
		     kb_json_add(o, "missing", json_object_new_int64((int64_t)a->nmissing)) &&
		     kb_json_add(o, "step", json_object_new_int(a->step));
	}
	arr = ok ? json_object_new_array() : NULL;
	ok = ok && kb_json_add(root, "steps", arr);
	for (i = 0; ok && i < p->nsteps; i++) {
		o = pl_json_step(p, i, u, apps);
		ok = o && !json_object_array_add(arr, o);
	}
	ok = ok && kb_json_add(root, "syscalls_implemented",
			       json_object_new_int64((int64_t)p->steps[p->nsteps - 1].cum_impl));
	if (ok)
		ok = puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
				JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)) >= 0;
	else
		kbctl_err("out of memory");
	json_object_put(root);
	free(u);
	free(apps);
	return ok ? 0 : -1;
}

/*
 * One app, from report @path or loupedb application @l (then @path is
 * the argument it came from), appended to p->apps. 0, or -1 said.
 */
static int pl_add_app(struct pl *p, const char *path, const struct ldb_app *l)
{
	struct pl_app *a;
	size_t j;

	if (pl_grow((void **)&p->apps, p->napps, sizeof(*p->apps)))
		return -1;
	a = &p->apps[p->napps++];
	memset(a, 0, sizeof(*a));
	a->report = path;
	if (l) {
		a->report = a->report_own = strdup(l->path);
		if (!a->report) {
			kbctl_err("out of memory");
			return -1;
		}
	}
	a->real = realpath(a->report, NULL);
	for (j = 0; a->real && j + 1 < p->napps; j++) {
		if (p->apps[j].real && !strcmp(p->apps[j].real, a->real)) {
			kbctl_err("%s: given twice", a->report);
			return -1;
		}
	}
	if (l ? pl_read_loupedb(p, a, l) : pl_read_report(p, a))
		return -1;
	/* Loupe's runs end with their own check of the whole set. */
	if (a->loupedb)
		return 0;
	if (!a->has_confirmation)
		fprintf(stderr, "kbctl plan: warning: %s: no confirmation in the report; %s planned anyway\n",
			a->report, a->label);
	else if (!a->confirmed)
		fprintf(stderr, "kbctl plan: warning: %s: the analysis's confirmation did not pass (%s's stubs and fakes may not work together); planned anyway\n",
			a->report, a->label);
	return 0;
}

/* REPORT @path: an analysis.json, or a loupedb directory (all its apps). */
static int pl_add_report(struct pl *p, const char *path)
{
	struct ldb_app *l = NULL;
	size_t nl = 0, k;
	int ret = 0;

	if (!ldb_is_dir(path))
		return pl_add_app(p, path, NULL);
	if (ldb_load(path, &l, &nl))
		ret = -1;
	for (k = 0; !ret && k < nl; k++)
		ret = pl_add_app(p, path, &l[k]);
	ldb_free(l, nl);
	return ret;
}

enum { OPT_OS = 0x100, OPT_JSON };

static const struct argp_option pl_options[] = {
	{ "os", OPT_OS, "FILE", 0,
	  "The syscalls the OS already implements, one name per line ('#' "
	  "comments; /dev/null: none), such as loupedb's OS.syscalls. Required", 0 },
	{ "json", OPT_JSON, NULL, 0, "The plan as JSON on stdout", 0 },
	{ 0 }
};

static error_t pl_parse(int key, char *arg, struct argp_state *state)
{
	struct pl_opts *o = state->input;

	switch (key) {
	case OPT_OS:
		o->os = arg;
		break;
	case OPT_JSON:
		o->json = true;
		break;
	case ARGP_KEY_ARGS:
		o->reports = state->argv + state->next;
		o->nreports = state->argc - state->next;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (!o->os)
			argp_error(state, "no --os FILE given");
		if (!o->nreports)
			argp_error(state, "no REPORT given");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void pl_free(struct pl *p)
{
	size_t i;

	for (i = 0; i < p->napps; i++) {
		free(p->apps[i].label);
		free(p->apps[i].report_own);
		free(p->apps[i].real);
		free(p->apps[i].use);
		free(p->apps[i].stub);
		free(p->apps[i].fake);
	}
	for (i = 0; i < p->nsys; i++)
		free(p->sys[i].name);
	for (i = 0; i < p->nsteps; i++) {
		free(p->steps[i].impl);
		free(p->steps[i].apps);
	}
	free(p->apps);
	free(p->sys);
	free(p->steps);
	free(p->os_nr);
}

int kbctl_plan(int argc, char **argv)
{
	static const struct argp argp = {
		pl_options, pl_parse, "--os FILE REPORT|LOUPEDB...",
		"Plan the order in which an OS should implement syscalls to "
		"support applications, from their kbctl analyze reports "
		"(analysis.json, or kbctl loupedb import's APP.json) or from "
		"Loupe's database (a REPORT that is a directory: a loupedb "
		"checkout, an application or a run): at each step the fewest syscalls that make "
		"some application work, with what its profile must stub "
		"(ENOSYS) or fake (0) meanwhile. Step 0 lists the applications "
		"the OS supports as it is.\v"
		"A report whose confirmation run did not pass is planned anyway, "
		"with a warning on stderr. Ties between steps: the one that "
		"supports more applications, then the one whose first "
		"application by name comes first.\n\n"
		"EXAMPLE:\n"
		"  kbctl analyze --app /usr/bin/sqlite3 -o sq -- ./sqlite3.sh\n"
		"  kbctl analyze --app /usr/bin/redis-server -o redis -- ./redis.sh\n"
		"  kbctl plan --os myos.txt sq/analysis.json redis/analysis.json\n"
		"  kbctl plan --os ~/loupedb/Kerla.syscalls ~/loupedb sq/analysis.json",
		NULL, NULL, NULL
	};
	struct pl_opts o = { 0 };
	struct pl p = { 0 };
	int i, ret = KBCTL_EXIT_FAIL;

	argp_parse(&argp, argc, argv, 0, NULL, &o);
	p.os_file = o.os;
	if (pl_read_os(&p, o.os))
		goto out;
	for (i = 0; i < o.nreports; i++)
		if (pl_add_report(&p, o.reports[i]))
			goto out;
	if (pl_unique_labels(&p) || pl_plan(&p))
		goto out;
	if (o.json ? pl_print_json(&p) : pl_print_text(&p))
		goto out;
	if (fflush(stdout)) {
		kbctl_err("stdout: %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	pl_free(&p);
	return ret;
}
