// SPDX-License-Identifier: GPL-2.0
/*
 * kblaunch: the forked child that becomes the program.
 *
 * It joins the session, puts the kbridge fd (or the --no-module counters)
 * and kblaunch's own binary out of the program's way, loads the program
 * and builds its initial stack, restores the signal state kblaunch was
 * started with, installs the runtime and finally arms SUD and jumps to
 * the program's first instruction (kbrt_enter). After that jump nothing
 * of kblaunch runs in this process but the runtime. kb_start() is also
 * the end of an exec followed through kblaunch (reenter.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kblaunch.h"

extern char **environ;

/*
 * Where kblaunch's fds go in the program's process (rt/ownfds.c): at its
 * soft RLIMIT_NOFILE when the hard limit leaves room above it, so that
 * they take no number the program can open without raising its limit;
 * otherwise (soft and hard equal) at KB_FD_MIN, or in the last numbers
 * below a smaller limit. The first answer holds for the whole launch: it
 * is the session's floor (KB_IOC_SET_FASTPATH).
 */
int kb_fd_min(void)
{
	static int floor = -1;
	struct rlimit rl;

	if (floor >= 0)
		return floor;
	floor = KB_FD_MIN;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return floor;
	if (rl.rlim_cur <= KB_FD_ABOVE_MAX &&
	    rl.rlim_max >= rl.rlim_cur + KB_FD_ROOM)
		floor = (int)rl.rlim_cur;
	else if (rl.rlim_cur <= (rlim_t)KB_FD_MIN + KB_FD_ROOM)
		floor = rl.rlim_cur > KB_FD_ROOM ?
			(int)(rl.rlim_cur - KB_FD_ROOM) : 3;
	return floor;
}

/*
 * Move @fd to kb_fd_min() or above, close-on-exec; close the original.
 * The soft limit is raised for the dup and put back: the program starts
 * with the limit kblaunch was given.
 */
int kb_move_high(int fd, const char *what)
{
	int nfd, err, min = kb_fd_min();
	struct rlimit rl, up;
	bool raised = false;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)min + KB_FD_ROOM) {
		up = rl;
		up.rlim_cur = (rlim_t)min + KB_FD_ROOM < rl.rlim_max ?
			      (rlim_t)min + KB_FD_ROOM : rl.rlim_max;
		raised = !setrlimit(RLIMIT_NOFILE, &up);
	}
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, min);
	err = errno;
	if (raised && setrlimit(RLIMIT_NOFILE, &rl))
		kb_die("cannot put RLIMIT_NOFILE back: %s", strerror(errno));
	if (nfd < 0)
		kb_die("cannot move the %s fd above %d: %s", what, min,
		       strerror(err));
	close(fd);
	return nfd;
}

/* An fd passed across exec stays at its number, close-on-exec again. */
int kb_keep_fd(int fd, const char *what)
{
	if (fd >= 0 && fcntl(fd, F_SETFD, FD_CLOEXEC))
		kb_die("the %s fd %d did not survive the exec: %s", what, fd,
		       strerror(errno));
	return fd;
}

/* The lowest of the runtime's fds: where it moves them (rt/ownfds.c). */
static int lowest_own_fd(const struct kbrt_config *cfg)
{
	int fds[] = { cfg->kbfd, cfg->cntfd, cfg->selffd, cfg->onlyfd };
	int low = -1;
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0 && (low < 0 || fds[i] < low))
			low = fds[i];
	return low < 0 ? kb_fd_min() : low;
}

/*
 * kblaunch's own binary, for the runtime to exec when the program execs
 * (rt/exec.c): an O_PATH fd, so that it does not matter where kblaunch
 * was found or whether its path still leads to it.
 */
