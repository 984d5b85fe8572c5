// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl analyze: what it found, written as analysis.json (the schema is
 * in docs/analyze.md), analysis.csv, analysis.md and generated.profile.
 *
 * Side effects: a stub or fake under which the workload still passes may
 * change its figure, the application's peak memory or its open fds (faking
 * close keeps every fd open). Such a change is flagged when it is outside
 * the noise of all the passing runs of the analysis (most stubs and fakes
 * change nothing, so they are the best sample of it, and one that drifts
 * with the machine's load): further from their median than four times
 * their spread (1.4826 x the median absolute deviation), and than 10 %
 * (plus 2 fds or 1 MiB, below which a difference is not worth a line).
 * Until AN_MIN_POP runs have passed, nothing is flagged. A syscall settled in a group
 * shares the group's figures; its flags say so.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kbctl.h"
#include "analyze.h"
#include "../../lib/json.h"
#include "jsonin.h"

char *an_profile(struct an *a, const struct an_config *c)
{
	size_t cap = 64 + (size_t)c->n * 192, len = 0;
	char *text = malloc(cap);
	bool *done = calloc(c->n ? c->n : 1, sizeof(*done));
	unsigned int line = 1;
	struct an_sys *x, *y;
	uint32_t i, j;
	int mode;

	if (!text || !done) {
		free(text);
		free(done);
		return NULL;
	}
	/* A line of an earlier profile must not be taken for one of this. */
	for (i = 0; i < a->nsys; i++)
		a->sys[i].line = 0;
	len += snprintf(text + len, cap - len, "# kbctl analyze\n");
	for (i = 0; i < c->n; i++) {
		x = &a->sys[c->idx[i]];
		if (x->cond[0])
			continue;
		len += snprintf(text + len, cap - len, "%s %s\n", x->name,
				an_mode_names[c->modes ? c->modes[i] :
					      (int)c->mode]);
		x->line = ++line;
	}
	/* Sub-features: their syscall is partial, what they name not. */
	for (i = 0; i < c->n; i++) {
		x = &a->sys[c->idx[i]];
		if (!x->cond[0] || done[i])
			continue;
		len += snprintf(text + len, cap - len, "%s partial pass\n",
				x->name);
		line++;
		for (j = i; j < c->n; j++) {
			y = &a->sys[c->idx[j]];
			if (!y->cond[0] || y->nr != x->nr)
				continue;
			mode = c->modes ? c->modes[j] : (int)c->mode;
			/* A pseudo-file stubbed is a file that is not there. */
			len += snprintf(text + len, cap - len, "%s when %s %s%s\n",
					y->name, y->cond, an_mode_names[mode],
					mode == AN_STUB &&
					!strncmp(y->cond, "path=", 5) ?
					" ENOENT" : "");
			y->line = ++line;
			done[j] = true;
		}
	}
	free(done);
	return text;
}

const char *an_class(const struct an_sys *x)
{
	if (x->v[AN_STUB].ok < 0 && x->v[AN_FAKE].ok < 0)
		return "untested";
	if (x->v[AN_STUB].ok == 1 && x->v[AN_FAKE].ok == 1)
		return "either";
	if (x->v[AN_STUB].ok == 1)
		return "stub";
	if (x->v[AN_FAKE].ok == 1)
		return "fake";
	return "required";
}

enum an_metric { AN_FIGURE, AN_RSS, AN_FDS, AN_NMETRICS };
static const char *const an_metric_names[] = { "figure", "rss", "fds" };

static bool an_value(const struct an_metrics *m, enum an_metric k, double *v)
{
	switch (k) {
	case AN_FIGURE:
		*v = m->figure;
		return m->has_figure;
	case AN_RSS:
		*v = (double)m->rss_kb;
		return m->rss_kb > 0;
	default:
		*v = m->fds;
		return m->fds > 0;
	}
}

static int an_cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* The median of @v (@n, sorted in place). */
static double an_median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), an_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * Is @m's metric @k outside the noise of the passing runs? Then @buf
 * says by how much ("fds x8.00", "rss +19%").
 */
