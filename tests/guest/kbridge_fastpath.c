// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge in-kernel fast path (KB_IOC_SET_FASTPATH) seen from a process
 * with Syscall User Dispatch armed, as kblaunch's runtime arms it:
 *  - the ioctl's checks (nr_bits, trap pointer, session, flags, size) and
 *    its @armed answer against kb_version.status and the session state;
 *  - a member whose syscalls the policy stubs, fakes, passes or decides by
 *    register conditions gets its answer with no SIGSYS when the hook is
 *    armed, and through SIGSYS + KB_IOC_SYSCALL (same answers, same
 *    counts and rule hits) when it is not or when the session disables it;
 *    path conditions and syscalls in @trap always raise SIGSYS (the
 *    latter unless stubbed or faked);
 *  - the allowed range is never subject to the policy;
 *  - a task that is not a member is left alone (SIGSYS for everything).
 *
 * The SUD process is a child of the test: its allowed range is one page
 * holding only this file's syscall trampoline and signal restorer; its
 * SIGSYS handler (installed with a raw rt_sigaction, since glibc would
 * put its own restorer outside the range) counts signals and answers
 * through KB_IOC_SYSCALL. It records every check in shared memory and the
 * test process judges them. Needs /dev/kbridge (SKIP otherwise) and root.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kbridge_test.h"
#include "kbridge_sud.h"

#define MAX_CHECKS	32

/* How a checked syscall must travel. */
enum path {
	P_INKERNEL,	/* decided at syscall entry: no SIGSYS */
	P_SIGSYS,	/* exactly one SIGSYS, decided by KB_IOC_SYSCALL */
	P_RANGE,	/* made from the allowed range: no decision at all */
};

/* One syscall and what it must give; @nonneg: any ret >= 0 (an fd). */
struct check {
	const char *what;
	long ret, want_ret;
	int err, want_err;
	bool nonneg;
	enum path path;
	unsigned long sigsys;
};

/* Shared between the SUD child and the test: MAP_SHARED. */
struct fp_shared {
	int fd;
	bool member;
	bool fast;		/* the child expects in-kernel decisions */
	volatile unsigned long sigsys;
	volatile unsigned long handler_errors;
	volatile long last_ioctl_err;
	unsigned int nchecks;
	struct check checks[MAX_CHECKS];
	long real_ppid, real_pid;
	int step;		/* last step reached, for a child that dies */
};

static struct fp_shared *sh;

/*
 * SIGSYS: count it, ask the module (member) or nobody (non-member), run
 * the call from the allowed range when told to. Only the trampoline makes
 * syscalls here: one made elsewhere would trap with SIGSYS blocked.
 */
static void on_sigsys(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	struct kb_syscall sc;
	long ret;

	(void)sig;
	sh->sigsys++;
	memset(&sc, 0, sizeof(sc));
	sc.size = sizeof(sc);
	sc.nr = si->si_syscall;
	kb_frame_args(&sc, g);
	if (sh->member) {
		ret = TRAMP3(SYS_ioctl, sh->fd, KB_IOC_SYSCALL, &sc);
		if (ret) {
			sh->handler_errors++;
			sh->last_ioctl_err = ret;
			g[REG_RAX] = -ENOSYS;
			return;
		}
		if (sc.verdict == KB_VERDICT_RESULT) {
			g[REG_RAX] = sc.result;
			return;
		}
	}
	g[REG_RAX] = kb_tramp(sc.nr, sc.args[0], sc.args[1], sc.args[2],
			      sc.args[3], sc.args[4], sc.args[5]);
}

/* Install on_sigsys with the restorer in range, then arm SUD. */
static int sud_arm(void)
{
	if (kb_sud_handler(on_sigsys))
		return -1;
	return kb_sud_on() ? -1 : 0;
}

/*
 * Record one syscall made through libc's syscall() outside the allowed
 * range: its result and the SIGSYS it raised.
 */
static void record(const char *what, long ret, int err, long want_ret,
		   int want_err, enum path path)
{
	struct check *c;

	if (sh->nchecks >= MAX_CHECKS)
		return;
	c = &sh->checks[sh->nchecks++];
	c->what = what;
	c->ret = ret;
	c->err = ret == -1 ? err : 0;
	c->want_ret = want_ret;
	c->want_err = want_err;
	c->nonneg = false;
	c->path = path;
}

