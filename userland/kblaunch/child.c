// SPDX-License-Identifier: GPL-2.0
/*
 * kblaunch: the forked child that becomes the program.
 *
 * It joins the session, puts the kbridge fd out of the program's way,
 * loads the program and builds its initial stack, restores the signal
 * state kblaunch was started with, installs the runtime and finally arms
 * SUD and jumps to the program's first instruction (kbrt_enter). After
 * that jump nothing of kblaunch runs in this process but the runtime.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kblaunch.h"

extern char **environ;

/* Lowest fd the kbridge fd moves to, so the program's fds start at 3. */
#define KB_FD_MIN	1000

/*
 * Move @fd high (close-on-exec, below RLIMIT_NOFILE) and close the
 * original, so that the program's first open() returns 3 as it would
 * natively.
 */
static int move_high(int fd)
{
	struct rlimit rl;
	long min = KB_FD_MIN;
	int nfd;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur <= (rlim_t)KB_FD_MIN + 1)
		min = (long)rl.rlim_cur - 1;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, min);
	if (nfd < 0)
		kb_die("cannot move the kbridge fd above %ld: %s", min,
		    strerror(errno));
	close(fd);
	return nfd;
}

/*
 * kblaunch's libc registered rseq for this thread, with an area in
 * kblaunch's own TLS. Unregister it so that the program's libc can
 * register its own, as it would in a fresh process.
 */
static void rseq_release(bool verbose)
{
	char *area = (char *)__builtin_thread_pointer() + __rseq_offset;
	long ret;

	if (!__rseq_size)
		return;
	ret = syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER,
		      RSEQ_SIG);
	/* glibc registers 32 bytes even when it reports a smaller size. */
	if (ret && __rseq_size != 32)
		ret = syscall(SYS_rseq, area, 32, RSEQ_FLAG_UNREGISTER,
			      RSEQ_SIG);
	if (ret && verbose)
		fprintf(stderr,
			"kblaunch: cannot unregister kblaunch's rseq area: %s\n",
			strerror(errno));
}

noreturn void kb_child(const struct kb_launch *l)
{
	struct kbrt_config cfg = { .mode = l->mode, .kbfd = -1 };
	struct kb_program prog;
	uint64_t sp, start, len;
	char comm[16], exe[PATH_MAX];
	sigset_t mask;
	long ret;

	if (l->report_fd >= 0)
		close(l->report_fd);
	if (l->mode == KBRT_MODE_MODULE) {
		struct kb_session_join join = { .size = sizeof(join) };

		if (ioctl(l->kbfd, KB_IOC_SESSION_JOIN, &join))
			kb_die("KB_IOC_SESSION_JOIN: %s", strerror(errno));
		cfg.kbfd = move_high(l->kbfd);
	} else {
		cfg.counters = l->counters;
	}

	kb_load(l->argv[0], l->argv, l->argc, &prog, l->verbose);
	/* What /proc/self/exe would name natively (see rt/selfexe.c). */
	if (!realpath(prog.elf_path, exe) || strlen(exe) >= sizeof(cfg.exe))
		kb_die("%s: cannot resolve the path of %s", l->argv[0],
		    prog.elf_path);
	memcpy(cfg.exe, exe, strlen(exe) + 1);
	sp = kb_build_stack(&prog, environ, l->auxv);

	/* The kernel names a task after the file it executes. */
	snprintf(comm, sizeof(comm), "%s", basename(prog.path));
	prctl(PR_SET_NAME, comm, 0, 0, 0);

	/*
	 * The mask kblaunch started with (the supervisor blocked the
	 * forwarded signals around fork), except SIGSYS: a trap while SIGSYS
	 * is blocked kills the process.
	 */
	mask = l->mask;
	sigdelset(&mask, SIGSYS);
	sigprocmask(SIG_SETMASK, &mask, NULL);

	rseq_release(l->verbose);

	kbrt_range(&start, &len);
	if (l->verbose) {
		if (cfg.kbfd >= 0)
			fprintf(stderr, "kblaunch: kbridge fd %d\n", cfg.kbfd);
		fprintf(stderr,
			"kblaunch: SUD allowed range 0x%llx+0x%llx, stack 0x%llx, first instruction 0x%llx\n",
			(unsigned long long)start, (unsigned long long)len,
			(unsigned long long)sp,
			(unsigned long long)prog.entry);
	}
	ret = kbrt_setup(&cfg);
	if (ret)
		kb_die("cannot install the runtime: %s", strerror((int)-ret));
	ret = kbrt_enter(start, len, prog.entry, sp);
	kb_die("cannot arm syscall user dispatch: %s%s", strerror((int)-ret),
	    ret == -EINVAL ? " (kernel without CONFIG_SYSCALL_USER_DISPATCH?)" :
	    "");
}
