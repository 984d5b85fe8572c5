// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl top: the eBPF tier counters as a refreshing table, busiest first.
 *
 * Rates are the difference between two snapshots of the pinned maps over
 * the time between them, so kbctl top adds nothing to the hot path: the
 * BPF program only counts.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kbctl.h"
#include "bpfstat.h"
#include "../lib/names.h"

/* A refresh faster than this only measures kbctl itself. */
#define MIN_DELAY	0.1
#define MAX_DELAY	3600.0

struct top_opts {
	struct kbs_scope scope;
	double delay;
	long iterations;	/* 0: until interrupted */
};

static const char doc[] =
"A live table of kbridge.ko's tier decisions, from the eBPF counters "
"('kbctl stats --bpf load' first): one row per (syscall, tier, action, "
"path), with its count since the load and its rate per second since the "
"previous frame, sorted by rate, then count. The header gives the totals. "
"For every session, for --session S, for the programs of exec rule --rule "
"ID or for the process PID.\n"
"\n"
"On a terminal the screen is redrawn like top(1) until Ctrl-C. With -n, or "
"when stdout is not a terminal, each frame is printed after the previous "
"one, separated by an empty line.\n"
"\n"
"EXAMPLES:\n"
"  kbctl top                        every session, every second\n"
"  kbctl top --session 3 -d 0.5\n"
"  kbctl top -n 2 1234              two frames for PID 1234, then exit"
"\v"
"The first frame has no rates yet ('-'). Exit status: 0, or 1 on any "
"error.";

