/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kblaunch: declarations shared by its files (supervisor, child, loader,
 * initial stack, report).
 */
#ifndef KBLAUNCH_H
#define KBLAUNCH_H

#include <elf.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "../rt/rt.h"
#include "../lib/ioctl.h"

/* Exit statuses of kblaunch's own failures, as a shell would report. */
#define KB_EXIT_SETUP		1	/* module, options, report file */
#define KB_EXIT_NOEXEC		126	/* found but cannot be run */
#define KB_EXIT_NOTFOUND	127	/* PROGRAM not found */

/* What the supervisor hands to the child it forks. */
struct kb_launch {
	char **argv;			/* PROGRAM [ARGS...] */
	int argc;
	bool verbose;
	bool follow_exec;		/* not --no-follow-exec */
	bool fastpath;			/* not --no-fastpath: in-kernel decisions */
	bool in_kernel;			/* --in-kernel: no runtime, native execs */
	bool vdso_hide;			/* --vdso=hide */
	uint64_t features;		/* module mode: KB_FEATURE_* of the module */
	enum kbrt_mode mode;
	int kbfd;			/* module mode: /dev/kbridge */
	int report_fd;			/* the supervisor's, closed in the child */
	struct kbrt_counters *counters;	/* no module: the shared area */
	int cntfd;			/* ... its memfd */
	const struct kb_policy *policy;	/* no module: built from the area */
	int onlyfd;			/* --only: the list's memfd, or -1 */
	sigset_t mask;			/* the mask kblaunch was started with */
	int sigsys;			/* ... SIGSYS: KBRT_REENTRY_SIGSYS_* */
	const Elf64_auxv_t *auxv;	/* kblaunch's own auxiliary vector */
};

/* One ELF file mapped into the process. */
struct kb_image {
	uint64_t bias;			/* load address - link address */
	uint64_t entry;			/* in memory */
	uint64_t phdr;			/* program headers in memory, or 0 */
	uint16_t phnum;
	bool exec_stack;		/* PT_GNU_STACK asks for PF_X */
};

/* The program as the kernel's execve would have set it up. */
struct kb_program {
	char *path;			/* PROGRAM resolved: AT_EXECFN, comm */
	char **argv;			/* argv after #! rewriting */
	int argc;
	char *elf_path;			/* the ELF file actually run */
	char *interp_path;		/* its PT_INTERP, or NULL */
	struct kb_image main;
	struct kb_image interp;		/* valid when interp_path */
	uint64_t entry;			/* first instruction: interp's or main's */
	char exe[PATH_MAX];		/* elf_path, canonical: /proc/self/exe */
};

/*
 * Where kblaunch's own fds go in the program's process when they cannot
 * go above its soft RLIMIT_NOFILE (kb_fd_min()): KB_FD_ROOM numbers for
 * them and their moves; above KB_FD_ABOVE_MAX, fd tables grow too large.
 */
#define KB_FD_MIN		1000
#define KB_FD_ROOM		8
#define KB_FD_ABOVE_MAX		65536

/* child.c */
noreturn void kb_child(const struct kb_launch *l);
/* scope.c: a memfd of the --only list; whether @prog is under test. */
int kb_only_fd(char **paths, int n);
void kb_scope(struct kbrt_config *cfg, const struct kb_program *prog);

noreturn void kb_start(struct kbrt_config *cfg, const struct kb_program *prog,
		       const sigset_t *mask, const Elf64_auxv_t *auxv,
		       bool comm_from_file);
int kb_fd_min(void);
int kb_move_high(int fd, const char *what);
int kb_keep_fd(int fd, const char *what);
int kb_open_self(void);

/* reenter.c: kblaunch exec'd by the runtime for the program's execve */
noreturn void kb_reenter(int argc, char **argv, const Elf64_auxv_t *auxv);

/* diag.c: print "kblaunch: ..." and exit */
noreturn void kb_die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
noreturn void kb_fail(int status, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void kb_fail_after_exec(void);

/* loader.c */
void kb_load(const char *name, char **argv, int argc, struct kb_program *p,
	     bool verbose);
/* privs.c: fail (126) if @fd is a program that runs with more privilege */
void kb_refuse_privileged(const char *what, const char *path, int fd);
/* loader.c, --in-kernel: exec @name as execvp would, checked as kb_load()
 * checks it, with the signal @mask; returns only to exit 126 or 127. */
noreturn void kb_exec_native(const char *name, char **argv,
			     const sigset_t *mask);
void kb_load_fd(char *filename, int fd, char **argv, int argc,
		struct kb_program *p, bool verbose);

/* stack.c */
uint64_t kb_build_stack(const struct kb_program *p, char **envp,
			const Elf64_auxv_t *auxv, bool vdso_hide, bool verbose);
/* Unmap the vDSO and its data pages ([vdso], [vvar]): --vdso=hide. */
void kb_unmap_vdso(void);

/* report.c: the --report file (docs/report.md) */
struct kb_profile;

/* What a report says about one finished run. */
struct kb_report {
	const char *release;		/* the module's, or kblaunch's */
	uint32_t api;
	const char *mode;		/* "module" or "no-module" */
	const char *path;		/* "fastpath", "ioctl" or "in-process" */
	const struct kb_profile *profile;	/* --profile, or NULL */
	int wstatus;			/* the program's, from waitpid() */
	const uint64_t *counts;		/* per syscall number */
	uint32_t nr_counts;
	uint64_t total;
	uint64_t fastpath;
	uint64_t out_of_range;
	int64_t joined;			/* -1: not known (no-module) */
	int64_t last_changed;		/* latest call stubbed or faked, -1 */
	const struct kb_rules *rules;	/* NULL: no rules in the report */
	/* io_uring operations per opcode, KB_URING_OPS; NULL: not counted */
	const uint64_t *uring_ops;
	const char *uring_why;		/* ... and why not */
};

/* @r written to @fd as JSON, or as the older text format; 0 or -errno. */
int kb_report_write(int fd, const struct kb_report *r, bool text);

#endif /* KBLAUNCH_H */