int kb_open_self(void)
{
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	int fd;

	fd = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	if (fd < 0 && execfn)
		fd = open(execfn, O_PATH | O_CLOEXEC);
	if (fd < 0)
		kb_die("cannot open kblaunch's own binary (no /proc?), needed to follow exec: %s; use --no-follow-exec",
		       strerror(errno));
	return kb_move_high(fd, "kblaunch");
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

/*
 * KBRIDGE_SIGFRAME_PAD (bytes, at most 64 KiB): a test knob. Every trap
 * then takes that much more stack, as a CPU with larger signal frames
 * (AVX-512, AMX) would, so that tests on a machine with small frames find
 * what only large ones would break. Read at every start, exec included.
 */
static uint32_t kb_frame_pad(void)
{
	const char *v = getenv("KBRIDGE_SIGFRAME_PAD");
	unsigned long n;
	char *end;

	if (!v || !*v)
		return 0;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n > 65536)
		kb_die("KBRIDGE_SIGFRAME_PAD=%s: not a byte count up to 65536",
		       v);
	return (uint32_t)n;
}

noreturn void kb_start(struct kbrt_config *cfg, const struct kb_program *prog,
		       const sigset_t *mask, const Elf64_auxv_t *auxv,
		       bool comm_from_file)
{
	uint64_t sp, start, len;
	char comm[16];
	sigset_t m;
	long ret;

	/* What /proc/self/exe would name natively (see rt/selfexe.c). */
	if (strlen(prog->exe) >= sizeof(cfg->exe))
		kb_die("%s: path too long", prog->exe);
	memcpy(cfg->exe, prog->exe, strlen(prog->exe) + 1);
	cfg->fd_min = lowest_own_fd(cfg);
	cfg->frame_pad = kb_frame_pad();
	sp = kb_build_stack(prog, environ, auxv, cfg->vdso_hide, cfg->verbose);

	/*
	 * The kernel names a task after the file it executes: the name it
	 * was given, or for fexecve the file's own name.
	 */
	snprintf(comm, sizeof(comm), "%s",
		 basename(comm_from_file ? (char *)prog->exe : prog->path));
	prctl(PR_SET_NAME, comm, 0, 0, 0);

	/*
	 * The mask kblaunch started with (the supervisor blocked the
	 * forwarded signals around fork), except SIGSYS: a trap while SIGSYS
	 * is blocked kills the process.
	 */
	m = *mask;
	sigdelset(&m, SIGSYS);
	/*
	 * A real SIGSYS sent to this process while it still had SIGSYS
	 * blocked would kill it as soon as it is unblocked: take it.
	 */
	if (cfg->sigsys & KBRT_REENTRY_SIGSYS_PENDING) {
		struct timespec zero = { 0, 0 };
		sigset_t sys;

		sigemptyset(&sys);
		sigaddset(&sys, SIGSYS);
		sigtimedwait(&sys, NULL, &zero);
	}
	sigprocmask(SIG_SETMASK, &m, NULL);

	rseq_release(cfg->verbose);

	kbrt_range(&start, &len);
	if (cfg->verbose) {
		if (cfg->kbfd >= 0)
			fprintf(stderr, "kblaunch: kbridge fd %d\n", cfg->kbfd);
		fprintf(stderr,
			"kblaunch: SUD allowed range 0x%llx+0x%llx, stack 0x%llx, first instruction 0x%llx\n",
			(unsigned long long)start, (unsigned long long)len,
			(unsigned long long)sp,
			(unsigned long long)prog->entry);
	}
	/* From here on kblaunch asks libc for no time: the vDSO can go. */
	if (cfg->vdso_hide)
		kb_unmap_vdso();
	ret = kbrt_setup(cfg);
	if (ret)
		kb_die("cannot install the runtime: %s", strerror((int)-ret));
	ret = kbrt_enter(start, len, prog->entry, sp);
	kb_die("cannot arm syscall user dispatch: %s%s", strerror((int)-ret),
	       ret == -EINVAL ? " (kernel without CONFIG_SYSCALL_USER_DISPATCH?)" :
	       "");
}

/*
 * Let the module decide in the kernel what needs no process context: no
 * SIGSYS for a pass, a stub or a fake. Optional: without it (an older
 * module, or a hook that could not be armed) everything goes through
 * SIGSYS and KB_IOC_SYSCALL, with the same results.
 */