#define CHECK(what, call, want_ret, want_err, path) do {		\
	unsigned long s0 = sh->sigsys;					\
	long r;								\
									\
	errno = 0;							\
	r = (call);							\
	record(what, r, errno, want_ret, want_err, path);		\
	sh->checks[sh->nchecks - 1].sigsys = sh->sigsys - s0;		\
} while (0)

/* Set @n rules from the child once armed: the ioctl comes from range. */
static long tramp_rules(const struct kb_rule_desc *d, unsigned int n)
{
	struct kb_set_rules r = {
		.size = sizeof(r), .count = n, .rule_size = sizeof(*d),
		.rules = (uintptr_t)d,
	};

	return TRAMP3(SYS_ioctl, sh->fd, KB_IOC_SET_RULES, &r);
}

static const char victim[] = "/tmp/kbfp-victim";
static const char denied[] = "/tmp/kbfp-denied";

/* The policy the scenario starts from (set by the test process). */
static int set_scenario_rules(int fd)
{
	struct kb_rule_desc d[] = {
		kb_rule(SYS_unlink, KB_TIER_STUBBED, KB_ACTION_STUB, EPERM),
		kb_rule(SYS_getppid, KB_TIER_STUBBED, KB_ACTION_STUB, 0),
		kb_rule(SYS_prctl, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		kb_cond_eq(SYS_prctl, 0, 0xffffffff, PR_GET_DUMPABLE,
			   KB_ACTION_FAKE, 5),
		kb_cond_eq(SYS_prctl, 0, 0xffffffff, PR_GET_KEEPCAPS,
			   KB_ACTION_STUB, E2BIG),
		kb_rule(SYS_openat, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		kb_cond_any(SYS_openat, 2, O_CREAT, KB_ACTION_STUB, EROFS),
		kb_cond_path(SYS_openat, 1, "/tmp/kbfp-*", KB_ACTION_STUB,
			     EACCES),
	};

	return kb_rules_set(fd, d, sizeof(d) / sizeof(d[0]));
}

/* The trap set the scenario enables the fast path with: getpid. */
static unsigned long scenario_trap[KB_TRAP_WORDS];

static void set_trap_bit(unsigned long *trap, unsigned int nr)
{
	trap[nr / (8 * sizeof(long))] |= 1UL << (nr % (8 * sizeof(long)));
}

/*
 * The member child: everything after sud_arm() runs with SUD on, so the
 * libc syscall() calls below trap (or are decided in the kernel).
 */
static void scenario_child(void)
{
	const enum path f = sh->fast ? P_INKERNEL : P_SIGSYS;
	struct kb_rule_desc r;

	sh->step = 1;
	if (kb_join(sh->fd) != 1)
		kb_tramp_exit(10);
	sh->real_ppid = getppid();
	sh->real_pid = getpid();
	unlink(denied);
	if (kb_tramp(SYS_openat, AT_FDCWD, (long)victim, O_CREAT | O_WRONLY,
		     0600, 0, 0) < 0)
		kb_tramp_exit(11);
	sh->step = 2;
	if (sud_arm())
		kb_tramp_exit(12);
	sh->step = 3;

	CHECK("getppid stubbed", syscall(SYS_getppid), -1, ENOSYS, f);
	r = kb_rule(SYS_getppid, KB_TIER_STUBBED, KB_ACTION_FAKE, 77);
	if (tramp_rules(&r, 1))
		kb_tramp_exit(13);
	CHECK("getppid faked", syscall(SYS_getppid), 77, 0, f);
	r = kb_rule(SYS_getppid, KB_TIER_FULL, KB_ACTION_PASS, 0);
	if (tramp_rules(&r, 1))
		kb_tramp_exit(14);
	CHECK("getppid passed", syscall(SYS_getppid), sh->real_ppid, 0, f);

	CHECK("unlink stubbed", syscall(SYS_unlink, victim), -1, EPERM, f);
	CHECK("victim still there",
	      TRAMP3(SYS_faccessat, AT_FDCWD, victim, F_OK), 0, 0, P_RANGE);

	CHECK("prctl PR_GET_DUMPABLE faked",
	      syscall(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0), 5, 0, f);
	CHECK("prctl PR_GET_DUMPABLE, upper bits set, faked",
	      syscall(SYS_prctl, (1UL << 32) | PR_GET_DUMPABLE, 0, 0, 0, 0),
	      5, 0, f);
	CHECK("prctl PR_GET_KEEPCAPS stubbed",
	      syscall(SYS_prctl, PR_GET_KEEPCAPS, 0, 0, 0, 0), -1, E2BIG, f);
	CHECK("prctl PR_GET_NO_NEW_PRIVS by the rule: passed",
	      syscall(SYS_prctl, PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0, 0, f);

	/* A register condition before the path one still decides alone. */
	CHECK("openat O_CREAT stubbed",
	      syscall(SYS_openat, AT_FDCWD, denied, O_CREAT | O_WRONLY, 0600),
	      -1, EROFS, f);
	CHECK("openat path condition stubbed",
	      syscall(SYS_openat, AT_FDCWD, denied, O_RDONLY), -1, EACCES,
	      P_SIGSYS);
	CHECK("openat no condition: passed",
	      syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY), 0, 0,
	      P_SIGSYS);
	sh->checks[sh->nchecks - 1].nonneg = true;
	if (sh->checks[sh->nchecks - 1].ret >= 0)
		TRAMP3(SYS_close, sh->checks[sh->nchecks - 1].ret, 0, 0);

	/* getpid is in @trap: SIGSYS while passed, in-kernel once not. */
	CHECK("getpid in trap, passed", syscall(SYS_getpid), sh->real_pid, 0,
	      P_SIGSYS);
	r = kb_rule(SYS_getpid, KB_TIER_STUBBED, KB_ACTION_STUB, EPERM);
	if (tramp_rules(&r, 1))
		kb_tramp_exit(15);
	CHECK("getpid in trap, stubbed", syscall(SYS_getpid), -1, EPERM, f);
	r = kb_rule(SYS_getpid, KB_TIER_STUBBED, KB_ACTION_FAKE, 6);
	if (tramp_rules(&r, 1))
		kb_tramp_exit(16);
	CHECK("getpid in trap, faked", syscall(SYS_getpid), 6, 0, f);

	sh->step = 4;
	kb_tramp_exit(0);
}

/* Run @fn in a child with the fixture's fd; its exit status. */
static int run_child(struct __test_metadata *_metadata, void (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		fn();
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status)) {
		TH_LOG("child killed by signal %d at step %d",
		       WTERMSIG(status), sh->step);
		return -1;
	}
	return WEXITSTATUS(status);
}

/* Judge every recorded check; returns the in-kernel and SIGSYS totals. */
static void judge(struct __test_metadata *_metadata, unsigned long *inkernel,
		  unsigned long *trapped)
{
	unsigned int i;

	*inkernel = 0;
	*trapped = 0;
	for (i = 0; i < sh->nchecks; i++) {
		const struct check *c = &sh->checks[i];

		if (c->nonneg) {
			EXPECT_LE(0, c->ret) TH_LOG("%s: %ld (%s)", c->what,
						    c->ret, strerror(c->err));
		} else {
			EXPECT_EQ(c->want_ret, c->ret) TH_LOG("%s: %ld (%s)",
				c->what, c->ret, strerror(c->err));
		}
		EXPECT_EQ(c->want_err, c->err) TH_LOG("%s: errno %s",
			c->what, strerror(c->err));
		EXPECT_EQ(c->path == P_SIGSYS ? 1UL : 0UL, c->sigsys) {
			TH_LOG("%s: %lu SIGSYS, expected %s", c->what,
			       c->sigsys, c->path == P_SIGSYS ? "one" :
			       "none");
		}
		if (c->path == P_INKERNEL)
			(*inkernel)++;
		else if (c->path == P_SIGSYS)
			(*trapped)++;
	}
}

FIXTURE(fp) {
	int fd;
};

FIXTURE_SETUP(fp)
{
	self->fd = -1;
	OPEN_OR_SKIP(self->fd);
	ASSERT_EQ(0, kb_create(self->fd, NULL));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	sh->fd = self->fd;
	memset(scenario_trap, 0, sizeof(scenario_trap));
	set_trap_bit(scenario_trap, SYS_getpid);
}

FIXTURE_TEARDOWN(fp)
{
	unlink(victim);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(fp, feature_bit)
{
	struct kb_version v;

	ASSERT_EQ(0, kb_version(self->fd, &v));
	EXPECT_NE(0ULL, v.features & KB_FEATURE_FASTPATH);
}

/* @armed and kb_version.status say the same; the state follows enable. */
TEST_F(fp, armed_and_state)
{
	struct kb_session_stats st;
	struct kb_version v;
	unsigned int armed = 0xdead;

	ASSERT_EQ(0, kb_fastpath(self->fd, 1, scenario_trap, &armed));
	ASSERT_TRUE(armed == 0 || armed == 1) TH_LOG("armed %u", armed);
	ASSERT_EQ(0, kb_version(self->fd, &v));
	EXPECT_EQ(armed, v.status & KB_STATUS_FASTPATH);
	/* Armed: exactly one hook named; not armed: none. */
	v.status &= ~KB_STATUS_SYSCALL_RUN;
	if (armed) {
		EXPECT_TRUE((v.status & ~KB_STATUS_FASTPATH) == KB_STATUS_HOOK_DIRECT ||
			    (v.status & ~KB_STATUS_FASTPATH) == KB_STATUS_HOOK_KPROBE)
			TH_LOG("status %#x", v.status);
	} else {
		EXPECT_EQ(0u, v.status & ~KB_STATUS_FASTPATH);
	}
	TH_LOG("in-kernel hook %s", !armed ? "NOT armed" :
	       v.status & KB_STATUS_HOOK_DIRECT ? "armed (direct call)" :
	       "armed (kprobe)");
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
	EXPECT_EQ(armed ? KB_SESSION_FASTPATH : 0u, st.state);

	armed = 0xdead;
	ASSERT_EQ(0, kb_fastpath(self->fd, 0, scenario_trap, &armed));
	ASSERT_TRUE(armed == 0 || armed == 1) TH_LOG("armed %u", armed);
	ASSERT_EQ(0, kb_version(self->fd, &v));
	EXPECT_EQ(armed, v.status & KB_STATUS_FASTPATH);
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
	EXPECT_EQ(0u, st.state);

	ASSERT_EQ(0, kb_fastpath(self->fd, 1, scenario_trap, &armed));
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
	EXPECT_EQ(armed ? KB_SESSION_FASTPATH : 0u, st.state);
}

TEST_F(fp, bad_nr_bits)
{
	static unsigned long trap[2 * KB_TRAP_WORDS];
	struct kb_set_fastpath f = {
		.size = sizeof(f), .enable = 1, .trap = (uintptr_t)trap,
	};
	const unsigned int bad[] = {
		0, 1, KB_NR_SYSCALLS - 1, KB_NR_SYSCALLS + 1,
		2 * KB_NR_SYSCALLS, 0xffffffffu,
	};
	struct kb_session_stats st;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f.nr_bits = bad[i];
		EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_SET_FASTPATH, &f))
			TH_LOG("nr_bits %u accepted", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("nr_bits %u", bad[i]);
	}
	/* Nothing was enabled by the refused calls. */
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
	EXPECT_EQ(0u, st.state);
}

