/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbridge runtime: what kblaunch sees of it.
 *
 * kblaunch (with libc) calls kbrt_setup() once, just before it arms SUD
 * and jumps to the program; from then on only the runtime runs on behalf
 * of kbridge inside the process, from the SIGSYS handler, with no libc.
 */
#ifndef KBRT_RT_H
#define KBRT_RT_H

#include <stdint.h>
#include <linux/kbridge.h>

/* Who decides what a trapped syscall does. */
enum kbrt_mode {
	KBRT_MODE_MODULE = 1,	/* ioctl(KB_IOC_SYSCALL) to kbridge.ko */
	KBRT_MODE_LOCAL,	/* in process, by the tier core (no module) */
};

struct kb_policy;
struct kb_get_rules;

/*
 * The area of runs without the module: one memfd the supervisor makes
 * and maps MAP_SHARED before it forks, so that the program, its threads,
 * its forked children and the images it execs all count into the one
 * place the supervisor reads at the end, as the module's session
 * counters do. It also carries the policy's entries, so that an image
 * after exec builds the same policy, whose rule hit counters live here
 * too, at the same offsets (kbrt_policy_build()).
 *
 * @rules_off:   offset of @rules_count struct kb_rule_desc, as
 *               KB_IOC_SET_RULES takes them but with each glob's @path an
 *               offset into the area
 * @hits_off, @hits_len: the rule hit counters, zero when the area is made
 * @size:        bytes of the whole area
 */
struct kbrt_counters {
	uint64_t total;
	uint64_t out_of_range;
	/* 1 + the number of the latest call stubbed or faked; 0: none yet. */
	uint64_t last_changed;
	uint64_t nr[KB_NR_SYSCALLS];
	uint64_t rules_off;
	uint64_t rules_count;
	uint64_t hits_off;
	uint64_t hits_len;
	uint64_t size;
};

/*
 * Build the in-process policy from the entries in @area (mapped whole),
 * its hit counters in the area's: every build from one area places them
 * at the same offsets, so they keep counting across exec and the
 * supervisor reads them with its own build. 0 with *@out set, or -errno.
 */
int kbrt_policy_build(struct kbrt_counters *area, const struct kb_policy **out);

/* KB_IOC_GET_RULES of a kbrt_policy_build() policy, in this process. */
int kbrt_policy_rules(const struct kb_policy *p, struct kb_get_rules *req);

/*
 * Following exec (rt/exec.c): the runtime turns the program's execve into
 *
 *   execveat(SELFFD, "", { "kblaunch", KBRT_REENTRY_ARG, STATE, FILENAME,
 *                          the program's argv... }, the program's envp,
 *            AT_EMPTY_PATH)
 *
 * and kblaunch, seeing KBRT_REENTRY_ARG as its first argument, loads
 * FILENAME's file into the new image (kblaunch/reenter.c). STATE is
 * "MODE,KBFD,CNTFD,SELFFD,FILEFD,FLAGS,ONLYFD" in decimal: the fds are
 * copies without close-on-exec made for this exec (-1: none), FILEFD is
 * the target opened for reading, FLAGS are KBRT_REENTRY_*, ONLYFD the
 * kblaunch --only list.
 */
#define KBRT_REENTRY_ARG	"--kbridge-exec-reentry"
#define KBRT_REENTRY_VERBOSE		0x01	/* kblaunch -v */
#define KBRT_REENTRY_SIGSYS_BLOCKED	0x02	/* the thread had SIGSYS blocked */
#define KBRT_REENTRY_SIGSYS_IGNORED	0x04	/* SIGSYS was SIG_IGN */
#define KBRT_REENTRY_SIGSYS_PENDING	0x08	/* ... and one was pending */
#define KBRT_REENTRY_COMM_FROM_FILE	0x10	/* fexecve: comm from the file */
#define KBRT_REENTRY_VDSO_HIDE		0x20	/* kblaunch --vdso=hide */

/* Per-process constants, fixed before the program's first instruction. */
struct kbrt_config {
	int mode;			/* enum kbrt_mode */
	int kbfd;			/* the session's /dev/kbridge fd, or -1 */
	struct kbrt_counters *counters;	/* KBRT_MODE_LOCAL only */
	const struct kb_policy *policy;	/* KBRT_MODE_LOCAL only */
	int cntfd;			/* the memfd of @counters, or -1 */
	int selffd;			/* O_PATH fd of kblaunch, or -1 */
	/*
	 * kblaunch --only: a memfd of the NUL-separated canonical paths of
	 * the programs under test, or -1 (every program is); @out_of_scope:
	 * this image is not one of them, its syscalls run natively and are
	 * not counted.
	 */
	int onlyfd;
	int out_of_scope;
	int fd_min;			/* where the runtime's own fds go */
	uint32_t frame_pad;		/* KBRIDGE_SIGFRAME_PAD (child.c) */
	int follow_exec;		/* exec re-enters through kblaunch */
	int verbose;			/* kblaunch -v, passed on across exec */
	int vdso_hide;			/* --vdso=hide, passed on across exec */
	/* The program's SIGSYS state at start (KBRT_REENTRY_SIGSYS_*). */
	int sigsys;
	uint64_t range_start;		/* SUD allowed range: kbrt_text */
	uint64_t range_len;
	/*
	 * The program's executable (the ELF really run, canonical path):
	 * what /proc/self/exe names natively, where the kernel names
	 * kblaunch. Empty: no /proc/self/exe redirection.
	 */
	char exe[4096];
};

/*
 * Copy @cfg into the runtime's read-only page (the range fields are
 * filled in here) and install the SIGSYS handler with the runtime's
 * restorer. Returns 0 or a -errno. After it, the caller must make no
 * syscall outside kbrt_text once SUD is on: see kbrt_enter().
 */
int kbrt_setup(const struct kbrt_config *cfg);

/* The allowed range (the kbrt_text section), for prctl and for -v. */
void kbrt_range(uint64_t *start, uint64_t *len);

/*
 * Set in @bits (@nbits long, zeroed by the caller) the syscalls the runtime
 * must run itself when they pass, for KB_IOC_SET_FASTPATH.
 */
void kbrt_trap_set(unsigned long *bits, unsigned int nbits);
/*
 * What every path the runtime redirects starts with: of the path
 * syscalls in the trap set, only those need its SIGSYS.
 */
extern const char kbrt_redirect_prefix[];

/*
 * enter.S: prctl(PR_SET_SYSCALL_USER_DISPATCH, ON, start, len, NULL),
 * then with no other syscall: rsp = @sp, rdx = 0 (no rtld_fini), every
 * other general register 0, jump to @entry. Returns only when the prctl
 * fails, with its -errno.
 */
long kbrt_enter(uint64_t start, uint64_t len, uint64_t entry, uint64_t sp);

#endif /* KBRT_RT_H */
