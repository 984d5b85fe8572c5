// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl analyze: what the application uses below the syscall level.
 *
 * Commands: a syscall with an enumerated key (ioctl cmd, prctl option,
 * arch_prctl code, prlimit64 resource...) gets "NAME partial pass" and a
 * "NAME when KEY=VALUE pass" line per value kbridge knows; the report's
 * hits per profile line name the values used. One run.
 *
 * Pseudo-files: a syscall with a path argument gets, per candidate path
 * P, "NAME when path=P pass" (exact) and "NAME when path=P/STAR pass",
 * STAR being '*' (the files below: a glob's '*' crosses '/'). The first run's candidates are
 * /proc, /sys and /dev; a prefix with hits has its directory listed, on
 * this machine, for the next run's candidates, until no prefix has hits
 * (or AN_DEPTH runs). Every exact path with hits is a pseudo-file the
 * application opened, stat'ed, read the link of... /proc/PID (numbers)
 * is not followed: its name changes with every run.
 *
 * Either way the rules pass every call: the discovery runs change nothing
 * for the application (calls with path rules take the SIGSYS path).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kbctl.h"
#include "analyze.h"
#include "../../lib/consts.h"

#define AN_DEPTH	10
/* Profile lines per run, within the kernel's 2048 entries. */
#define AN_MAX_LINES	1800

static const char *const an_roots[] = { "/proc", "/sys", "/dev" };

/* A line of a discovery profile. */
struct an_line {
	uint32_t whole;		/* the syscall's item */
	char cond[256];		/* "cmd=TCGETS", "path=/proc/self/maps" */
	bool prefix;		/* path=P/STAR: the files below P */
	unsigned int line;
	uint64_t hits;
};

struct an_disc {
	struct an *a;
	struct an_line *l;
	size_t n, cap;
	char *text;
	size_t len, tcap;
	unsigned int line;
	int last_whole;		/* the syscall whose lines come now */
};

static int an_emit(struct an_disc *d, const char *fmt, const char *s1,
		   const char *s2)
{
	size_t need = strlen(fmt) + strlen(s1) + strlen(s2) + 1;
	char *nt;

	if (d->tcap - d->len < need) {
		nt = realloc(d->text, d->tcap + need + 65536);
		if (!nt)
			return -1;
		d->text = nt;
		d->tcap += need + 65536;
	}
	d->len += snprintf(d->text + d->len, d->tcap - d->len, fmt, s1, s2);
	d->line++;
	return 0;
}

/* A passing rule of syscall item @whole under @cond. */
static int an_add_line(struct an_disc *d, uint32_t whole, const char *cond,
		       bool prefix)
{
	struct an_line *nl;
	const char *name = d->a->sys[whole].name;

	if (d->last_whole != (int)whole) {
		if (an_emit(d, "%s partial pass%s\n", name, ""))
			return -1;
		d->a->sys[whole].line = d->line;
		d->last_whole = (int)whole;
	}
	if (d->n == d->cap) {
		nl = reallocarray(d->l, d->cap + 256, sizeof(*nl));
		if (!nl)
			return -1;
		d->l = nl;
		d->cap += 256;
	}
	nl = &d->l[d->n];
	memset(nl, 0, sizeof(*nl));
	nl->whole = whole;
	nl->prefix = prefix;
	snprintf(nl->cond, sizeof(nl->cond), "%s%s", cond, prefix ? "/*" : "");
	if (an_emit(d, "%s when %s pass\n", name, nl->cond))
		return -1;
	nl->line = d->line;
	d->n++;
	return 0;
}

static void an_take_hits(void *ctx, uint32_t nr, int line, uint64_t hits)
{
	struct an_disc *d = ctx;
	uint32_t i;
	size_t k;

	if (!line)
		return;
	for (k = 0; k < d->n; k++) {
		if (d->l[k].line == (unsigned int)line &&
		    d->a->sys[d->l[k].whole].nr == nr) {
			d->l[k].hits = hits;
			return;
		}
	}
	/* A "NAME partial pass" line: the calls no value matched. */
	for (i = 0; i < d->a->nwhole; i++)
		if (d->a->sys[i].nr == nr && d->a->sys[i].discovered &&
		    (int)d->a->sys[i].line == line)
			d->a->sys[i].other = hits;
}

static int an_add_item(struct an *a, const struct an_line *l)
{
	struct an_sys *ns = reallocarray(a->sys, a->nsys + 1, sizeof(*ns));
	struct an_sys *x;

	if (!ns)
		return -1;
	a->sys = ns;
	x = &a->sys[a->nsys++];
	memset(x, 0, sizeof(*x));
	x->nr = a->sys[l->whole].nr;
	memcpy(x->name, a->sys[l->whole].name, sizeof(x->name));
	snprintf(x->cond, sizeof(x->cond), "%s", l->cond);
	x->count = l->hits;
	x->v[AN_STUB].ok = x->v[AN_FAKE].ok = -1;
	return 0;
}

/* Run the profile built in @d as discovery run @id; 1 passed, 0, -1. */
static int an_disc_run(struct an_disc *d, const char *id)
{
	char run[64], again[48];
	struct an_metrics m;
	size_t k;
	int ok;

	/* The rules pass every call: one run says what is used. */
	ok = an_run_replicas(d->a, id, d->text, id, 1, &m);
	if (!ok) {
		/*
		 * Rules that change nothing: the failure is the machine's (a
		 * loaded one slowed a server past its wait), and one more run
		 * tells. Without it, all this discovery would find is lost.
		 */
		snprintf(again, sizeof(again), "%s-again", id);
		fprintf(stderr, "kbctl analyze: %s failed under rules that change nothing: once more\n",
			id);
		id = again;
		ok = an_run_replicas(d->a, id, d->text, id, 1, &m);
	}
	if (ok != 1) {
		if (!ok)
			fprintf(stderr, "kbctl analyze: the workload fails under the passing rules of %s (see %s/runs/%s-r1.err): what it found is not analyzed\n",
				id, d->a->o.out, id);
		return ok;
	}
	for (k = 0; k < d->n; k++)
		d->l[k].hits = 0;
	snprintf(run, sizeof(run), "%s-r1", id);
	if (an_report_walk(d->a, run, an_take_hits, d)) {
		kbctl_err("%s/runs/%s-r1.json: no report", d->a->o.out, id);
		return -1;
	}
	return 1;
}

static void an_disc_reset(struct an_disc *d, const char *title)
{
	d->n = 0;
	d->len = 0;
	d->line = 0;
	d->last_whole = -1;
	an_emit(d, "# kbctl analyze: %s%s\n", title, "");
}

static int an_commands(struct an_disc *d)
{
	struct an *a = d->a;
	const struct kb_argkey *ak;
	const struct kb_const *tab;
	unsigned int nconst, c, e;
	char cond[256];
	uint32_t i;
	size_t k;
	int ok;

	an_disc_reset(d, "which commands");
	for (i = 0; i < a->nwhole; i++) {
		ak = kb_argkey_enum((int)a->sys[i].nr);
		if (!ak || !(tab = kb_const_table(ak->cls, &nconst)))
			continue;
		a->sys[i].discovered = true;
		for (c = 0; c < nconst; c++) {
			/* An alias of a value already there would never match. */
			for (e = 0; e < c && tab[e].value != tab[c].value; e++)
				;
			if (e < c)
				continue;
			snprintf(cond, sizeof(cond), "%s=%s", ak->key, tab[c].name);
			if (an_add_line(d, i, cond, false))
				return -1;
		}
	}
	if (!d->n)
		return 0;
	ok = an_disc_run(d, "discover-commands");
	if (ok <= 0) {
		for (i = 0; i < a->nwhole; i++)
			a->sys[i].discovered = false;
		return ok;
	}
	for (k = 0; k < d->n; k++)
		if (d->l[k].hits && an_add_item(a, &d->l[k]))
			return -1;
	return 0;
}

/* Can @name be part of a glob that matches it, and only it? */
static bool an_plain_name(const char *name)
{
	for (; *name; name++)
		if (strchr("*?[]\\", *name) || isspace((unsigned char)*name))
			return false;
	return true;
}

/* The next candidates: what is in the directories whose files had hits. */
static int an_expand(struct an_disc *d, struct an_line *prev, size_t nprev,
		     size_t *dropped)
{
	char dir[PATH_MAX], cond[PATH_MAX + 8];
	struct dirent *de;
	size_t k, plen;
	DIR *dp;

	an_disc_reset(d, "which pseudo-files");
	for (k = 0; k < nprev; k++) {
		if (!prev[k].prefix || !prev[k].hits)
			continue;
		/* "path=P/STAR" -> P */
		plen = strlen(prev[k].cond) - strlen("path=") - 2;
		snprintf(dir, sizeof(dir), "%.*s", (int)plen,
			 prev[k].cond + strlen("path="));
		dp = opendir(dir);
		if (!dp)
			continue;
		while ((de = readdir(dp))) {
			if (de->d_name[0] == '.' && (!de->d_name[1] ||
			    (de->d_name[1] == '.' && !de->d_name[2])))
				continue;
			if ((!strcmp(dir, "/proc") &&
			     isdigit((unsigned char)de->d_name[0])) ||
			    !an_plain_name(de->d_name))
				continue;
			if (d->line + 3 > AN_MAX_LINES ||
			    strlen(dir) + strlen(de->d_name) + 9 >
			    sizeof(d->l[0].cond)) {
				(*dropped)++;
				continue;
			}
			snprintf(cond, sizeof(cond), "path=%s/%s", dir,
				 de->d_name);
			if (an_add_line(d, prev[k].whole, cond, false) ||
			    an_add_line(d, prev[k].whole, cond, true)) {
				closedir(dp);
				return -1;
			}
		}
		closedir(dp);
	}
	return 0;
}

static int an_paths(struct an_disc *d)
{
	struct an *a = d->a;
	struct an_line *prev = NULL;
	size_t k, nprev = 0, dropped = 0;
	char cond[64], id[32];
	unsigned int depth;
	uint32_t i;
	int ok = 1;

	an_disc_reset(d, "which pseudo-files");
	for (i = 0; i < a->nwhole; i++) {
		if (kb_path_arg((int)a->sys[i].nr) < 0)
			continue;
		for (k = 0; k < sizeof(an_roots) / sizeof(an_roots[0]); k++) {
			snprintf(cond, sizeof(cond), "path=%s", an_roots[k]);
			if (an_add_line(d, i, cond, false) ||
			    an_add_line(d, i, cond, true))
				return -1;
		}
	}
	for (depth = 1; d->n && depth <= AN_DEPTH; depth++) {
		snprintf(id, sizeof(id), "discover-paths%u", depth);
		ok = an_disc_run(d, id);
		if (ok <= 0)
			break;
		for (k = 0; k < d->n; k++)
			if (!d->l[k].prefix && d->l[k].hits &&
			    an_add_item(a, &d->l[k])) {
				ok = -1;
				break;
			}
		if (ok < 0)
			break;
		/* This run's lines are the next one's parents. */
		free(prev);
		prev = d->l;
		nprev = d->n;
		d->l = NULL;
		d->n = d->cap = 0;
		if (an_expand(d, prev, nprev, &dropped)) {
			ok = -1;
			break;
		}
	}
	if (dropped)
		fprintf(stderr, "kbctl analyze: %zu paths left out of the discovery (more than %u rules, or too long)\n",
			dropped, AN_MAX_LINES);
	free(prev);
	return ok < 0 ? -1 : 0;
}

int an_discover(struct an *a)
{
	struct an_disc d = { .a = a };
	int err;

	err = an_commands(&d);
	if (!err)
		err = an_paths(&d);
	free(d.l);
	free(d.text);
	return err < 0 ? -1 : 0;
}