TEST_F(fp, bad_trap_pointer)
{
	long pg = getpagesize();
	char *page = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kb_session_stats st;

	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, munmap(page + pg, pg));
	/* Wholly unmapped, then the bitmap's last word on the hole. */
	EXPECT_EQ(-1, kb_fastpath(self->fd, 1,
				  (unsigned long *)(page + pg), NULL));
	EXPECT_EQ(EFAULT, errno);
	memset(page, 0, pg);
	EXPECT_EQ(-1, kb_fastpath(self->fd, 1, (unsigned long *)(page + pg -
				  (KB_TRAP_WORDS - 1) * sizeof(long)), NULL));
	EXPECT_EQ(EFAULT, errno);
	/* The whole bitmap on the last bytes of the page: fine. */
	EXPECT_EQ(0, kb_fastpath(self->fd, 1, (unsigned long *)(page + pg -
				 KB_TRAP_WORDS * sizeof(long)), NULL));
	ASSERT_EQ(0, kb_fastpath(self->fd, 0, scenario_trap, NULL));
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
	EXPECT_EQ(0u, st.state);
	munmap(page, pg);
}

TEST_F(fp, bad_struct)
{
	struct {
		struct kb_set_fastpath f;
		uint64_t tail;
	} b = {
		.f = {
			.size = sizeof(b.f), .enable = 1,
			.nr_bits = KB_NR_SYSCALLS,
			.trap = (uintptr_t)scenario_trap,
		},
	};

	b.f.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_SET_FASTPATH, &b));
	EXPECT_EQ(EINVAL, errno);
	b.f.flags = 0;
	b.f.__reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_SET_FASTPATH, &b));
	EXPECT_EQ(EINVAL, errno);
	b.f.__reserved = 0;
	/* The first version ended at @trap: shorter is refused... */
	b.f.size = offsetof(struct kb_set_fastpath, fd_floor) - 1;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_SET_FASTPATH, &b));
	EXPECT_EQ(EINVAL, errno);
	/* ... that size is still accepted, without the trap arguments. */
	b.f.size = offsetof(struct kb_set_fastpath, fd_floor);
	b.f.fd_floor = 99;
	EXPECT_EQ(0, ioctl(self->fd, KB_IOC_SET_FASTPATH, &b));
	b.f.fd_floor = 0;
	b.f.size = sizeof(b);
	b.tail = 1;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_SET_FASTPATH, &b));
	EXPECT_EQ(E2BIG, errno);
	b.tail = 0;
	EXPECT_EQ(0, ioctl(self->fd, KB_IOC_SET_FASTPATH, &b));
}

