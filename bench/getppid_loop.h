/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checked getppid loop shared by the benchmark programs: what every
 * call must return, the loop that checks it, and the clock around it.
 */
#ifndef GETPPID_LOOP_H
#define GETPPID_LOOP_H

#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum expect_kind { E_DEFAULT, E_PPID, E_ERRNO, E_VALUE };

/* What every getppid must give: a return value, and errno if it is -1. */
struct expect {
	enum expect_kind kind;
	long arg;
	long ret;
	int err;
};

/*
 * Parse -e WHAT (ppid, errno:N, value:V) into e->kind and e->arg; NULL,
 * or why WHAT is not one.
 */
static inline const char *expect_parse(struct expect *e, const char *arg)
{
	char *end;

	if (!strcmp(arg, "ppid")) {
		e->kind = E_PPID;
		return NULL;
	}
	if (!strncmp(arg, "errno:", 6))
		e->kind = E_ERRNO;
	else if (!strncmp(arg, "value:", 6))
		e->kind = E_VALUE;
	else
		return "not ppid, errno:N or value:V";
	arg += 6;
	errno = 0;
	e->arg = strtol(arg, &end, 0);
	if (errno || *end || !*arg ||
	    (e->kind == E_ERRNO && (e->arg < 1 || e->arg > 4095)))
		return "bad number";
	/* syscall() turns these into -1 and errno: say errno:N. */
	if (e->kind == E_VALUE && e->arg >= -4095 && e->arg <= -1)
		return "a value in -4095..-1 reads as -1 with an errno: use errno:N";
	return NULL;
}

/*
 * The options every getppid program takes: -e WHAT, and no arguments.
 * For an argp parser's default case.
 */
static inline error_t getppid_common_opt(int key, char *arg,
					 struct argp_state *state,
					 struct expect *e)
{
	const char *why;

	switch (key) {
	case 'e':
		why = expect_parse(e, arg);
		if (why)
			argp_error(state, "bad expectation '%s': %s", arg, why);
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

/*
 * The parent as the kernel reports it outside getppid, so that a getppid
 * that is stubbed or faked cannot vouch for itself.
 */
static inline long proc_ppid(void)
{
	char buf[1024], *p;
	size_t n;
	long ppid;
	FILE *f = fopen("/proc/self/stat", "r");

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* comm may hold spaces and ')': the state follows the last ')'. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return ppid;
}

/* Turn e->kind and e->arg into e->ret and e->err; -1 if /proc fails. */
static inline int expect_resolve(struct expect *e)
{
	e->err = 0;
	switch (e->kind) {
	case E_PPID:
	case E_DEFAULT:
		e->ret = proc_ppid();
		return e->ret < 0 ? -1 : 0;
	case E_ERRNO:
		e->ret = -1;
		e->err = (int)e->arg;
		return 0;
	default:
		e->ret = e->arg;
		return 0;
	}
}

static inline double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * Not inlined and with the result checked every time, so the compiler
 * keeps one syscall per iteration. Returns the number of wrong results;
 * the first one goes to *bad_ret and *bad_errno.
 */
static __attribute__((noinline, unused)) unsigned long
getppid_loop(unsigned long n, const struct expect *e, long *bad_ret,
	     int *bad_errno)
{
	unsigned long i, bad = 0;

	for (i = 0; i < n; i++) {
		long r;

		errno = 0;
		r = syscall(SYS_getppid);
		if (r != e->ret || (e->ret == -1 && errno != e->err)) {
			if (!bad) {
				*bad_ret = r;
				*bad_errno = errno;
			}
			bad++;
		}
	}
	return bad;
}

#endif /* GETPPID_LOOP_H */
