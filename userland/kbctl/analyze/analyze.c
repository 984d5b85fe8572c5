// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl analyze: which syscalls can an application, under a workload,
 * live without? Loupe's question, answered with kbridge's tiers.
 *
 * The workload (any command: it starts the application its own way and
 * exits 0 on success) runs under kblaunch --only APP, so that only the
 * application gets the policy under test. A baseline run lists the
 * syscalls the application makes (kblaunch's report counts its calls
 * only); then each is tried stubbed (ENOSYS) and faked (returning 0), and
 * a configuration counts as working only if every replica of the
 * workload succeeds (one failure is a failure: the remaining replicas of
 * a failing configuration are not run).
 *
 * --exhaustive is Loupe's method, one syscall per configuration. The
 * default puts many syscalls in force at once and reads in each run's
 * report which of them the application actually made: a run in which it
 * made only some of them is the run those alone would have given. So
 *  - a passing group settles the members that were made, and the others
 *    (not reached with the group in force: a stub elsewhere took the
 *    program down another path) are tried again;
 *  - a failing group in which one member was made settles that member as
 *    failing, the rest are tried again; with more made, they are split;
 * which needs far fewer runs than one per syscall, whatever the share of
 * required syscalls. What it cannot see is a member made but harmless
 * only because another member changed what its result means (faked
 * fcntl locks hide a faked unlink's stale journal from SQLite): the fake
 * mode therefore tries alone the syscalls that failed stubbed, the likely
 * failures, and groups only the rest. The syscalls that end a process are
 * always tried alone: with exit_group stubbed, a program's own failure
 * exit returns and it may go on to succeed.
 *
 * Output in DIR: analysis.json, analysis.csv, analysis.md,
 * generated.profile (for kblaunch --profile), and runs/ with every run's
 * profile, report, stdout, stderr and result.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kbctl.h"
#include "analyze.h"
#include "../../lib/names.h"

const char *const an_phase_names[AN_NPHASES] = {
	"baseline", "control", "discovery", "syscalls", "subfeatures", "replicas",
	"effects", "confirmation"
};

/*
 * Does the workload pass with @c in force, in every replica? Sets
 * a->sys[].called to what the application made in the runs that count.
 * 1 yes, 0 no, -1 error.
 */
static int an_test(struct an *a, const struct an_config *c, const char *what,
		   struct an_metrics *m)
{
	char prefix[32];
	char *text = an_profile(a, c);
	int ok;

	if (!text)
		return -1;
	a->tests++;
	snprintf(prefix, sizeof(prefix), "t%04u", a->tests);
	a->last_reps = c->replicas ? c->replicas : a->o.replicas;
	/* A stub or fake may stop the workload: its runs may end early. */
	a->early_end = true;
	ok = an_run_replicas(a, prefix, text, what, a->last_reps, m);
	a->early_end = false;
	free(text);
	return ok;
}

/* an_test() of @c, all in c->mode, named in progress lines. */
static int an_try(struct an *a, const struct an_config *c, const char *why,
		  struct an_metrics *m)
{
	const struct an_sys *x = &a->sys[c->idx[0]];
	char what[384];

	if (c->n == 1)
		snprintf(what, sizeof(what), "test %u, %s%s%s %s%s",
			 a->tests + 1, x->name, x->cond[0] ? " " : "", x->cond,
			 an_mode_names[c->mode], why);
	else
		snprintf(what, sizeof(what), "test %u, %u together %s%s",
			 a->tests + 1, c->n, an_mode_names[c->mode], why);
	return an_test(a, c, what, m);
}

/* One run of @i alone in @mode: is it the cause of a failure? */
static int an_try_once(struct an *a, uint32_t i, enum an_mode mode,
		       struct an_metrics *m)
{
	struct an_config cfg = { .idx = &i, .n = 1, .mode = mode,
				 .replicas = 1 };

	return an_try(a, &cfg, ", the likely cause", m);
}

static void an_settled(struct an *a, uint32_t i, enum an_mode mode, int ok,
		       uint32_t group, const struct an_metrics *m)
{
	struct an_verdict *v = &a->sys[i].v[mode];

	v->ok = ok;
	v->test = a->tests;
	v->group = group;
	v->m = *m;
	v->pending = ok == 1 && a->last_reps < a->o.replicas;
}

/* Put @g's members that were made first; how many they are. */
static uint32_t an_called_first(struct an *a, uint32_t *g, uint32_t n)
{
	uint32_t i, c = 0, t;

	for (i = 0; i < n; i++) {
		if (!a->sys[g[i]].called)
			continue;
		t = g[c];
		g[c++] = g[i];
		g[i] = t;
	}
	return c;
}

/*
 * Move to g[0] the member of @g (@n of them) that the last failing run
 * changed last (a->culprit), unless it was cleared in @mode already and
 * @skip_cleared: whether there was one.
 */
static bool an_culprit_first(const struct an *a, uint32_t *g, uint32_t n,
			     enum an_mode mode, bool skip_cleared)
{
	uint32_t i, x;

	for (i = 0; i < n; i++) {
		if ((int64_t)a->sys[g[i]].nr != a->culprit ||
		    (skip_cleared && a->sys[g[i]].cleared[mode]))
			continue;
		x = g[i];
		g[i] = g[0];
		g[0] = x;
		return true;
	}
	return false;
}

/* Settle every syscall of @g (@n of them) in @mode; 0 or -1 on error. */
static int an_settle(struct an *a, uint32_t *g, uint32_t n, enum an_mode mode)
{
	struct an_config cfg = { .mode = mode, .replicas = a->search_reps };
	struct an_metrics m;
	uint32_t c, i, s;
	int ok;

	while (n) {
		cfg.idx = g;
		cfg.n = n;
		ok = an_try(a, &cfg, "", &m);
		if (ok < 0)
			return -1;
		if (n == 1) {
			an_settled(a, g[0], mode, ok, 1, &m);
			return 0;
		}
		c = an_called_first(a, g, n);
		if (ok && c) {
			for (i = 0; i < c; i++)
				an_settled(a, g[i], mode, 1, n, &m);
			g += c;
			n -= c;
			continue;
		}
		if (!ok && c == 1) {
			an_settled(a, g[0], mode, 0, n, &m);
			g++;
			n--;
			continue;
		}
		/*
		 * Failing with several made: the one the program changed last
		 * is the likeliest cause. One run of it alone tells: failing,
		 * it is settled (a failure needs no other replica) and the
		 * others go round again; passing, it is not suspected again in
		 * this mode and the made ones are halved. When the searching
		 * tests run one replica, that run was its own test: it is
		 * settled, and only the others are halved. Where the guess has
		 * been wrong more often than right, and more than once (a
		 * server whose loop goes on stubbing after the fatal one),
		 * halves at once.
		 */
		if (!ok && a->guess_wrong <= a->guess_right + 1 &&
		    an_culprit_first(a, g, c, mode, true)) {
			ok = an_try_once(a, g[0], mode, &m);
			if (ok < 0)
				return -1;
			if (!ok) {
				an_settled(a, g[0], mode, 0, 1, &m);
				a->guess_right++;
				g++;
				n--;
				continue;
			}
			a->sys[g[0]].cleared[mode] = true;
			a->guess_wrong++;
			if (a->search_reps == 1) {
				an_settled(a, g[0], mode, 1, 1, &m);
				g++;
				n--;
				c--;
			}
		}
		/*
		 * Passing with none of them made, or failing with several
		 * (or, without a report, with any) of them made: halves.
		 */
		s = c ? c : n;
		if (an_settle(a, g, s / 2, mode) ||
		    an_settle(a, g + s / 2, s - s / 2, mode))
			return -1;
		g += s;
		n -= s;
	}
	return 0;
}

/*
 * The group method's searching tests run one replica each: a failing
 * test needs no other, and what passes once nearly always passes again.
 * What passed once (pending) runs its other replicas here, all of a mode
 * together: the members made in them are settled. What that leaves (the
 * group failed: a flaky member, or two that only fail together; or some
 * were not made) is split: the likely cause of the failure (the one
 * changed last) runs its replicas alone, or else the set is halved, and
 * so on; a member that fails alone here fails one replica in a few, and
 * is settled as failing.
 */
static int an_replicate_set(struct an *a, uint32_t *g, uint32_t n,
			    enum an_mode mode)
{
	struct an_config cfg = { .mode = mode,
				 .replicas = a->o.replicas - 1 };
	struct an_metrics m;
	uint32_t i, c;
	int ok;

	while (n) {
		cfg.idx = g;
		cfg.n = n;
		ok = an_try(a, &cfg, ", the other replicas", &m);
		if (ok < 0)
			return -1;
		c = ok ? an_called_first(a, g, n) : 0;
		/* Alone, it is settled whether it was made or not. */
		if (ok && n == 1)
			c = 1;
		if (c) {
			for (i = 0; i < c; i++)
				a->sys[g[i]].v[mode].pending = false;
			g += c;
			n -= c;
			continue;
		}
		/* Failing alone: it fails one replica in a few. */
		if (n == 1) {
			an_settled(a, g[0], mode, 0, 1, &m);
			return 0;
		}
		/*
		 * Failing: the one the failing run changed last is the likely
		 * flaky one. Its replicas alone settle it either way, and the
		 * others go round again together.
		 */
		if (!ok && an_culprit_first(a, g, n, mode, false)) {
			cfg.n = 1;
			ok = an_try(a, &cfg, ", the other replicas, the likely cause",
				    &m);
			if (ok < 0)
				return -1;
			if (ok)
				a->sys[g[0]].v[mode].pending = false;
			else
				an_settled(a, g[0], mode, 0, 1, &m);
			g++;
			n--;
			continue;
		}
		/*
		 * Failing with no likely cause among them, or passing with
		 * none of them made: halves.
		 */
		return an_replicate_set(a, g, n / 2, mode) ||
		       an_replicate_set(a, g + n / 2, n - n / 2, mode) ? -1 : 0;
	}
	return 0;
}

static int an_replicate(struct an *a, uint32_t *idx, enum an_mode mode)
{
	enum an_phase was = a->phase;
	uint32_t i, n = 0;
	int err;

	if (a->o.replicas < 2)
		return 0;
	for (i = 0; i < a->nsys; i++)
		if (a->sys[i].v[mode].pending)
			idx[n++] = i;
	a->phase = AN_PH_REPLICAS;
	err = an_replicate_set(a, idx, n, mode);
	a->phase = was;
	return err;
}

/*
 * The syscalls of @g (@n, all passing in @mode, settled together by a
 * test whose figures are outside the noise): which of them does it? Halves
 * are tried, and those still outside split again, until every effect sits
 * on the syscalls that cause it (or on a pair that only does it together).
 */
static int an_attribute(struct an *a, uint32_t *g, uint32_t n,
			enum an_mode mode)
{
	/*
	 * One replica: the flags come from a test's first, and what the
	 * members do to the workload's success is settled already.
	 */
	struct an_config cfg = { .mode = mode, .replicas = 1 };
	struct an_metrics m;
	uint32_t h, part, len, i;
	int ok;

	if (n < 2)
		return 0;
	h = n / 2;
	for (part = 0; part < 2; part++) {
		cfg.idx = part ? g + h : g;
		cfg.n = len = part ? n - h : h;
		ok = an_try(a, &cfg, ", its effects", &m);
		if (ok < 0)
			return -1;
		/* Passing together but not in part: the group's figures stay. */
		if (!ok)
			continue;
		for (i = 0; i < len; i++) {
			an_settled(a, cfg.idx[i], mode, 1, len, &m);
			a->sys[cfg.idx[i]].v[mode].pending = false;
		}
		if (an_effects(a, &m) &&
		    an_attribute(a, (uint32_t *)cfg.idx, len, mode))
			return -1;
	}
	return 0;
}

/* Every effect seen in a group, taken down to its syscalls. */
static int an_attribute_all(struct an *a, uint32_t *idx)
{
	uint32_t i, j, n;
	unsigned int test;
	int m;

	for (m = 0; m < AN_NMODES; m++) {
		for (i = 0; i < a->nsys; i++) {
			const struct an_verdict *v = &a->sys[i].v[m];

			if (v->ok != 1 || v->group < 2 || !an_effects(a, &v->m))
				continue;
			test = v->test;
			for (j = n = 0; j < a->nsys; j++)
				if (a->sys[j].v[m].ok == 1 &&
				    a->sys[j].v[m].test == test)
					idx[n++] = j;
			if (n < 2) {
				/* Alone among the made: the effect is its. */
				a->sys[i].v[m].group = 1;
				continue;
			}
			if (an_attribute(a, idx, n, m))
				return -1;
		}
	}
	return 0;
}

/* Stubbing these can hide another stub's failure: never in a group. */
static bool an_alone(const struct an_sys *x)
{
	return !strcmp(x->name, "exit_group") || !strcmp(x->name, "exit");
}

/* Every item of @cand (@n of them) in @mode, by the method chosen. */
static int an_mode(struct an *a, const uint32_t *cand, uint32_t n,
		   uint32_t *idx, enum an_mode mode)
{
	uint32_t i, k, grouped = 0;

	for (k = 0; k < n; k++) {
		i = cand[k];
		/*
		 * Alone: everything for --exhaustive, the process enders,
		 * and for faking what could not be stubbed.
		 */
		if (!a->o.exhaustive && !an_alone(&a->sys[i]) &&
		    (mode == AN_STUB || a->sys[i].v[AN_STUB].ok == 1)) {
			idx[grouped++] = i;
			continue;
		}
		if (an_settle(a, &i, 1, mode))
			return -1;
	}
	if (an_settle(a, idx, grouped, mode))
		return -1;
	return an_replicate(a, idx, mode);
}

/* One syscall of the baseline's report, made @calls times. */
static void an_add_syscall(void *ctx, uint32_t nr, int line, uint64_t calls)
{
	struct an *a = ctx;
	struct an_sys *ns, *x;
	char *name;

	if (line || a->nsys == UINT32_MAX)
		return;
	name = kb_syscall_name(nr);
	/* No name libseccomp knows: a profile cannot name it. */
	if (!name || !strncmp(name, "syscall_", 8)) {
		free(name);
		return;
	}
	ns = reallocarray(a->sys, a->nsys + 1, sizeof(*ns));
	if (!ns) {
		free(name);
		a->nsys = UINT32_MAX;
		return;
	}
	a->sys = ns;
	x = &a->sys[a->nsys++];
	memset(x, 0, sizeof(*x));
	x->nr = nr;
	x->count = calls;
	snprintf(x->name, sizeof(x->name), "%s", name);
	x->v[AN_STUB].ok = x->v[AN_FAKE].ok = -1;
	free(name);
}

/* The baseline's report: the syscalls the application made. */
static int an_read_baseline(struct an *a)
{
	if (an_report_walk(a, "baseline-r1", an_add_syscall, a)) {
		kbctl_err("%s/runs/baseline-r1.json: not a kblaunch report",
			  a->o.out);
		return -1;
	}
	if (a->nsys == UINT32_MAX) {
		a->nsys = 0;
		kbctl_err("out of memory");
		return -1;
	}
	return 0;
}

/* Can syscall @nr be stubbed as a whole? */
static bool an_whole_stubs(const struct an *a, uint32_t nr)
{
	uint32_t i;

	for (i = 0; i < a->nwhole; i++)
		if (a->sys[i].nr == nr)
			return a->sys[i].v[AN_STUB].ok == 1;
	return false;
}

/* Can syscall @nr go as a whole (then its sub-features need not)? */
static bool an_whole_goes(const struct an *a, uint32_t nr)
{
	uint32_t i;

	for (i = 0; i < a->nwhole; i++)
		if (a->sys[i].nr == nr)
			return a->sys[i].v[AN_STUB].ok == 1 ||
			       a->sys[i].v[AN_FAKE].ok == 1;
	return false;
}

/*
 * The environments the confirmation runs the workload in: as it is, then
 * with KBRIDGE_ANALYZE_PAD of each length. A faked call leaves its output
 * buffer as the program's own earlier code left that stack memory, and
 * what is there moves with the size of the environment: sort's ld.so,
 * with newfstatat faked, compared garbage as the device and inode of
 * libc, found it "already loaded" and failed its symbol lookups in most
 * environments, and not in the one the analysis happened to run in.
 */
static const unsigned int an_pads[] = { 0, 1, 24, 200 };

/*
 * What the analysis recommends, confirmed: every syscall that can go,
 * stubbed if it can be (else faked), all at once, in every environment of
 * an_pads. If the combination fails, one goes, until it passes: the one
 * its run changed last if that is a fake (where the program died of it),
 * else the last fake, else the one changed last (faked close and stubbed
 * writev each pass alone, together redis stops answering), else the last
 * one. What went is in a->dropped.
 */
static int an_confirm(struct an *a, uint32_t *idx, int *modes,
		      struct an_config *cfg, int *passed,
		      struct an_metrics *m)
{
	uint32_t i, c, p;
	int ok = 1;

	cfg->idx = idx;
	cfg->modes = modes;
	cfg->n = 0;
	for (i = 0; i < a->nsys; i++) {
		if (a->sys[i].cond[0] && an_whole_goes(a, a->sys[i].nr))
			continue;
		if (a->sys[i].v[AN_STUB].ok == 1 || a->sys[i].v[AN_FAKE].ok == 1) {
			modes[cfg->n] = a->sys[i].v[AN_STUB].ok == 1 ?
					AN_STUB : AN_FAKE;
			idx[cfg->n++] = i;
		}
	}
	if (a->o.no_confirm) {
		*passed = -1;
		return 0;
	}
	for (;;) {
		char what[96];

		for (p = 0; p < sizeof(an_pads) / sizeof(an_pads[0]); p++) {
			a->pad = an_pads[p];
			snprintf(what, sizeof(what),
				 "test %u, confirmation, %u together, %u bytes of padding",
				 a->tests + 1, cfg->n, a->pad);
			ok = an_test(a, cfg, what, m);
			if (ok != 1)
				break;
		}
		a->pad = 0;
		if (ok || !cfg->n)
			break;
		for (c = 0; c < cfg->n; c++)
			if (a->sys[idx[c]].called &&
			    (int64_t)a->sys[idx[c]].nr == a->culprit)
				break;
		/*
		 * Fakes first: a stub's answer is the same in every run, a
		 * fake's unwritten buffer is not (above), and the call the
		 * program made last before it failed may come long after the
		 * one that misled it (ld.so's newfstatat, then munmap).
		 */
		for (i = cfg->n; i-- > 0;)
			if (modes[i] == AN_FAKE)
				break;
		if (c < cfg->n && (modes[c] == AN_FAKE || i == (uint32_t)-1))
			i = c;
		else if (i == (uint32_t)-1)
			i = cfg->n - 1;
		a->dropped[a->ndropped++] = idx[i];
		memmove(&idx[i], &idx[i + 1], (cfg->n - i - 1) * sizeof(*idx));
		memmove(&modes[i], &modes[i + 1],
			(cfg->n - i - 1) * sizeof(*modes));
		cfg->n--;
	}
	*passed = ok == 1;
	return ok < 0 ? -1 : 0;
}

enum {
	OPT_EXHAUSTIVE = 0x100, OPT_KBLAUNCH, OPT_RESUME, OPT_VDSO,
	OPT_NO_EARLY_END, OPT_NO_SUBFEATURES, OPT_NO_EFFECTS, OPT_NO_CONFIRM,
	OPT_NO_CONTROL
};

static const struct argp_option an_options[] = {
	{ "app", 'a', "PATH", 0,
	  "The application under test (an executable; repeatable): only it "
	  "gets the stubs and fakes, the rest of the workload runs natively",
	  0 },
	{ "out", 'o', "DIR", 0,
	  "Where the results go (default ./kbridge-analysis); created", 0 },
	{ "replicas", 'r', "N", 0,
	  "Runs per configuration, all of which must succeed (default 3)", 0 },
	{ "timeout", 't', "SEC", 0,
	  "Longest run (default: 5 x the slowest passing run + 10 s)", 0 },
	{ "exhaustive", OPT_EXHAUSTIVE, NULL, 0,
	  "Loupe's method: every syscall alone, stubbed then faked", 0 },
	{ "jobs", 'j', "N", 0,
	  "Replicas run at once (default 1); the workload must then allow "
	  "several of itself at a time (ports, files)", 0 },
	{ "resume", OPT_RESUME, NULL, 0,
	  "Go on with the interrupted analysis in DIR (same command), "
	  "taking the runs it finished from DIR/runs", 0 },
	{ "vdso", OPT_VDSO, "hide|keep", 0,
	  "hide (the default): the application gets no vDSO, so the time "
	  "calls (clock_gettime, gettimeofday, time, getcpu) are syscalls "
	  "the analysis tests, as an OS without a vDSO must serve them; "
	  "keep: they stay invisible, as under kblaunch's default", 0 },
	{ "no-early-end", OPT_NO_EARLY_END, NULL, 0,
	  "Runs end only when the workload exits or at --timeout, never "
	  "because a step of the workload (wl_step) lasts far longer than in "
	  "every passing run", 0 },
	{ "no-subfeatures", OPT_NO_SUBFEATURES, NULL, 0,
	  "Class whole syscalls only: no discovery and no classing of "
	  "commands (ioctl requests, prctl options...) and pseudo-files", 0 },
	{ "no-effects", OPT_NO_EFFECTS, NULL, 0,
	  "Flag side effects on the test that showed them, without the runs "
	  "that take them down to their syscalls", 0 },
	{ "no-confirm", OPT_NO_CONFIRM, NULL, 0,
	  "Write the generated profile without the runs that confirm it", 0 },
	{ "no-control", OPT_NO_CONTROL, NULL, 0,
	  "Skip the control run (every syscall stubbed, which the workload "
	  "must fail): analyze a workload whose check does not depend on "
	  "the application", 0 },
	{ "kblaunch", OPT_KBLAUNCH, "PATH", 0,
	  "The kblaunch to run (default: the one next to kbctl)", 0 },
	{ 0 }
};

static error_t an_parse(int key, char *arg, struct argp_state *state)
{
	struct an_opts *o = state->input;
	unsigned long v;
	char *end;

	switch (key) {
	case 'a':
		o->apps = realloc(o->apps, (o->napps + 1) * sizeof(*o->apps));
		if (!o->apps)
			argp_failure(state, KBCTL_EXIT_FAIL, ENOMEM, "--app");
		o->apps[o->napps++] = arg;
		break;
	case 'o':
		o->out = arg;
		break;
	case 'r':
	case 't':
	case 'j':
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || *end || !*arg || arg[0] == '-' || !v || v > 100000)
			argp_error(state, "bad number '%s'", arg);
		if (key == 'r' && v > 16)
			argp_error(state, "--replicas: at most 16");
		if (key == 'j' && v > 64)
			argp_error(state, "--jobs: at most 64");
		if (key == 'r')
			o->replicas = (unsigned int)v;
		else if (key == 'j')
			o->jobs = (unsigned int)v;
		else
			o->timeout = (unsigned int)v;
		break;
	case OPT_EXHAUSTIVE:
		o->exhaustive = true;
		break;
	case OPT_RESUME:
		o->resume = true;
		break;
	case OPT_NO_EARLY_END:
		o->no_early_end = true;
		break;
	case OPT_NO_SUBFEATURES:
		o->no_subfeatures = true;
		break;
	case OPT_NO_EFFECTS:
		o->no_effects = true;
		break;
	case OPT_NO_CONFIRM:
		o->no_confirm = true;
		break;
	case OPT_NO_CONTROL:
		o->no_control = true;
		break;
	case OPT_KBLAUNCH:
		o->kblaunch = arg;
		break;
	case OPT_VDSO:
		if (strcmp(arg, "hide") && strcmp(arg, "keep"))
			argp_error(state, "--vdso: '%s': hide or keep", arg);
		o->vdso_keep = !strcmp(arg, "keep");
		break;
	case ARGP_KEY_ARGS:
		o->work = state->argv + state->next;
		o->nwork = state->argc - state->next;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (!o->napps)
			argp_error(state, "no --app given");
		if (!o->nwork)
			argp_error(state, "no WORKLOAD given");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/*
 * The control: the workload must fail when the application can do
 * nothing, every syscall of the baseline's stubbed. If it passes, its
 * check does not look at the application, and every syscall would come
 * out "either": a null test, or a workload that lost its exit status
 * (an EXIT trap's last command gives its own). 0, or -1 (said).
 */
static int an_control(struct an *a)
{
	struct an_config c = { .n = a->nsys, .mode = AN_STUB, .replicas = 1 };
	uint32_t *idx = calloc(a->nsys, sizeof(*idx)), i;
	struct an_metrics m = { 0 };
	char *text = NULL;
	int ok = -1;

	if (!idx)
		goto out;
	for (i = 0; i < a->nsys; i++)
		idx[i] = i;
	c.idx = idx;
	text = an_profile(a, &c);
	if (!text)
		goto out;
	a->phase = AN_PH_CONTROL;
	a->early_end = true;
	ok = an_run_replicas(a, "control", text, "control, all stubbed", 1, &m);
	a->early_end = false;
	if (ok == 1)
		kbctl_err("the workload passes with all %u syscalls of the application stubbed (%s/runs/control-r1.*): its check does not depend on what the application does (--no-control to analyze it all the same)",
			  a->nsys, a->o.out);
	a->controlled = !ok;
out:
	free(text);
	free(idx);
	return ok ? -1 : 0;
}

/* kblaunch next to this kbctl. */
static const char *an_default_kblaunch(void)
{
	static char path[PATH_MAX];
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return "kblaunch";
	self[n] = '\0';
	snprintf(path, sizeof(path), "%s/kblaunch", dirname(self));
	return path;
}

int kbctl_analyze(int argc, char **argv)
{
	static const struct argp argp = {
		an_options, an_parse, "--app PATH... [--] WORKLOAD [ARGS...]",
		"Find which syscalls an application can do without under a "
		"workload: stubbed (ENOSYS) or faked (0). WORKLOAD is a command "
		"that starts the application however it likes, exits 0 on "
		"success and may print one figure (a number) as its last line. "
		"Each configuration is run --replicas times under kblaunch "
		"--only APP; by default many syscalls are tested at once, "
		"--exhaustive tests each alone.\v"
		"Writes DIR/analysis.json, analysis.csv and analysis.md, "
		"DIR/generated.profile (confirmed by final runs in four "
		"environments) and every "
		"run's files in DIR/runs/. Progress goes to stderr, one line "
		"per run. An interrupted analysis goes on where it stopped "
		"with the same command and --resume.\n\n"
		"EXAMPLE:\n"
		"  kbctl analyze --app /usr/bin/sqlite3 -- sh -c 'sqlite3 :memory: \"select 1\"'",
		NULL, NULL, NULL
	};
	struct an a = { .o = { .out = "kbridge-analysis", .replicas = 3,
			       .jobs = 1 } };
	struct an_config final = { 0 };
	struct an_metrics fm = { 0 };
	uint32_t *idx = NULL, *final_idx = NULL, *cand = NULL, n, i, k;
	int *final_modes = NULL, passed = 0, ret = KBCTL_EXIT_FAIL, ok, m;

	argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &a.o);
	if (!a.o.kblaunch)
		a.o.kblaunch = an_default_kblaunch();
	an_catch_stop();
	if (an_prepare_runs(&a))
		return KBCTL_EXIT_FAIL;
	an_app_comms(&a);
	a.t0 = an_now();
	a.search_reps = a.o.exhaustive ? 0 : 1;
	a.phase = AN_PH_BASELINE;

	/* The baseline: every replica must pass, unchanged. */
	ok = an_run_replicas(&a, "baseline", NULL, "baseline", a.o.replicas,
			     &a.base[0]);
	if (ok != 1) {
		if (!ok)
			kbctl_err("the workload fails without any stub (see %s/runs/baseline-r*.err)",
				  a.o.out);
		goto out;
	}
	/* Every replica's figures: their spread is the noise. */
	for (a.nbase = 0; a.nbase < a.o.replicas &&
	     a.nbase < sizeof(a.base) / sizeof(a.base[0]); a.nbase++) {
		char id[32];

		snprintf(id, sizeof(id), "baseline-r%u", a.nbase + 1);
		if (an_read_result(&a, id, &ok, &a.base[a.nbase]))
			goto out;
	}
	if (an_read_baseline(&a))
		goto out;
	if (!a.nsys) {
		kbctl_err("the baseline saw no syscall of %s: is --app the program the workload runs?",
			  a.o.apps[0]);
		goto out;
	}
	a.nwhole = a.nsys;
	if (!a.o.no_control && an_control(&a))
		goto out;
	a.phase = AN_PH_DISCOVERY;
	if (!a.o.no_subfeatures && an_discover(&a))
		goto out;
	fprintf(stderr, "kbctl analyze: the application made %u different syscalls, and %u commands of them\n",
		a.nwhole, a.nsys - a.nwhole);
	/*
	 * An upper bound: per mode one test per syscall (exhaustive) or at
	 * most a splitting tree plus one settling test per syscall and the
	 * tree that attributes effects (groups), and a confirmation that may
	 * drop every syscall, each time after a run in every environment.
	 */
	n = a.nsys;
	a.most = a.runs + a.o.replicas *
		 (AN_NMODES * (a.o.exhaustive ? n : 5 * n - 2) +
		  (n + 1) * (sizeof(an_pads) / sizeof(an_pads[0])));

	idx = calloc(n, sizeof(*idx));
	final_idx = calloc(n, sizeof(*final_idx));
	final_modes = calloc(n, sizeof(*final_modes));
	a.dropped = calloc(n, sizeof(*a.dropped));
	if (!idx || !final_idx || !final_modes || !a.dropped)
		goto out;
	/*
	 * Syscalls first; then the commands of those that cannot be
	 * stubbed as a whole (the others need none of theirs).
	 */
	cand = calloc(n, sizeof(*cand));
	if (!cand)
		goto out;
	for (i = 0; i < a.nwhole; i++)
		cand[i] = i;
	a.phase = AN_PH_SYSCALLS;
	for (m = 0; m < AN_NMODES; m++)
		if (an_mode(&a, cand, a.nwhole, idx, m))
			goto out;
	for (i = a.nwhole, k = 0; i < a.nsys; i++)
		if (!an_whole_stubs(&a, a.sys[i].nr))
			cand[k++] = i;
	a.phase = AN_PH_SUBFEATURES;
	for (m = 0; m < AN_NMODES; m++)
		if (an_mode(&a, cand, k, idx, m))
			goto out;
	a.phase = AN_PH_EFFECTS;
	if (!a.o.exhaustive && !a.o.no_effects && an_attribute_all(&a, idx))
		goto out;
	a.phase = AN_PH_CONFIRMATION;
	if (an_confirm(&a, final_idx, final_modes, &final, &passed, &fm))
		goto out;
	if (an_outputs(&a, &final, passed, &fm, an_now() - a.t0) == 0 &&
	    passed)
		ret = 0;
out:
	free(cand);
	free(idx);
	free(final_idx);
	free(final_modes);
	free(a.dropped);
	free(a.pop);
	free(a.sys);
	free(a.o.apps);
	return ret;
}