FIXTURE(nosession) {
	int fd;
};

FIXTURE_SETUP(nosession)
{
	self->fd = -1;
	OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN(nosession)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(nosession, enoent)
{
	EXPECT_EQ(-1, kb_fastpath(self->fd, 1, scenario_trap, NULL));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, kb_fastpath(self->fd, 0, scenario_trap, NULL));
	EXPECT_EQ(ENOENT, errno);
}

/*
 * The scenario with the fast path enabled (@enable) or not; what it must
 * show depends on whether the hook is armed.
 */
static void scenario(struct __test_metadata *_metadata, int fd, bool enable)
{
	static uint64_t counts[KB_NR_SYSCALLS];
	struct kb_session_stats st;
	struct kb_rule_desc out[16];
	uint64_t hits[16];
	char strings[64];
	unsigned int armed = 0, count = 16, ssize = sizeof(strings);
	unsigned long inkernel, trapped;
	unsigned int o;

	ASSERT_EQ(0, set_scenario_rules(fd));
	ASSERT_EQ(0, kb_fastpath(fd, enable, scenario_trap, &armed));
	sh->member = true;
	sh->fast = enable && armed;
	TH_LOG("fast path %s, hook %s: expecting %s", enable ? "enabled" :
	       "disabled", armed ? "armed" : "NOT armed", sh->fast ?
	       "in-kernel decisions" : "every call through SIGSYS");

	ASSERT_EQ(0, run_child(_metadata, scenario_child)) {
		TH_LOG("child failed at step %d", sh->step);
	}
	EXPECT_EQ(0UL, sh->handler_errors) {
		TH_LOG("KB_IOC_SYSCALL from the handler: %s",
		       strerror((int)-sh->last_ioctl_err));
	}
	ASSERT_EQ(15u, sh->nchecks);
	judge(_metadata, &inkernel, &trapped);
	EXPECT_EQ(sh->fast ? 11UL : 0UL, inkernel);
	EXPECT_EQ(trapped, sh->sigsys);

	ASSERT_EQ(0, kb_stats(fd, &st, counts));
	EXPECT_EQ(inkernel, st.fastpath);
	EXPECT_EQ(inkernel + trapped, st.total);
	EXPECT_EQ(3u, counts[SYS_getppid]);
	EXPECT_EQ(1u, counts[SYS_unlink]);
	EXPECT_EQ(4u, counts[SYS_prctl]);
	EXPECT_EQ(3u, counts[SYS_openat]);
	EXPECT_EQ(3u, counts[SYS_getpid]);
	EXPECT_EQ(0u, counts[SYS_faccessat]);
	EXPECT_EQ(0u, counts[SYS_ioctl]);

	/* Rule hits: the same on both paths. */
	ASSERT_EQ(0, kb_rules_get(fd, out, hits, &count, strings, &ssize));
	/*
	 * getpid, unlink, prctl + 2, openat + 2, and getppid's explicit
	 * pass if GET_RULES lists those (the header leaves it open).
	 */
	ASSERT_TRUE(count == 8 || count == 9) TH_LOG("%u rules", count);
	EXPECT_EQ((__u32)SYS_getpid, out[0].nr);
	EXPECT_EQ(1ULL, hits[0]);	/* faked once since it was set */
	EXPECT_EQ((__u32)SYS_unlink, out[1].nr);
	EXPECT_EQ(1ULL, hits[1]);
	if (count == 9) {
		EXPECT_EQ((__u32)SYS_getppid, out[2].nr);
		EXPECT_EQ(KB_TIER_FULL, out[2].tier);
		EXPECT_EQ(1ULL, hits[2]);	/* passed once */
	}
	o = count - 8;
	EXPECT_EQ((__u32)SYS_prctl, out[o + 2].nr);
	EXPECT_EQ(1ULL, hits[o + 2]);
	EXPECT_EQ(2ULL, hits[o + 3]);
	EXPECT_EQ(1ULL, hits[o + 4]);
	EXPECT_EQ((__u32)SYS_openat, out[o + 5].nr);
	EXPECT_EQ(1ULL, hits[o + 5]);
	EXPECT_EQ(1ULL, hits[o + 6]);
	EXPECT_EQ(1ULL, hits[o + 7]);
}

