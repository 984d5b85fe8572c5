// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_overhead: what kbridge's eBPF counters add to one syscall, measured
 * in pairs within one process.
 *
 * Timing whole runs with the counters loaded against whole runs without
 * mixes the counters' cost with everything that drifts between runs
 * (under TCG, tens of percent). Here one process alternates short chunks
 * of getppid calls with the counting program detached and attached, in
 * ABBA order, so that both states see the same drift; the overhead is the
 * median of the per-pair ratios.
 *
 * Expects `kbctl stats --bpf load` to have run: it takes the program from
 * the pinned link, drops that link, and attaches and detaches the program
 * itself (a raw tracepoint link per attached chunk). At the end it leaves
 * the program attached and pinned again, as it found it. Every chunk is
 * checked against the pinned tier_hits map: an attached chunk of n calls
 * must have counted exactly n getppid decisions, a detached one none.
 *
 * Output, one line on stdout:
 *   bpf_overhead pairs=P iters=N detached_ns=X attached_ns=Y ratio=R
 * (N calls per state, X and Y the medians of the chunks' ns per call, R
 * the median of the pairs' attached/detached ratios). Exit status 0, or 1
 * with the reason on stderr.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/kbridge.h>
#include "kbstat.h"
#include "getppid_loop.h"

#define MAX_PAIRS	1000

struct opts {
	unsigned long iters;
	unsigned long pairs;
	struct expect expect;
};

struct counter {
	int map;
	int ncpus;
	struct kbstat_counts *per_cpu;
};

/* Every getppid decision tier_hits holds, whatever the tier and path. */
static int counted(struct counter *c, uint64_t *sum)
{
	uint32_t key = SYS_getppid;
	const uint64_t *v;
	size_t i, n = sizeof(struct kbstat_counts) / sizeof(uint64_t);

	if (bpf_map_lookup_elem(c->map, &key, c->per_cpu))
		return -errno;
	*sum = 0;
	v = (const uint64_t *)c->per_cpu;
	for (i = 0; i < n * (size_t)c->ncpus; i++)
		*sum += v[i];
	return 0;
}

static int pinned(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", KBSTAT_PIN_DIR, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "bpf_overhead: %s: %s (kbctl stats --bpf load first)\n",
			path, strerror(errno));
	return fd;
}