static bool an_outside(const struct an *a, const struct an_metrics *m,
		       enum an_metric k, char *buf, size_t len)
{
	static const double floor_abs[] = { 0, 1024, 2 };
	double v, mean, tol, mad, *val;
	unsigned int i, n = 0;

	if (!an_value(m, k, &v) || a->npop < AN_MIN_POP)
		return false;
	val = malloc(a->npop * sizeof(*val));
	if (!val)
		return false;
	for (i = 0; i < a->npop; i++)
		if (an_value(&a->pop[i], k, &val[n]))
			n++;
	if (n < AN_MIN_POP) {
		free(val);
		return false;
	}
	mean = an_median(val, n);
	for (i = 0; i < n; i++)
		val[i] = fabs(val[i] - mean);
	/* 1.4826 MAD: the standard deviation, were the noise normal. */
	mad = 1.4826 * an_median(val, n);
	free(val);
	tol = fmax(4 * mad, fmax(0.10 * fabs(mean), floor_abs[k]));
	if (fabs(v - mean) <= tol)
		return false;
	if (mean > 0 && (v / mean >= 2 || v / mean <= 0.5))
		snprintf(buf, len, "%s x%.2f", an_metric_names[k], v / mean);
	else if (mean > 0)
		snprintf(buf, len, "%s %+.0f%%", an_metric_names[k],
			 100 * (v - mean) / mean);
	else
		snprintf(buf, len, "%s %.0f (typically %.0f)",
			 an_metric_names[k], v, mean);
	return true;
}

bool an_effects(const struct an *a, const struct an_metrics *m)
{
	char buf[96];
	int k;

	for (k = 0; k < AN_NMETRICS; k++)
		if (an_outside(a, m, k, buf, sizeof(buf)))
			return true;
	return false;
}

static struct json_object *an_metrics_json(const struct an_metrics *m)
{
	struct json_object *o = json_object_new_object();

	kb_json_add(o, "seconds", json_object_new_double(m->secs));
	kb_json_add(o, "figure", m->has_figure ?
		    json_object_new_double(m->figure) : NULL);
	kb_json_add(o, "peak_rss_kb", json_object_new_uint64(m->rss_kb));
	kb_json_add(o, "peak_fds", json_object_new_int((int)m->fds));
	return o;
}

/* The flags of @x in @mode, as a JSON array (empty when none). */
static struct json_object *an_flags(const struct an *a, const struct an_sys *x,
				    enum an_mode mode, char *text, size_t len)
{
	struct json_object *arr = json_object_new_array();
	size_t off = 0;
	char buf[96];
	int k;

	if (text)
		text[0] = '\0';
	if (x->v[mode].ok != 1)
		return arr;
	for (k = 0; k < AN_NMETRICS; k++) {
		if (!an_outside(a, &x->v[mode].m, k, buf, sizeof(buf)))
			continue;
		json_object_array_add(arr, json_object_new_string(buf));
		if (text && off < len)
			off += snprintf(text + off, len - off, "%s%s",
					off ? ", " : "", buf);
	}
	if (text && off && x->v[mode].group > 1 && off < len)
		snprintf(text + off, len - off, " (with %u others in force)",
			 x->v[mode].group - 1);
	return arr;
}