TEST_F(fp, enabled)
{
	scenario(_metadata, self->fd, true);
}

TEST_F(fp, disabled)
{
	scenario(_metadata, self->fd, false);
}

/*
 * Trap arguments: close/dup2/dup3 in @trap trap only for fds at the floor
 * (10) or above, openat/readlinkat only for paths under the prefix
 * ("/proc/") or that cannot be read; everything else in @trap is then
 * decided in the kernel like any other pass.
 */
#define TA_FLOOR	10

static const char ta_link[] = "/tmp/kbfp-link";
static const char ta_null[] = "/dev/null";
static const char ta_status[] = "/proc/self/status";
static const char ta_cwd[] = "/proc/self/cwd";
static const char ta_rel[] = "x";

/*
 * The module reads a path at syscall entry only if its page is present
 * (it may not fault there), and a forked child finds the parent's
 * file-backed pages unmapped: touch the strings first, as a program
 * that just built its path has.
 */
static void ta_touch(void)
{
	const char *const s[] = { ta_link, ta_null, ta_status, ta_cwd, ta_rel };
	volatile char c = 0;
	unsigned int i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		c ^= s[i][0] ^ s[i][strlen(s[i])];
	(void)c;
}

static void trap_args_child(void)
{
	const enum path f = sh->fast ? P_INKERNEL : P_SIGSYS;
	char buf[64];
	long fd;

	sh->step = 1;
	if (kb_join(sh->fd) != 1)
		kb_tramp_exit(10);
	ta_touch();
	sh->step = 2;
	if (sud_arm())
		kb_tramp_exit(12);
	sh->step = 3;

	CHECK("openat below the prefix",
	      (fd = syscall(SYS_openat, AT_FDCWD, ta_null, O_RDONLY)), 0,
	      0, f);
	sh->checks[sh->nchecks - 1].nonneg = true;
	CHECK("dup2 below the floor", syscall(SYS_dup2, fd, TA_FLOOR - 1),
	      TA_FLOOR - 1, 0, f);
	CHECK("dup3 at the floor", syscall(SYS_dup3, fd, TA_FLOOR, 0),
	      TA_FLOOR, 0, P_SIGSYS);
	CHECK("close at the floor", syscall(SYS_close, TA_FLOOR), 0, 0,
	      P_SIGSYS);
	CHECK("close below the floor", syscall(SYS_close, TA_FLOOR - 1), 0, 0,
	      f);
	CHECK("close", syscall(SYS_close, fd), 0, 0, f);
	CHECK("close(-1): no fd, trapped", syscall(SYS_close, -1), -1, EBADF,
	      P_SIGSYS);
	CHECK("openat under the prefix",
	      (fd = syscall(SYS_openat, AT_FDCWD, ta_status, O_RDONLY)), 0,
	      0, P_SIGSYS);
	sh->checks[sh->nchecks - 1].nonneg = true;
	if (fd >= 0)
		TRAMP3(SYS_close, fd, 0, 0);
	CHECK("openat of a short relative path",
	      syscall(SYS_openat, AT_FDCWD, ta_rel, O_RDONLY), -1, ENOENT, f);
	CHECK("openat of an unreadable path: trapped",
	      syscall(SYS_openat, AT_FDCWD, (char *)8, O_RDONLY), -1, EFAULT,
	      P_SIGSYS);
	CHECK("readlinkat below the prefix",
	      syscall(SYS_readlinkat, AT_FDCWD, ta_link, buf, sizeof(buf)),
	      (long)strlen(victim), 0, f);
	CHECK("readlinkat under the prefix",
	      syscall(SYS_readlinkat, AT_FDCWD, ta_cwd, buf, sizeof(buf)), 0,
	      0, P_SIGSYS);
	sh->checks[sh->nchecks - 1].nonneg = true;
	sh->step = 4;
	kb_tramp_exit(0);
}