/* The counting program behind the pinned link, which is then dropped. */
static int take_program(void)
{
	struct bpf_link_info info;
	uint32_t len = sizeof(info);
	char path[256];
	int link, prog;

	link = pinned(KBSTAT_LINK_NAME);
	if (link < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(link, &info, &len)) {
		fprintf(stderr, "bpf_overhead: link info: %m\n");
		close(link);
		return -1;
	}
	prog = bpf_prog_get_fd_by_id(info.prog_id);
	if (prog < 0) {
		fprintf(stderr, "bpf_overhead: program %u: %m\n", info.prog_id);
		close(link);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", KBSTAT_PIN_DIR, KBSTAT_LINK_NAME);
	if (unlink(path)) {
		fprintf(stderr, "bpf_overhead: unlink %s: %m\n", path);
		close(prog);
		close(link);
		return -1;
	}
	close(link);	/* the last reference: the program is detached */
	return prog;
}

static int attach(int prog)
{
	int fd = bpf_raw_tracepoint_open(KBSTAT_TP_NAME, prog);

	if (fd < 0)
		fprintf(stderr, "bpf_overhead: attach to %s: %m\n", KBSTAT_TP_NAME);
	return fd;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * One chunk of o->iters checked calls, attached or not; its ns per call
 * in *ns. Attaching and detaching patch kernel text, which an emulator
 * must translate again: a few untimed calls first. The tier_hits delta
 * must be every call attached and 0 detached.
 */
static int chunk(const struct opts *o, struct counter *c, int prog,
		 int attached, double *ns)
{
	unsigned long warm = o->iters / 10 < 2000 ? o->iters / 10 : 2000;
	uint64_t before, after, want = attached ? warm + o->iters : 0;
	long bad_ret = 0;
	int bad_errno = 0, link = -1, err;
	unsigned long bad;
	double t0;

	if (attached) {
		link = attach(prog);
		if (link < 0)
			return -1;
	}
	err = counted(c, &before);
	bad = getppid_loop(warm, &o->expect, &bad_ret, &bad_errno);
	t0 = now_ns();
	bad += getppid_loop(o->iters, &o->expect, &bad_ret, &bad_errno);
	*ns = (now_ns() - t0) / (double)o->iters;
	if (!err)
		err = counted(c, &after);
	if (link >= 0)
		close(link);
	if (err) {
		fprintf(stderr, "bpf_overhead: reading tier_hits: %s\n",
			strerror(-err));
		return -1;
	}
	if (bad) {
		fprintf(stderr, "bpf_overhead: %lu of %lu getppid calls returned %ld (errno %d), expected %ld (errno %d)\n",
			bad, warm + o->iters, bad_ret, bad_errno, o->expect.ret,
			o->expect.err);
		return -1;
	}
	if (after - before != want) {
		fprintf(stderr, "bpf_overhead: %s chunk of %lu calls: tier_hits counted %llu getppid decisions, expected %llu\n",
			attached ? "attached" : "detached", warm + o->iters,
			(unsigned long long)(after - before),
			(unsigned long long)want);
		return -1;
	}
	return 0;
}

static int repin(int prog)
{
	char path[256];
	int link = attach(prog);

	if (link < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", KBSTAT_PIN_DIR, KBSTAT_LINK_NAME);
	if (bpf_obj_pin(link, path)) {
		fprintf(stderr, "bpf_overhead: pin %s: %m\n", path);
		close(link);
		return -1;
	}
	close(link);
	return 0;
}

static int run(const struct opts *o)
{
	static double det[MAX_PAIRS], att[MAX_PAIRS], ratio[MAX_PAIRS];
	struct counter c = { .map = -1 };
	int prog = -1, ret = 1;
	unsigned long p;
	double warm;

	c.ncpus = libbpf_num_possible_cpus();
	if (c.ncpus <= 0) {
		fprintf(stderr, "bpf_overhead: cannot count the CPUs\n");
		return 1;
	}
	c.per_cpu = calloc(c.ncpus, sizeof(*c.per_cpu));
	if (!c.per_cpu)
		return 1;
	c.map = pinned("tier_hits");
	if (c.map < 0)
		goto out;
	prog = take_program();
	if (prog < 0)
		goto out;
	/* Warm both states: the first attach and the first calls cost more. */
	if (chunk(o, &c, prog, 0, &warm) || chunk(o, &c, prog, 1, &warm))
		goto out;
	for (p = 0; p < o->pairs; p++) {
		int first = p % 2;	/* ABBA: drift hits both alike */

		if (chunk(o, &c, prog, first, first ? &att[p] : &det[p]) ||
		    chunk(o, &c, prog, !first, first ? &det[p] : &att[p]))
			goto out;
		ratio[p] = att[p] / det[p];
	}
	printf("bpf_overhead pairs=%lu iters=%lu detached_ns=%.2f attached_ns=%.2f ratio=%.4f\n",
	       o->pairs, o->pairs * o->iters, median(det, o->pairs),
	       median(att, o->pairs), median(ratio, o->pairs));
	ret = fflush(stdout) ? 1 : 0;
out:
	if (prog >= 0 && repin(prog))
		ret = 1;
	if (prog >= 0)
		close(prog);
	if (c.map >= 0)
		close(c.map);
	free(c.per_cpu);
	return ret;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;
	unsigned long v;
	char *end;

	switch (key) {
	case 'n':
	case 'p':
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || *end || !*arg || arg[0] == '-' || !v ||
		    (key == 'p' && v > MAX_PAIRS))
			argp_error(state, "bad count '%s'", arg);
		if (key == 'n')
			o->iters = v;
		else
			o->pairs = v;
		break;
	default:
		return getppid_common_opt(key, arg, state, &o->expect);
	}
	return 0;
}

static const struct argp_option options[] = {
	{ "iters", 'n', "N", 0,
	  "Calls in each state: each of the 2 x PAIRS chunks makes "
	  "N / PAIRS of them (default 200000)", 0 },
	{ "pairs", 'p', "PAIRS", 0,
	  "Detached/attached pairs of chunks (default 20, at most 1000)", 0 },
	{ "expect", 'e', "WHAT", 0,
	  "What every getppid must return: ppid (default), errno:N or "
	  "value:V", 0 },
	{ 0 }
};

static const struct argp argp = {
	options, parse_opt, NULL,
	"Time getppid with kbridge's eBPF counting program detached and "
	"attached, in alternating chunks, and check every result and every "
	"count.\v"
	"Needs kbctl stats --bpf load first, and root.\n"
	"Prints: bpf_overhead pairs=P iters=N detached_ns=X attached_ns=Y "
	"ratio=R\n\n"
	"EXAMPLE:\n"
	"  kbctl stats --bpf load --scope global\n"
	"  kblaunch --profile getppid-stub.profile -- bpf_overhead -e errno:38\n",
	NULL, NULL, NULL
};

int main(int argc, char **argv)
{
	struct opts o = { .iters = 200000, .pairs = 20 };

	argp_parse(&argp, argc, argv, 0, NULL, &o);
	if (o.iters < o.pairs) {
		fprintf(stderr, "bpf_overhead: %lu calls cannot fill %lu pairs of chunks\n",
			o.iters, o.pairs);
		return 1;
	}
	/* From here on, iters is one chunk's count. */
	o.iters /= o.pairs;
	if (expect_resolve(&o.expect)) {
		fprintf(stderr, "bpf_overhead: cannot read the parent from /proc/self/stat\n");
		return 1;
	}
	return run(&o);
}