static const struct argp_option options[] = {
	{ "delay", 'd', "SECONDS", 0, "Time between frames (default 1)", 0 },
	{ "iterations", 'n', "N", 0, "Print N frames, then exit", 0 },
	{ "session", 's', "S", 0, "Only the session with id S", 0 },
	{ "rule", 'r', "ID", 0, "Only the programs of exec rule ID", 0 },
	{ 0 }
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct top_opts *o = state->input;
	char *end;

	switch (key) {
	case 'd':
		errno = 0;
		o->delay = strtod(arg, &end);
		if (errno || end == arg || *end || !isfinite(o->delay) ||
		    o->delay < MIN_DELAY || o->delay > MAX_DELAY)
			argp_error(state, "-d takes seconds from %.1f to %.0f, not '%s'",
				   MIN_DELAY, MAX_DELAY, arg);
		break;
	case 'n':
		errno = 0;
		o->iterations = strtol(arg, &end, 10);
		if (errno || end == arg || *end || o->iterations < 1)
			argp_error(state, "-n takes a number of frames >= 1, not '%s'",
				   arg);
		break;
	case 's':
	case 'r':
	case ARGP_KEY_ARG:
		return kbs_parse_scope(key, arg, state, &o->scope);
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* A row with the rate of its frame. */
struct trow {
	struct kbs_row r;
	double rate;		/* < 0: no previous frame */
};

static int by_key(const void *a, const void *b)
{
	return kbs_row_cmp(a, b);
}

static int by_rate(const void *a, const void *b)
{
	const struct trow *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate < y->rate ? 1 : -1;
	if (x->r.count != y->r.count)
		return x->r.count < y->r.count ? 1 : -1;
	return kbs_row_cmp(&x->r, &y->r);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Rows of the terminal left for the table, or 0 for no limit. */
static int table_rows(bool screen)
{
	struct winsize ws;

	if (!screen || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || ws.ws_row < 6)
		return 0;
	return ws.ws_row - 5;	/* header lines, column titles, prompt */
}

/*
 * One frame. @prev (sorted by key) holds the previous snapshot, NULL for
 * the first frame; @dt the seconds since it.
 */
static int frame(const struct kbs_scope *scope, const struct kbs_snap *s,
		 const struct kbs_snap *prev, double dt, double delay,
		 bool screen)
{
	uint64_t dtotal = 0;
	struct trow *t;
	char what[64], clock[16], rate[32];
	time_t wall = time(NULL);
	struct tm tm;
	size_t i, shown;
	int limit;

	t = calloc(s->n ? s->n : 1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (i = 0; i < s->n; i++) {
		const struct kbs_row *old = NULL;

		t[i].r = s->rows[i];
		t[i].rate = -1;
		if (!prev)
			continue;
		old = bsearch(&s->rows[i], prev->rows, prev->n,
			      sizeof(*prev->rows), by_key);
		/* Counts only grow; a smaller one means the maps were reloaded. */
		if (!old || old->count > t[i].r.count)
			t[i].rate = t[i].r.count / dt;
		else
			t[i].rate = (t[i].r.count - old->count) / dt;
	}
	if (prev)
		dtotal = s->total >= prev->total ? s->total - prev->total : s->total;
	qsort(t, s->n, sizeof(*t), by_rate);

	kbs_scope_describe(scope, what, sizeof(what));
	localtime_r(&wall, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	if (screen)
		fputs("\033[H\033[2J", stdout);
	printf("kbctl top - %s, %s, every %.1fs\n", clock, what, delay);
	if (prev)
		snprintf(rate, sizeof(rate), "%.1f/s", dtotal / dt);
	else
		snprintf(rate, sizeof(rate), "-/s");
	printf("total %" PRIu64 " (%s): kernel %" PRIu64 ", sigsys %" PRIu64
	       "; %zu rows; dropped %" PRIu64 "\n", s->total, rate, s->kernel,
	       s->total - s->kernel, s->n,
	       kbs_dropped(s, scope));
	printf("\n%-20s %5s %-8s %-6s %-6s %14s %12s\n", "SYSCALL", "NR", "TIER",
	       "ACTION", "PATH", "COUNT", "RATE/S");
	limit = table_rows(screen);
	shown = limit > 0 && (size_t)limit < s->n ? (size_t)limit : s->n;
	for (i = 0; i < shown; i++) {
		char *name = kbs_row_name(scope, t[i].r.nr);

		if (!name) {
			free(t);
			return -ENOMEM;
		}
		if (t[i].rate < 0)
			snprintf(rate, sizeof(rate), "-");
		else
			snprintf(rate, sizeof(rate), "%.1f", t[i].rate);
		printf("%-20s %5" PRIu32 " %-8s %-6s %-6s %14" PRIu64 " %12s\n",
		       name, t[i].r.nr, kb_tier_name(t[i].r.tier),
		       kb_action_name(t[i].r.action),
		       kbs_path_name(t[i].r.fastpath), t[i].r.count, rate);
		free(name);
	}
	free(t);
	return fflush(stdout) ? -errno : 0;
}

static void sleep_for(double s)
{
	struct timespec ts = {
		.tv_sec = (time_t)s,
		.tv_nsec = (long)((s - (time_t)s) * 1e9),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int kbctl_top(int argc, char **argv)
{
	static const struct argp argp = {
		options, parse_opt, "[PID]", doc, NULL, NULL, NULL
	};
	struct top_opts o = { .delay = 1.0 };
	struct kbs_snap cur, prev = { 0 };
	bool have_prev = false, screen;
	struct kbs_maps m;
	double t0 = 0, t1;
	long i;
	int err = 0;

	argp_parse(&argp, argc, argv, 0, NULL, &o);
	screen = !o.iterations && isatty(STDOUT_FILENO);
	if (kbs_open(&m))
		return KBCTL_EXIT_FAIL;
	for (i = 0; !o.iterations || i < o.iterations; i++) {
		if (i)
			sleep_for(o.delay);
		err = kbs_read(&m, &o.scope, &cur);
		if (err)
			break;
		t1 = now();
		qsort(cur.rows, cur.n, sizeof(*cur.rows), by_key);
		if (i && !screen)
			putchar('\n');
		err = frame(&o.scope, &cur, have_prev ? &prev : NULL, t1 - t0,
			    o.delay, screen);
		if (err) {
			kbctl_err("cannot write the table: %s", strerror(-err));
			kbs_free(&cur);
			break;
		}
		if (have_prev)
			kbs_free(&prev);
		prev = cur;
		have_prev = true;
		t0 = t1;
	}
	if (have_prev)
		kbs_free(&prev);
	kbs_close(&m);
	return err ? KBCTL_EXIT_FAIL : 0;
}