/* KB_IOC_SET_FASTPATH with the floor and the prefix. */
static int ta_set(int fd, const unsigned long *trap, unsigned int *armed)
{
	struct kb_set_fastpath f = {
		.size = sizeof(f), .enable = 1, .nr_bits = KB_NR_SYSCALLS,
		.trap = (uintptr_t)trap, .fd_floor = TA_FLOOR,
		.path_prefix_len = 6, .path_prefix = "/proc/",
	};
	int ret = ioctl(fd, KB_IOC_SET_FASTPATH, &f);

	if (!ret)
		*armed = f.armed;
	return ret;
}

TEST_F(fp, trap_args)
{
	static const unsigned int nrs[] = {
		SYS_close, SYS_dup2, SYS_dup3, SYS_openat, SYS_readlinkat,
	};
	static unsigned long trap[KB_TRAP_WORDS];
	struct kb_set_fastpath bad = {
		.size = sizeof(bad), .enable = 1, .nr_bits = KB_NR_SYSCALLS,
		.trap = (uintptr_t)trap,
		.path_prefix_len = KB_PATH_PREFIX_MAX + 1,
	};
	struct kb_session_stats st;
	unsigned long inkernel, trapped;
	unsigned int armed = 0, i;

	memset(trap, 0, sizeof(trap));
	for (i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
		set_trap_bit(trap, nrs[i]);
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_SET_FASTPATH, &bad));
	EXPECT_EQ(EINVAL, errno);

	unlink(ta_link);
	ASSERT_EQ(0, symlink(victim, ta_link));
	ASSERT_EQ(0, ta_set(self->fd, trap, &armed));
	sh->member = true;
	sh->fast = armed;
	ASSERT_EQ(0, run_child(_metadata, trap_args_child)) {
		TH_LOG("child failed at step %d", sh->step);
	}
	unlink(ta_link);
	EXPECT_EQ(0UL, sh->handler_errors);
	ASSERT_EQ(12u, sh->nchecks);
	judge(_metadata, &inkernel, &trapped);
	EXPECT_EQ(sh->fast ? 6UL : 0UL, inkernel);
	EXPECT_EQ(trapped, sh->sigsys);
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
	EXPECT_EQ(inkernel, st.fastpath);
}

