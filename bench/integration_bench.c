// SPDX-License-Identifier: GPL-2.0
/*
 * integration_bench: the cost of one kb_handle_syscall() as a C program
 * reaches libkbridge, built twice from this file:
 *
 *   integration_bench      linked with libkbridge.a: direct calls
 *   integration_bench_dl   (-DKB_BENCH_DLOPEN) nothing of libkbridge at
 *                          link time; dlopen() of libkbridge.so and every
 *                          kb_* entry point from dlsym(), as a plugin host
 *                          or a language runtime would load it
 *
 * Both set up the same policy with kb_init_static() and time one of its
 * two decisions (-d):
 *
 *   stub  getppid: a tier 3 rule stubs it with ENOSYS. No host service
 *         runs: the figure is the layer itself (lookup, decision, the
 *         call counters) plus the way the call reaches it.
 *   pass  getpid: a tier 1 rule passes it to the host's syscall service,
 *         which is this program's own kb_ops.syscall: it answers getpid
 *         with the pid read once before the loop and enters no kernel, so
 *         that a real syscall's cost does not drown the layer's.
 *
 * The loop is warmed up, then timed with CLOCK_MONOTONIC; every result is
 * checked (-ENOSYS for the stub, the pid for the pass, or what -e says),
 * and so are the host service's call count (none for the stub, one per
 * call for the pass) and the layer's own count of the calls it decided.
 * Anything else exits 1 with the reason on stderr instead of a figure.
 *
 * Output, one line on stdout:
 *   integration_bench link=static|dlopen decision=stub|pass iters=N ns_per_call=X
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifdef KB_BENCH_DLOPEN
#include <dlfcn.h>
#endif

#include "kbridge.h"

#ifdef KB_BENCH_DLOPEN
#define LINK "dlopen"

/*
 * The dlsym'd entry points. Typed here, not taken from kbridge.h's
 * prototypes, so that a change of the API's signatures breaks this
 * build rather than the calls.
 */
static int (*init_static)(const struct kb_ops *, const struct kb_config *);
static long (*handle_syscall)(long, __u64, __u64, __u64, __u64, __u64,
			      __u64);
static __u64 (*syscall_count)(long);
static void (*layer_exit)(void);
static void *lib;
#else
#define LINK "static"

/* Linked in: the calls in the loop are direct calls into libkbridge.a. */
#define init_static	kb_init_static
#define handle_syscall	kb_handle_syscall
#define syscall_count	kb_syscall_count
#define layer_exit	kb_exit
#endif

enum decision { D_STUB, D_PASS };

struct bench {
	enum decision decision;
	unsigned long iters;
	int have_want;		/* -e given */
	long want;		/* what every call must return */
	const char *libpath;	/* -l, dlopen build only */
};

/* ---- the host: this program's kb_ops.syscall ---- */

static long host_pid;
static unsigned long host_calls;

/*
 * The trivial host operation of the pass: getpid answered from memory.
 * Counted, so that a stub that ran the host (or a pass that did not)
 * shows even if its result happened to be right.
 */
static long bench_host_syscall(long nr, const __u64 *args)
{
	(void)args;
	host_calls++;
	return nr == SYS_getpid ? host_pid : -ENOSYS;
}

static const struct kb_ops bench_ops = {
	.size = sizeof(struct kb_ops),
	/* The rest NULL: libkbridge's Linux defaults, never used here. */
	.syscall = bench_host_syscall,
};

/* One policy for both decisions: the row picks which one it times. */
static const struct kb_rule_desc bench_rules[] = {
	{ .nr = SYS_getppid, .tier = KB_TIER_STUBBED,
	  .action = KB_ACTION_STUB, .value = ENOSYS },
	{ .nr = SYS_getpid, .tier = KB_TIER_FULL, .action = KB_ACTION_PASS },
};

static const struct kb_config bench_config = {
	.size = sizeof(struct kb_config),
	/* Whatever no rule names would pass: only the rules decide here. */
	.stub = KB_STUB_PASS,
	.threading = KB_THREADS_SINGLE,
	.rules = bench_rules,
	.nr_rules = sizeof(bench_rules) / sizeof(bench_rules[0]),
};

#ifdef KB_BENCH_DLOPEN
static void *sym(const char *name)
{
	const char *err;
	void *p;

	dlerror();
	p = dlsym(lib, name);
	if (!p) {
		err = dlerror();
		fprintf(stderr, "integration_bench: %s: %s\n", name,
			err ? err : "symbol is NULL");
	}
	return p;
}

static int load(const char *path)
{
	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "integration_bench: %s\n", dlerror());
		return -1;
	}
	init_static = (int (*)(const struct kb_ops *,
			       const struct kb_config *))sym("kb_init_static");
	handle_syscall = (long (*)(long, __u64, __u64, __u64, __u64, __u64,
				   __u64))sym("kb_handle_syscall");
	syscall_count = (__u64 (*)(long))sym("kb_syscall_count");
	layer_exit = (void (*)(void))sym("kb_exit");
	return init_static && handle_syscall && syscall_count && layer_exit ?
	       0 : -1;
}
#endif

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * Not inlined, and every result compared, so that each iteration is one
 * call whatever the compiler sees. Adds the wrong results to *bad; the
 * first of all goes to *first.
 */
