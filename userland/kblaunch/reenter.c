// SPDX-License-Identifier: GPL-2.0
/*
 * kblaunch in re-entry mode: the program exec'd, and the runtime turned
 * its execve into an exec of kblaunch (rt/exec.c, KBRT_REENTRY_ARG in
 * rt/rt.h). This is the same task - same pid, same parent, still a member
 * of the session - and what the program exec'd must now start here the
 * way a fresh kblaunch child starts a program, with no supervisor forked
 * again: the supervisor of the first kblaunch is still waiting for this
 * pid, and writes the report.
 *
 *   argv: STATE FILENAME [PROGRAM ARGV...]
 *
 * The runtime has checked the file already; what still fails here is
 * past the exec's point of no return (diag.c: SIGSEGV, like the kernel).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kblaunch.h"

/* STATE: "MODE,KBFD,CNTFD,SELFFD,FILEFD,FLAGS" */
#define KB_STATE_FIELDS	7

static void parse_state(const char *state, int v[KB_STATE_FIELDS])
{
	const char *p = state;
	char *end;
	long n;
	int i;

	for (i = 0; i < KB_STATE_FIELDS; i++) {
		errno = 0;
		n = strtol(p, &end, 10);
		if (errno || end == p || n < -1 || n > 0x7fffffff ||
		    *end != (i < KB_STATE_FIELDS - 1 ? ',' : '\0'))
			kb_die("%s: bad re-entry state '%s' (not for use by hand)",
			       KBRT_REENTRY_ARG, state);
		v[i] = (int)n;
		p = end + 1;
	}
}

noreturn void kb_reenter(int argc, char **argv, const Elf64_auxv_t *auxv)
{
	struct kbrt_config cfg = { .kbfd = -1, .cntfd = -1, .onlyfd = -1,
				   .follow_exec = 1 };
	static char empty[] = "";
	static char *no_args[] = { empty, NULL };
	struct kb_program prog;
	char **pargv = argv + 2;
	int v[KB_STATE_FIELDS], pargc = argc - 2, fd;
	sigset_t mask;

	parse_state(argv[0], v);
	kb_fail_after_exec();
	cfg.mode = v[0];
	cfg.verbose = !!(v[5] & KBRT_REENTRY_VERBOSE);
	cfg.vdso_hide = !!(v[5] & KBRT_REENTRY_VDSO_HIDE);
	cfg.sigsys = v[5] & (KBRT_REENTRY_SIGSYS_BLOCKED |
			     KBRT_REENTRY_SIGSYS_IGNORED |
			     KBRT_REENTRY_SIGSYS_PENDING);
	if (v[3] < 0 || v[4] < 0 ||
	    (cfg.mode == KBRT_MODE_MODULE && v[1] < 0) ||
	    (cfg.mode == KBRT_MODE_LOCAL && v[2] < 0) ||
	    (cfg.mode != KBRT_MODE_MODULE && cfg.mode != KBRT_MODE_LOCAL))
		kb_die("%s: incomplete re-entry state '%s'", KBRT_REENTRY_ARG,
		       argv[0]);

	/* Close-on-exec again, at the numbers they had (rt/ownfds.c). */
	cfg.selffd = kb_keep_fd(v[3], "kblaunch");
	if (cfg.mode == KBRT_MODE_MODULE) {
		struct kb_session_join join = { .size = sizeof(join) };

		cfg.kbfd = kb_keep_fd(v[1], "kbridge");
		/* A member already (the task survived the exec): a no-op. */
		if (ioctl(cfg.kbfd, KB_IOC_SESSION_JOIN, &join))
			kb_die("KB_IOC_SESSION_JOIN: %s", strerror(errno));
	} else {
		struct stat st;
		int err;

		cfg.cntfd = kb_keep_fd(v[2], "counters");
		if (fstat(cfg.cntfd, &st) ||
		    (uint64_t)st.st_size < sizeof(*cfg.counters))
			kb_die("the counters' memfd is not an area");
		cfg.counters = mmap(NULL, (size_t)st.st_size,
				    PROT_READ | PROT_WRITE, MAP_SHARED,
				    cfg.cntfd, 0);
		if (cfg.counters == MAP_FAILED)
			kb_die("cannot map the counters: %s", strerror(errno));
		if (cfg.counters->size != (uint64_t)st.st_size)
			kb_die("the counters' memfd is not an area");
		/* The same entries, the same hit counters: the same policy. */
		err = kbrt_policy_build(cfg.counters, &cfg.policy);
		if (err)
			kb_die("cannot build the in-process policy again: %s",
			       strerror(-err));
	}
	fd = v[4];
	if (fcntl(fd, F_SETFD, FD_CLOEXEC))
		kb_die("%s: the program's file is not open: %s", argv[1],
		       strerror(errno));

	/* execve with an empty argv: the kernel gives the program "" (5.18+). */
	if (pargc == 0) {
		pargv = no_args;
		pargc = 1;
	}
	if (cfg.verbose)
		fprintf(stderr, "kblaunch: pid %d exec %s\n", getpid(),
			argv[1]);
	if (v[6] >= 0)
		cfg.onlyfd = kb_keep_fd(v[6], "--only list");
	kb_load_fd(argv[1], fd, pargv, pargc, &prog, cfg.verbose);
	kb_scope(&cfg, &prog);

	/* The mask survived the exec, as it does natively. */
	sigprocmask(SIG_BLOCK, NULL, &mask);
	kb_start(&cfg, &prog, &mask, auxv,
		 v[5] & KBRT_REENTRY_COMM_FROM_FILE);
}