/*
 * From the allowed range nothing is decided: a stubbed getppid and a
 * stubbed unlink run natively and are not counted.
 */
static void in_range_child(void)
{
	if (kb_join(sh->fd) != 1)
		kb_tramp_exit(10);
	sh->real_ppid = getppid();
	if (kb_tramp(SYS_openat, AT_FDCWD, (long)victim, O_CREAT | O_WRONLY,
		     0600, 0, 0) < 0)
		kb_tramp_exit(11);
	if (sud_arm())
		kb_tramp_exit(12);
	CHECK("getppid from the range", TRAMP0(SYS_getppid), sh->real_ppid,
	      0, P_RANGE);
	CHECK("unlink from the range", TRAMP3(SYS_unlink, victim, 0, 0), 0,
	      0, P_RANGE);
	CHECK("victim gone", TRAMP3(SYS_faccessat, AT_FDCWD, victim, F_OK),
	      -ENOENT, 0, P_RANGE);
	kb_tramp_exit(0);
}

TEST_F(fp, allowed_range_untouched)
{
	struct kb_rule_desc d[] = {
		kb_rule(SYS_getppid, KB_TIER_STUBBED, KB_ACTION_STUB, 0),
		kb_rule(SYS_unlink, KB_TIER_STUBBED, KB_ACTION_STUB, EPERM),
		kb_rule(SYS_faccessat, KB_TIER_STUBBED, KB_ACTION_FAKE, 0),
	};
	struct kb_session_stats st;
	unsigned int i, armed;

	ASSERT_EQ(0, kb_rules_set(self->fd, d, 3));
	ASSERT_EQ(0, kb_fastpath(self->fd, 1, scenario_trap, &armed));
	sh->member = true;
	ASSERT_EQ(0, run_child(_metadata, in_range_child));
	ASSERT_EQ(3u, sh->nchecks);
	for (i = 0; i < sh->nchecks; i++) {
		EXPECT_EQ(sh->checks[i].want_ret, sh->checks[i].ret)
			TH_LOG("%s: %ld", sh->checks[i].what,
			       sh->checks[i].ret);
		EXPECT_EQ(0UL, sh->checks[i].sigsys)
			TH_LOG("%s", sh->checks[i].what);
	}
	EXPECT_EQ(0UL, sh->sigsys);
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
	EXPECT_EQ(0u, st.total);
	EXPECT_EQ(0u, st.fastpath);
}