static __attribute__((noinline)) void
bench_loop(unsigned long n, long nr, long want, unsigned long *bad,
	   long *first)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		long r = handle_syscall(nr, 0, 0, 0, 0, 0, 0);

		if (r != want && !(*bad)++)
			*first = r;
	}
}

/* ---- options ---- */

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct bench *b = state->input;
	int is_errno;
	char *end;

	switch (key) {
	case 'd':
		if (!strcmp(arg, "stub"))
			b->decision = D_STUB;
		else if (!strcmp(arg, "pass"))
			b->decision = D_PASS;
		else
			argp_error(state, "unknown decision '%s' (stub, pass)",
				   arg);
		break;
	case 'n':
		errno = 0;
		b->iters = strtoul(arg, &end, 10);
		if (errno || *end || !*arg || arg[0] == '-' || !b->iters)
			argp_error(state, "bad iteration count '%s'", arg);
		break;
	case 'e':
		/* kb_handle_syscall returns -errno itself: no errno variable. */
		is_errno = !strncmp(arg, "errno:", 6);
		if (!is_errno && strncmp(arg, "value:", 6))
			argp_error(state,
				   "bad expectation '%s': not errno:N or value:V",
				   arg);
		errno = 0;
		b->want = strtol(arg + 6, &end, 0);
		if (errno || *end || !arg[6] ||
		    (is_errno && (b->want < 1 || b->want > 4095)))
			argp_error(state, "bad expectation '%s'", arg);
		if (is_errno)
			b->want = -b->want;
		b->have_want = 1;
		break;
#ifdef KB_BENCH_DLOPEN
	case 'l':
		b->libpath = arg;
		break;
#endif
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option options[] = {
	{ "decision", 'd', "D", 0,
	  "stub (default: getppid, stubbed with ENOSYS by a tier 3 rule) or "
	  "pass (getpid, passed to the program's own kb_ops.syscall, which "
	  "returns the pid without a syscall)", 0 },
	{ "iters", 'n', "N", 0, "Timed calls (default 1000000)", 0 },
	{ "expect", 'e', "WHAT", 0,
	  "What every call must return: errno:N (-N) or value:V. Default: "
	  "errno:38 for stub, the pid for pass", 0 },
#ifdef KB_BENCH_DLOPEN
	{ "lib", 'l', "PATH", 0,
	  "The library to dlopen (default libkbridge.so.0, found through "
	  "the run path next to the build)", 0 },
#endif
	{ 0 }
};

static const struct argp argp = {
	options, parse_opt, NULL,
	"Time kb_handle_syscall() through libkbridge ("
#ifdef KB_BENCH_DLOPEN
	"dlopen + dlsym of libkbridge.so"
#else
	"linked with libkbridge.a"
#endif
	") and check every result.\v"
	"Prints: integration_bench link=" LINK
	" decision=D iters=N ns_per_call=X\n",
	NULL, NULL, NULL
};

/* ---- main ---- */

int main(int argc, char **argv)
{
	struct bench b = {
		.decision = D_STUB,
		.iters = 1000000,
		.libpath = "libkbridge.so.0",
	};
	const char *dname;
	unsigned long warm, calls, bad = 0, want_host;
	long nr, first = 0;
	__u64 counted;
	double t0, t1;
	int ret;

	argp_parse(&argp, argc, argv, 0, NULL, &b);
	dname = b.decision == D_STUB ? "stub" : "pass";
	host_pid = getpid();
	nr = b.decision == D_STUB ? SYS_getppid : SYS_getpid;
	if (!b.have_want)
		b.want = b.decision == D_STUB ? -ENOSYS : host_pid;
#ifdef KB_BENCH_DLOPEN
	if (load(b.libpath))
		return 1;
#endif
	ret = init_static(&bench_ops, &bench_config);
	if (ret) {
		fprintf(stderr, "integration_bench: kb_init_static: %s\n",
			strerror(-ret));
		return 1;
	}

	warm = b.iters / 20 < 10000 ? b.iters / 20 : 10000;
	bench_loop(warm, nr, b.want, &bad, &first);
	t0 = now_ns();
	bench_loop(b.iters, nr, b.want, &bad, &first);
	t1 = now_ns();

	calls = warm + b.iters;
	want_host = b.decision == D_PASS ? calls : 0;
	counted = syscall_count(nr);
	layer_exit();
#ifdef KB_BENCH_DLOPEN
	if (dlclose(lib)) {
		fprintf(stderr, "integration_bench: dlclose: %s\n", dlerror());
		return 1;
	}
#endif
	if (bad) {
		fprintf(stderr,
			"integration_bench: " LINK ": %s: %lu of %lu calls were wrong, the first: kb_handle_syscall(%ld) returned %ld, expected %ld\n",
			dname, bad, calls, nr, first, b.want);
		return 1;
	}
	if (host_calls != want_host) {
		fprintf(stderr,
			"integration_bench: " LINK ": %s: the host's syscall service ran %lu times, expected %lu\n",
			dname, host_calls, want_host);
		return 1;
	}
	if (counted != calls) {
		fprintf(stderr,
			"integration_bench: " LINK ": %s: libkbridge counted %llu calls of %ld, expected %lu\n",
			dname, (unsigned long long)counted, nr, calls);
		return 1;
	}
	printf("integration_bench link=" LINK " decision=%s iters=%lu ns_per_call=%.2f\n",
	       dname, b.iters, (t1 - t0) / b.iters);
	return 0;
}