/* analysis.csv: one line per syscall, for spreadsheets and scripts. */
static int an_csv(const struct an *a)
{
	char path[PATH_MAX + 32];
	uint32_t i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/analysis.csv", a->o.out);
	f = fopen(path, "w");
	if (!f) {
		kbctl_err("%s: %s", path, strerror(errno));
		return -1;
	}
	/* A sub-feature's line has its condition: "16,ioctl,...,cmd=TCGETS". */
	fprintf(f, "nr,name,count,stub,fake,class,feature\n");
	for (i = 0; i < a->nsys; i++)
		fprintf(f, "%u,%s,%llu,%d,%d,%s,%s\n", a->sys[i].nr, a->sys[i].name,
			(unsigned long long)a->sys[i].count,
			a->sys[i].v[AN_STUB].ok == 1, a->sys[i].v[AN_FAKE].ok == 1,
			an_class(&a->sys[i]), a->sys[i].cond);
	if (fclose(f)) {
		kbctl_err("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void an_md_metrics(FILE *f, const char *what,
			  const struct an_metrics *m)
{
	fprintf(f, "| %s | %.2f | ", what, m->secs);
	if (m->has_figure)
		fprintf(f, "%g", m->figure);
	fprintf(f, " | %llu | %u |\n", (unsigned long long)m->rss_kb, m->fds);
}

static bool an_is_file(const struct an_sys *x)
{
	return !strncmp(x->cond, "path=", 5);
}

/*
 * The commands of the syscalls that use them: of those that cannot be
 * stubbed whole, which commands can.
 */
static void an_md_features(const struct an *a, FILE *f)
{
	uint32_t i, j;

	fprintf(f, "\n## Commands (ioctl requests, fcntl commands, prctl options...)\n\n");
	for (i = 0; i < a->nwhole && !a->sys[i].discovered; i++)
		;
	if (i == a->nwhole) {
		fprintf(f, "None used.\n");
		return;
	}
	fprintf(f, "| syscall | command | calls | class |\n|---|---|---|---|\n");
	for (i = 0; i < a->nwhole; i++) {
		const struct an_sys *w = &a->sys[i];

		if (!w->discovered)
			continue;
		for (j = a->nwhole; j < a->nsys; j++)
			if (a->sys[j].nr == w->nr && !an_is_file(&a->sys[j]))
				fprintf(f, "| %s | %s | %llu | %s |\n", w->name,
					a->sys[j].cond,
					(unsigned long long)a->sys[j].count,
					!strcmp(an_class(&a->sys[j]), "untested") ?
					"(the syscall can be stubbed)" :
					an_class(&a->sys[j]));
		if (w->other)
			fprintf(f, "| %s | other values | %llu | not analyzed |\n",
				w->name, (unsigned long long)w->other);
	}
}

/* The pseudo-files (/proc, /sys, /dev) and what the app can do without. */
static void an_md_files(const struct an *a, FILE *f)
{
	uint32_t j, n = 0;

	fprintf(f, "\n## Pseudo-files (stub: the file is missing, ENOENT)\n\n");
	for (j = a->nwhole; j < a->nsys; j++) {
		const struct an_sys *x = &a->sys[j];

		if (!an_is_file(x))
			continue;
		if (!n++)
			fprintf(f, "| syscall | path | calls | class |\n|---|---|---|---|\n");
		fprintf(f, "| %s | %s | %llu | %s |\n", x->name, x->cond + 5,
			(unsigned long long)x->count,
			!strcmp(an_class(x), "untested") ?
			"(the syscall can be stubbed)" : an_class(x));
	}
	if (!n)
		fprintf(f, "None used.\n");
}

/*
 * The io_uring operations of the first baseline run's report (its
 * "io_uring" object, checked), a new reference; NULL when the report has
 * none (an older kblaunch) or it is malformed (said).
 */
static struct json_object *an_uring(const struct an *a)
{
	char path[PATH_MAX + 32], where[48];
	struct json_object *root, *u = NULL, *ops, *e, *v;
	const char *name;
	uint64_t count;
	size_t i;

	snprintf(path, sizeof(path), "%s/runs/baseline-r1.json", a->o.out);
	root = kj_load(path, NULL);
	if (!root)
		return NULL;
	if (!kj_member(path, "", root, "io_uring", json_type_object, true, &u) ||
	    !u ||
	    !kj_member(path, ".io_uring", u, "counted", json_type_boolean, false, &v) ||
	    !kj_member(path, ".io_uring", u, "ops", json_type_array, false, &ops))
		goto none;
	for (i = 0; i < json_object_array_length(ops); i++) {
		snprintf(where, sizeof(where), ".io_uring.ops[%zu]", i);
		if (!kj_object_at(path, ".io_uring.ops", ops, i, &e) ||
		    !kj_string(path, where, e, "name", 64, &name) ||
		    !kj_uint(path, where, e, "count", &count))
			goto none;
	}
	json_object_get(u);
	json_object_put(root);
	return u;
none:
	json_object_put(root);
	return NULL;
}

/*
 * io_uring operations: no syscall each, so no profile line can stub or
 * fake one; stubbing io_uring_setup (in the table above when the
 * application made it) is what tests whether it can do without.
 */
static void an_md_uring(const struct an *a, FILE *f)
{
	struct json_object *u = an_uring(a), *ops, *e, *v;
	size_t i;

	fprintf(f, "\n## io_uring operations (sub-features of io_uring_enter, first baseline run)\n\n");
	if (!u) {
		fprintf(f, "Not in the baseline report.\n");
		return;
	}
	json_object_object_get_ex(u, "counted", &v);
	if (!json_object_get_boolean(v)) {
		fprintf(f, "Not counted: %s.\n",
			json_object_object_get_ex(u, "why", &v) && v ?
			json_object_get_string(v) : "unknown");
		json_object_put(u);
		return;
	}
	json_object_object_get_ex(u, "ops", &ops);
	if (!json_object_array_length(ops))
		fprintf(f, "None submitted.\n");
	for (i = 0; i < json_object_array_length(ops); i++) {
		e = json_object_array_get_idx(ops, i);
		if (!i)
			fprintf(f, "| operation | submitted |\n|---|---|\n");
		json_object_object_get_ex(e, "name", &v);
		fprintf(f, "| %s | ", json_object_get_string(v));
		json_object_object_get_ex(e, "count", &v);
		fprintf(f, "%llu |\n", (unsigned long long)json_object_get_uint64(v));
	}
	json_object_put(u);
}

/* The runs by phase and by how they ended, in analysis.md. */
static void an_md_spent(const struct an *a, FILE *f)
{
	int k;

	fprintf(f, "\n## Where the runs went\n\n| phase | runs | seconds |\n|---|---|---|\n");
	for (k = 0; k < AN_NPHASES; k++)
		if (a->spent[k].runs)
			fprintf(f, "| %s | %u | %.1f |\n", an_phase_names[k],
				a->spent[k].runs, a->spent[k].secs);
	fprintf(f, "\n| ended | runs | seconds |\n|---|---|---|\n");
	for (k = 0; k < AN_NENDS; k++)
		if (a->ended[k].runs)
			fprintf(f, "| %s | %u | %.1f |\n", an_end_names[k],
				a->ended[k].runs, a->ended[k].secs);
}

/* {"NAME": {"runs": N, "seconds": S}} of @n tallies named by @names. */
static struct json_object *an_tallies_json(const struct an_tally *t,
					   const char *const *names, int n)
{
	struct json_object *o = json_object_new_object(), *e;
	int k;

	for (k = 0; k < n; k++) {
		e = json_object_new_object();
		kb_json_add(e, "runs", json_object_new_int((int)t[k].runs));
		kb_json_add(e, "seconds", json_object_new_double(t[k].secs));
		kb_json_add(o, names[k], e);
	}
	return o;
}

/* The step bounds the passing runs set (null: the start and no step). */
static struct json_object *an_steps_json(const struct an *a)
{
	struct json_object *arr = json_object_new_array(), *e;
	unsigned int k;

	for (k = 0; k < a->nsteps; k++) {
		e = json_object_new_object();
		json_object_object_add(e, "after", a->steps[k].after[0] ?
			    json_object_new_string(a->steps[k].after) : NULL);
		json_object_object_add(e, "longest_seconds",
				       a->steps[k].longest < 0 ? NULL :
			    json_object_new_double(a->steps[k].longest));
		json_object_array_add(arr, e);
	}
	return arr;
}

/* analysis.md: the summary a person reads, one section per class. */
static int an_markdown(const struct an *a, const uint32_t *counts,
		       const struct an_config *final, int passed,
		       const struct an_metrics *final_m, double wall)
{
	static const char *const classes[] = { "required", "stub", "fake",
					       "either" };
	static const char *const titles[] = {
		"Required (the workload fails when it is stubbed and when it is faked)",
		"Stub-able only (ENOSYS works, returning 0 does not)",
		"Fake-able only (returning 0 works, ENOSYS does not)",
		"Either (stubbed or faked, the workload passes)",
	};
	char path[PATH_MAX + 32], flags[512], what[64];
	uint32_t i, c, nflag = 0;
	unsigned int r;
	FILE *f;
	int k, m;

	snprintf(path, sizeof(path), "%s/analysis.md", a->o.out);
	f = fopen(path, "w");
	if (!f) {
		kbctl_err("%s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "# kbctl analyze\n\nApplication:");
	for (k = 0; k < a->o.napps; k++)
		fprintf(f, " `%s`", a->o.apps[k]);
	fprintf(f, "  \nWorkload:");
	for (k = 0; k < a->o.nwork; k++)
		fprintf(f, " `%s`", a->o.work[k]);
	fprintf(f, "\n\n%u syscalls made; %u required, %u stub-able only, %u fake-able only, %u either. %s method, %u replicas: %u workload runs (%u configurations) in %.1f s. The generated profile (%u entries) %s its confirmation run.\n",
		a->nwhole, counts[0], counts[1], counts[2], counts[3],
		a->o.exhaustive ? "Exhaustive" : "Group", a->o.replicas,
		a->runs, a->tests, wall, final->n,
		passed < 0 ? "was not given (--no-confirm)" :
		passed ? "passed" : "FAILED");
	fprintf(f, "\n%s\n", a->o.no_control ?
		"No control run (--no-control): nothing showed that the workload's check depends on the application." :
		"The control run, every syscall stubbed, failed, as it must: the workload's check depends on the application.");
	fprintf(f, "\n%s\n", a->o.vdso_keep ?
		"Time calls (clock_gettime, gettimeofday, time, getcpu) were answered by the vDSO (--vdso=keep): they are not in these results." :
		"The application ran without a vDSO (--vdso=hide): its time calls (clock_gettime, gettimeofday, time, getcpu) were syscalls, tested like the others, as an OS without a vDSO must serve them.");
	for (i = 0; i < a->ndropped; i++)
		fprintf(f, "%s`%s%s%s`%s", i ? ", " :
			"\nLeft out of the generated profile (each can go alone, not with all the others): ",
			a->sys[a->dropped[i]].name,
			a->sys[a->dropped[i]].cond[0] ? " " : "",
			a->sys[a->dropped[i]].cond,
			i + 1 == a->ndropped ? ".\n" : "");
	for (c = 0; c < 4; c++) {
		fprintf(f, "\n## %s: %u\n\n", titles[c], counts[c]);
		if (!counts[c])
			continue;
		fprintf(f, "| syscall | nr | calls |\n|---|---|---|\n");
		for (i = 0; i < a->nwhole; i++)
			if (!strcmp(an_class(&a->sys[i]), classes[c]))
				fprintf(f, "| %s | %u | %llu |\n", a->sys[i].name,
					a->sys[i].nr,
					(unsigned long long)a->sys[i].count);
	}
	an_md_features(a, f);
	an_md_files(a, f);
	an_md_uring(a, f);
	fprintf(f, "\n## Side effects outside run-to-run noise\n\n");
	for (i = 0; i < a->nsys; i++) {
		for (m = 0; m < AN_NMODES; m++) {
			json_object_put(an_flags(a, &a->sys[i], m, flags,
						 sizeof(flags)));
			if (!flags[0])
				continue;
			if (!nflag++)
				fprintf(f, "| syscall | mode | effect |\n|---|---|---|\n");
			fprintf(f, "| %s%s%s | %s | %s |\n", a->sys[i].name,
				a->sys[i].cond[0] ? " " : "", a->sys[i].cond,
				an_mode_names[m], flags);
		}
	}
	if (!nflag)
		fprintf(f, "None.\n");
	fprintf(f, "\n## Runs\n\n| run | seconds | figure | peak RSS (KiB) | peak fds |\n|---|---|---|---|---|\n");
	for (r = 0; r < a->nbase; r++) {
		snprintf(what, sizeof(what), "baseline %u", r + 1);
		an_md_metrics(f, what, &a->base[r]);
	}
	if (passed >= 0)
		an_md_metrics(f, "confirmation", final_m);
	an_md_spent(a, f);
	if (fclose(f)) {
		kbctl_err("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static struct json_object *an_verdict_json(const struct an *a,
					   const struct an_sys *x,
					   enum an_mode mode)
{
	const struct an_verdict *v = &x->v[mode];
	struct json_object *o;

	if (!v->test)
		return NULL;
	o = an_metrics_json(&v->m);
	kb_json_add(o, "test", json_object_new_int((int)v->test));
	kb_json_add(o, "group", json_object_new_int((int)v->group));
	kb_json_add(o, "flags", an_flags(a, x, mode, NULL, 0));
	return o;
}

int an_outputs(struct an *a, const struct an_config *final, int passed,
	       const struct an_metrics *final_m, double wall)
{
	struct json_object *root = json_object_new_object(), *arr, *o, *w, *feats;
	struct json_object *files;
	char path[PATH_MAX + 32], *text;
	uint32_t i, counts[4] = { 0 };
	int err = 0;

	arr = json_object_new_array();
	feats = json_object_new_array();
	files = json_object_new_array();
	for (i = 0; i < a->nsys; i++) {
		const struct an_sys *x = &a->sys[i];
		const char *c = an_class(x);

		if (i < a->nwhole)
			counts[!strcmp(c, "required") ? 0 : !strcmp(c, "stub") ? 1 :
			       !strcmp(c, "fake") ? 2 : 3]++;
		o = json_object_new_object();
		kb_json_add(o, "nr", json_object_new_int((int)x->nr));
		kb_json_add(o, "name", json_object_new_string(x->name));
		kb_json_add(o, "count", json_object_new_uint64(x->count));
		kb_json_add(o, "stub", json_object_new_boolean(x->v[AN_STUB].ok == 1));
		kb_json_add(o, "fake", json_object_new_boolean(x->v[AN_FAKE].ok == 1));
		kb_json_add(o, "class", json_object_new_string(c));
		kb_json_add(o, "stub_test", an_verdict_json(a, x, AN_STUB));
		kb_json_add(o, "fake_test", an_verdict_json(a, x, AN_FAKE));
		if (x->cond[0])
			kb_json_add(o, "condition", json_object_new_string(x->cond));
		if (x->discovered)
			kb_json_add(o, "other_values", json_object_new_uint64(x->other));
		json_object_array_add(i < a->nwhole ? arr :
				      an_is_file(x) ? files : feats, o);
	}
	w = json_object_new_array();
	for (i = 0; (int)i < a->o.nwork; i++)
		json_object_array_add(w, json_object_new_string(a->o.work[i]));
	kb_json_add(root, "workload", w);
	w = json_object_new_array();
	for (i = 0; (int)i < a->o.napps; i++)
		json_object_array_add(w, json_object_new_string(a->o.apps[i]));
	kb_json_add(root, "apps", w);
	kb_json_add(root, "method", json_object_new_string(
			a->o.exhaustive ? "exhaustive" : "groups"));
	kb_json_add(root, "vdso", json_object_new_string(
			a->o.vdso_keep ? "keep" : "hide"));
	kb_json_add(root, "replicas", json_object_new_int((int)a->o.replicas));
	kb_json_add(root, "jobs", json_object_new_int((int)a->o.jobs));
	kb_json_add(root, "runs", json_object_new_int((int)a->runs));
	kb_json_add(root, "resumed_runs", json_object_new_int((int)a->reused));
	kb_json_add(root, "tests", json_object_new_int((int)a->tests));
	kb_json_add(root, "wall_seconds", json_object_new_double(wall));
	kb_json_add(root, "early_end", json_object_new_boolean(!a->o.no_early_end));
	kb_json_add(root, "phases", an_tallies_json(a->spent, an_phase_names,
						    AN_NPHASES));
	kb_json_add(root, "ended", an_tallies_json(a->ended, an_end_names,
						   AN_NENDS));
	kb_json_add(root, "steps", an_steps_json(a));
	w = json_object_new_array();
	for (i = 0; i < a->nbase; i++)
		json_object_array_add(w, an_metrics_json(&a->base[i]));
	kb_json_add(root, "baseline", w);
	/* null: --no-control; a control that passed leaves no report */
	json_object_object_add(root, "control", a->o.no_control ? NULL :
			       json_object_new_string(a->controlled ?
						      "failed" : "passed"));
	o = json_object_new_object();
	kb_json_add(o, "required", json_object_new_int((int)counts[0]));
	kb_json_add(o, "stub", json_object_new_int((int)counts[1]));
	kb_json_add(o, "fake", json_object_new_int((int)counts[2]));
	kb_json_add(o, "either", json_object_new_int((int)counts[3]));
	kb_json_add(root, "classes", o);
	kb_json_add(root, "syscalls", arr);
	kb_json_add(root, "subfeatures", feats);
	kb_json_add(root, "pseudo_files", files);
	/* null: the baseline report had no io_uring object */
	json_object_object_add(root, "io_uring", an_uring(a));
	o = json_object_new_object();
	kb_json_add(o, "profile", json_object_new_string("generated.profile"));
	kb_json_add(o, "entries", json_object_new_int((int)final->n));
	/* null: --no-confirm, not tried */
	json_object_object_add(o, "passed", passed < 0 ? NULL :
			       json_object_new_boolean(passed));
	json_object_object_add(o, "metrics", passed < 0 ? NULL :
			       an_metrics_json(final_m));
	w = json_object_new_array();
	for (i = 0; i < a->ndropped; i++) {
		const struct an_sys *x = &a->sys[a->dropped[i]];
		struct json_object *d = json_object_new_object();

		kb_json_add(d, "name", json_object_new_string(x->name));
		if (x->cond[0])
			kb_json_add(d, "condition", json_object_new_string(x->cond));
		json_object_array_add(w, d);
	}
	kb_json_add(o, "dropped", w);
	kb_json_add(root, "confirmation", o);

	snprintf(path, sizeof(path), "%s/analysis.json", a->o.out);
	if (json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY |
				    JSON_C_TO_STRING_NOSLASHESCAPE)) {
		kbctl_err("%s: %s", path, json_util_get_last_err());
		err = -1;
	}
	json_object_put(root);
	text = an_profile(a, final);
	snprintf(path, sizeof(path), "%s/generated.profile", a->o.out);
	if (!text || an_write_file(path, text))
		err = -1;
	free(text);
	if (an_csv(a) || an_markdown(a, counts, final, passed, final_m, wall))
		err = -1;
	printf("%u syscalls: %u required, %u stub-able, %u fake-able, %u either; %u runs (%u tests) in %.1f s; %s/generated.profile %s\n",
	       a->nwhole, counts[0], counts[1], counts[2], counts[3], a->runs,
	       a->tests, wall, a->o.out, passed < 0 ? "is not confirmed (--no-confirm)" :
	       passed ? "passes" : "does NOT pass");
	return err;
}