/* getppid three times through libc; see non_member_untouched. */
static void getppid_child(void)
{
	int i;

	if (sh->member && kb_join(sh->fd) != 1)
		kb_tramp_exit(10);
	sh->real_ppid = getppid();
	if (sud_arm())
		kb_tramp_exit(12);
	for (i = 0; i < 3; i++)
		CHECK("getppid", syscall(SYS_getppid),
		      sh->member ? -1 : sh->real_ppid,
		      sh->member ? ENOSYS : 0, P_SIGSYS);
	kb_tramp_exit(0);
}

/*
 * A process that never joined, with SUD armed the same way while the
 * session stubs getppid in the kernel: every call raises SIGSYS and runs
 * natively; the session counts nothing. A member run right after shows
 * the policy was live.
 */
TEST_F(fp, non_member_untouched)
{
	struct kb_rule_desc d = kb_rule(SYS_getppid, KB_TIER_STUBBED,
					KB_ACTION_STUB, 0);
	struct kb_session_stats st;
	unsigned int i, armed;

	ASSERT_EQ(0, kb_rules_set(self->fd, &d, 1));
	ASSERT_EQ(0, kb_fastpath(self->fd, 1, scenario_trap, &armed));
	TH_LOG("hook %s", armed ? "armed" : "NOT armed");

	sh->member = false;
	ASSERT_EQ(0, run_child(_metadata, getppid_child));
	ASSERT_EQ(3u, sh->nchecks);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(sh->real_ppid, sh->checks[i].ret);
		EXPECT_EQ(1UL, sh->checks[i].sigsys);
	}
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
	EXPECT_EQ(0u, st.total);
	EXPECT_EQ(0u, st.joined);

	sh->member = true;
	sh->nchecks = 0;
	sh->sigsys = 0;
	ASSERT_EQ(0, run_child(_metadata, getppid_child));
	ASSERT_EQ(3u, sh->nchecks);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(-1, sh->checks[i].ret);
		EXPECT_EQ(ENOSYS, sh->checks[i].err);
		EXPECT_EQ(armed ? 0UL : 1UL, sh->checks[i].sigsys);
	}
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
	EXPECT_EQ(3u, st.total);
	EXPECT_EQ(armed ? 3u : 0u, st.fastpath);
}

TEST_HARNESS_MAIN