static void kb_fastpath(const struct kb_launch *l)
{
	unsigned long trap[KB_NR_SYSCALLS / (8 * sizeof(unsigned long))] = { 0 };
	struct kb_set_fastpath fp = {
		.size = sizeof(fp), .enable = 1, .nr_bits = KB_NR_SYSCALLS,
		.trap = (uintptr_t)trap,
	};

	kbrt_trap_set(trap, KB_NR_SYSCALLS);
	/*
	 * Of the trap set, only the runtime's own fds and the paths it
	 * redirects need its SIGSYS: a module that can tell them apart
	 * decides the other closes and opens in the kernel too.
	 */
	if (l->features & KB_FEATURE_TRAP_ARGS) {
		fp.fd_floor = (__u32)kb_fd_min();
		fp.path_prefix_len = (__u32)strlen(kbrt_redirect_prefix);
		if (fp.path_prefix_len > sizeof(fp.path_prefix))
			kb_die("the runtime's path prefix is too long");
		memcpy(fp.path_prefix, kbrt_redirect_prefix,
		       fp.path_prefix_len);
	} else {
		fp.size = offsetof(struct kb_set_fastpath, fd_floor);
	}
	if (ioctl(l->kbfd, KB_IOC_SET_FASTPATH, &fp))
		kb_die("KB_IOC_SET_FASTPATH: %s", strerror(errno));
	if (l->verbose)
		fprintf(stderr, "kblaunch: decisions: %s\n", fp.armed ?
			"in-kernel fast path" :
			"ioctl (SIGSYS), the module's fast path is not armed");
}

/*
 * --in-kernel: join the KB_SESSION_NO_RUNTIME session and exec the program
 * natively. The module dispatches the task from that exec on, and every
 * task and exec that follows, deciding each syscall at entry: no runtime,
 * no loader, no re-entry. The device's fd is close-on-exec.
 */
static noreturn void kb_child_in_kernel(const struct kb_launch *l)
{
	struct kb_session_join join = { .size = sizeof(join) };

	if (geteuid() != 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		kb_die("prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
	if (ioctl(l->kbfd, KB_IOC_SESSION_JOIN, &join))
		kb_die("KB_IOC_SESSION_JOIN: %s", strerror(errno));
	if (l->verbose)
		fprintf(stderr, "kblaunch: --in-kernel: pid %d execs %s natively\n",
			getpid(), l->argv[0]);
	kb_exec_native(l->argv[0], l->argv, &l->mask);
}

noreturn void kb_child(const struct kb_launch *l)
{
	struct kbrt_config cfg = {
		.mode = l->mode, .kbfd = -1, .cntfd = -1, .selffd = -1,
		.onlyfd = -1,
		.follow_exec = l->follow_exec, .verbose = l->verbose,
		.vdso_hide = l->vdso_hide,
	};
	struct kb_program prog;

	if (l->report_fd >= 0)
		close(l->report_fd);
	if (l->in_kernel)
		kb_child_in_kernel(l);
	if (l->mode == KBRT_MODE_MODULE) {
		struct kb_session_join join = { .size = sizeof(join) };

		/* Before joining: a locked session's members may not. */
		if (l->fastpath && (l->features & KB_FEATURE_FASTPATH))
			kb_fastpath(l);
		/* The module's condition for joining without CAP_SYS_ADMIN. */
		if (geteuid() != 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			kb_die("prctl(PR_SET_NO_NEW_PRIVS): %s",
			       strerror(errno));
		if (ioctl(l->kbfd, KB_IOC_SESSION_JOIN, &join))
			kb_die("KB_IOC_SESSION_JOIN: %s", strerror(errno));
		cfg.kbfd = kb_move_high(l->kbfd, "kbridge");
	} else {
		cfg.counters = l->counters;
		cfg.policy = l->policy;
		cfg.cntfd = kb_move_high(l->cntfd, "counters");
	}
	if (l->follow_exec)
		cfg.selffd = kb_open_self();
	cfg.sigsys = l->sigsys;

	if (l->onlyfd >= 0)
		cfg.onlyfd = kb_move_high(l->onlyfd, "--only list");

	kb_load(l->argv[0], l->argv, l->argc, &prog, l->verbose);
	kb_scope(&cfg, &prog);
	kb_start(&cfg, &prog, &l->mask, l->auxv, false);
}
