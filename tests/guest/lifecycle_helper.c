// SPDX-License-Identifier: GPL-2.0
/*
 * The processes tests/guest/lifecycle_guest.sh needs around kbridge.ko, one per
 * mode. Each prints what it saw on stdout and exits 0 only when every
 * check it can make itself held; the script checks the module's side
 * (/sys/kernel/debug/kbridge/objects, rmmod, the kernel log).
 *
 * usage: lifecycle_helper hold [close]
 *   A creator sets a policy (getppid stubbed with errno 123, getuid faked
 *   4242, the fast path on), forks a member and exits as soon as the
 *   member is ready. The member (a process with a second thread) has SUD
 *   armed, so its calls are decided at syscall entry; with "close" it also
 *   closes its own fd, so that no file of the session is left. It prints
 *   "ready PID armed A", then answers one line per command on stdin:
 *     c   200 getppid, getuid and getpid calls: "calls N bad B sigsys S"
 *     t   stop the second thread: "thread calls N bad B"
 *   and at end of input says "exit bad B" and exits (status 1 if B > 0).
 *
 * usage: lifecycle_helper churn SECS
 *   A member process spawns batches of short-lived threads and children,
 *   each making 20 getppid calls, while 4 threads of the (non-member)
 *   creator flip getppid's rule. Every answer must be one a version gave;
 *   the session must count exactly the calls made and every task joined.
 *
 * usage: lifecycle_helper bomb
 *   As an unprivileged user under RLIMIT_NPROC: create and join a session,
 *   then fork-bomb. Prints "saturated alive A eagain E forks F other O"
 *   once forks fail with EAGAIN, waits for a line on stdin, stops the bomb,
 *   reaps everything (it is a subreaper) and prints "done reaped R alive
 *   A" (A: processes the bomb made, R must equal it).
 *
 * usage: lifecycle_helper oom N
 *   With /sys/module/kbridge/parameters/fail_every set to N around each
 *   operation: session create, join (of a process with threads), set
 *   rules, stats, fork and thread creation by members. Each must succeed
 *   or fail cleanly: ENOMEM, nothing half-applied, or SIGKILL for a new
 *   task the module could not make a member. Prints the tallies.
 *
 * usage: lifecycle_helper cycles N
 *   N times: open, create, set the fast path, fork a child that joins and
 *   makes one KB_IOC_SYSCALL, set rules, close.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kbridge.h>

#include "kbridge_ioctls.h"
#include "kbridge_sud.h"

#define FAIL_EVERY	"/sys/module/kbridge/parameters/fail_every"
#define HOLD_ERRNO	123
#define HOLD_FAKE	4242

static void __attribute__((noreturn)) die(const char *what)
{
	fprintf(stderr, "lifecycle_helper: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int open_dev(void)
{
	int fd = open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open " KB_DEVICE_PATH);
	return fd;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/* ------------------------------------------------------------------ */
/* SUD members: the handler, used only when the hook is not armed.    */

static int hfd = -1;		/* the member's fd; -1 once closed */
static _Atomic unsigned long sigsys_seen;

static void on_sigsys(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	struct kb_syscall c = { .size = sizeof(c), .nr = si->si_syscall };

	(void)sig;
	atomic_fetch_add(&sigsys_seen, 1);
	kb_frame_args(&c, g);
	/* With no file left only the fast path can decide: run natively. */
	if (hfd >= 0 && !TRAMP3(SYS_ioctl, hfd, KB_IOC_SYSCALL, &c) &&
	    c.verdict == KB_VERDICT_RESULT) {
		g[REG_RAX] = c.result;
		return;
	}
	g[REG_RAX] = kb_tramp(c.nr, c.args[0], c.args[1], c.args[2],
			      c.args[3], c.args[4], c.args[5]);
}

/* printf-like output that makes no dispatched syscall. */
static void __attribute__((format(printf, 1, 2))) tsay(const char *fmt, ...)
{
	char buf[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	TRAMP3(SYS_write, 1, buf, n);
}

/* ------------------------------------------------------------------ */
/* hold                                                               */

static long hold_pid;
static _Atomic bool hold_stop;
static _Atomic int hold_armed;
static _Atomic unsigned long thr_calls, thr_bad;

/* One round of the policy's three calls; the wrong answers. */
static unsigned int hold_round(void)
{
	unsigned int bad = 0;
	long r;

	errno = 0;
	r = syscall(SYS_getppid);
	bad += !(r == -1 && errno == HOLD_ERRNO);
	r = syscall(SYS_getuid);
	bad += r != HOLD_FAKE;
	r = syscall(SYS_getpid);
	bad += r != hold_pid;
	return bad;
}

static void *hold_thread(void *arg)
{
	(void)arg;
	if (kb_sud_on())
		return NULL;
	atomic_store(&hold_armed, 1);
	while (!atomic_load(&hold_stop)) {
		atomic_fetch_add(&thr_bad, hold_round());
		atomic_fetch_add(&thr_calls, 3);
	}
	kb_sud_off();
	return NULL;
}

static int hold_member(int fd, bool close_fd, int ready, unsigned int armed)
{
	unsigned long calls = 0, bad = 0, i;
	bool thread_on = true;
	pthread_t t;
	char c;

	if (kb_join(fd) != 1)
		die("join");
	hold_pid = getpid();
	hfd = fd;
	if (kb_sud_handler(on_sigsys))
		die("SIGSYS handler");
	if (close_fd) {
		hfd = -1;
		close(fd);
	}
	if (pthread_create(&t, NULL, hold_thread, NULL))
		die("pthread_create");
	while (!atomic_load(&hold_armed))
		TRAMP0(SYS_sched_yield);
	if (kb_sud_on())
		die("arm SUD");
	tsay("ready %ld armed %u\n", hold_pid, armed);
	TRAMP3(SYS_write, ready, "r", 1);
	TRAMP3(SYS_close, ready, 0, 0);

	/* Commands: one byte each, the rest of the line ignored. */
	while (TRAMP3(SYS_read, 0, &c, 1) == 1) {
		if (c == 'c') {
			unsigned long b = 0;

			for (i = 0; i < 200; i++)
				b += hold_round();
			calls += 600;
			bad += b;
			tsay("calls 600 bad %lu sigsys %lu\n", b,
			     atomic_load(&sigsys_seen));
		} else if (c == 't' && thread_on) {
			atomic_store(&hold_stop, true);
			kb_sud_off();
			pthread_join(t, NULL);
			kb_sud_on();
			thread_on = false;
			tsay("thread calls %lu bad %lu\n",
			     atomic_load(&thr_calls), atomic_load(&thr_bad));
		}
	}
	kb_sud_off();
	if (thread_on) {
		atomic_store(&hold_stop, true);
		pthread_join(t, NULL);
	}
	bad += atomic_load(&thr_bad);
	tsay("exit bad %lu\n", bad);
	return bad ? 1 : 0;
}

static int hold(bool close_fd)
{
	struct kb_rule_desc d[] = {
		kb_rule(SYS_getppid, KB_TIER_STUBBED, KB_ACTION_STUB, HOLD_ERRNO),
		kb_rule(SYS_getuid, KB_TIER_STUBBED, KB_ACTION_FAKE, HOLD_FAKE),
	};
	unsigned int armed = 0;
	int fd = open_dev(), p[2];
	pid_t pid;
	char c;

	if (kb_create(fd, NULL) || kb_rules_set(fd, d, 2) ||
	    kb_fastpath(fd, 1, NULL, &armed))
		die("session set-up");
	if (pipe(p))
		die("pipe");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		close(p[0]);
		exit(hold_member(fd, close_fd, p[1], armed));
	}
	close(p[1]);
	/* The creator goes first: its fd closes with it. */
	return read(p[0], &c, 1) == 1 ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* churn                                                              */

#define CHURN_CALLS	20
#define CHURN_THREADS	8
#define CHURN_CHILDREN	4
#define CHURN_UPDATERS	4

struct churn_sh {
	_Atomic bool stop;
	_Atomic uint64_t issued, updates, update_errors;
	_Atomic uint64_t calls, bad, threads, children, child_failures;
};

static struct churn_sh *csh;

/* Version v of getppid: pass, stub 1 + v % 3999, fake 2^40 + v. */
static struct kb_rule_desc churn_rule(uint64_t v)
{
	switch (v % 3) {
	case 0:
		return kb_rule(SYS_getppid, KB_TIER_FULL, KB_ACTION_PASS, 0);
	case 1:
		return kb_rule(SYS_getppid, KB_TIER_STUBBED, KB_ACTION_STUB,
			    1 + v % 3999);
	default:
		return kb_rule(SYS_getppid, KB_TIER_STUBBED, KB_ACTION_FAKE,
			    (1LL << 40) + v);
	}
}

/* 3999 is a multiple of 3: an errno still tells the version's action. */
static bool churn_possible(long r, int err, long native)
{
	uint64_t issued = atomic_load(&csh->issued);

	if (r == -1)
		return err >= 1 && err <= 3999 && (err - 1) % 3 == 1;
	if (r >= (1L << 40))
		return (uint64_t)(r - (1L << 40)) <= issued &&
		       (r - (1L << 40)) % 3 == 2;
	return r == native;
}

static void churn_task(void)
{
	long native = TRAMP0(SYS_getppid), r;
	unsigned int i, bad = 0;

	if (kb_sud_on()) {
		atomic_fetch_add(&csh->bad, 1);
		return;
	}
	for (i = 0; i < CHURN_CALLS; i++) {
		errno = 0;
		r = syscall(SYS_getppid);
		bad += !churn_possible(r, errno, native);
	}
	kb_sud_off();
	atomic_fetch_add(&csh->calls, CHURN_CALLS);
	atomic_fetch_add(&csh->bad, bad);
}

static void *churn_thread(void *arg)
{
	churn_task();
	return arg;
}

static void churn_member(int fd)
{
	pthread_t t[CHURN_THREADS];
	pid_t pid[CHURN_CHILDREN];
	int i, status;

	if (kb_join(fd) != 1)
		die("join");
	hfd = fd;
	if (kb_sud_handler(on_sigsys))
		die("SIGSYS handler");
	while (!atomic_load(&csh->stop)) {
		for (i = 0; i < CHURN_THREADS; i++)
			if (pthread_create(&t[i], NULL, churn_thread, NULL))
				die("pthread_create");
		for (i = 0; i < CHURN_CHILDREN; i++) {
			pid[i] = fork();
			if (pid[i] < 0)
				die("fork");
			if (!pid[i]) {
				churn_task();
				_exit(0);
			}
		}
		for (i = 0; i < CHURN_THREADS; i++)
			pthread_join(t[i], NULL);
		for (i = 0; i < CHURN_CHILDREN; i++)
			if (waitpid(pid[i], &status, 0) != pid[i] ||
			    !WIFEXITED(status) || WEXITSTATUS(status))
				atomic_fetch_add(&csh->child_failures, 1);
		atomic_fetch_add(&csh->threads, CHURN_THREADS);
		atomic_fetch_add(&csh->children, CHURN_CHILDREN);
	}
	exit(0);
}

static int churn_fd;

static void *churn_updater(void *arg)
{
	while (!atomic_load(&csh->stop)) {
		uint64_t v = atomic_fetch_add(&csh->issued, 1) + 1;
		struct kb_rule_desc d = churn_rule(v);

		if (kb_rules_set(churn_fd, &d, 1))
			atomic_fetch_add(&csh->update_errors, 1);
		else
			atomic_fetch_add(&csh->updates, 1);
	}
	return arg;
}

static int churn(int secs)
{
	static uint64_t counts[KB_NR_SYSCALLS];
	struct kb_rule_desc d = churn_rule(0);
	pthread_t up[CHURN_UPDATERS];
	struct kb_session_stats st;
	unsigned int armed = 0, i;
	double deadline;
	int status, ok = 1;
	pid_t pid, w;

	csh = shared_alloc(sizeof(*csh));
	churn_fd = open_dev();
	if (kb_create(churn_fd, NULL) || kb_rules_set(churn_fd, &d, 1) ||
	    kb_fastpath(churn_fd, 1, NULL, &armed))
		die("session set-up");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid)
		churn_member(churn_fd);
	for (i = 0; i < CHURN_UPDATERS; i++)
		if (pthread_create(&up[i], NULL, churn_updater, NULL))
			die("pthread_create");
	sleep_ms(secs * 1000L);
	atomic_store(&csh->stop, true);
	for (i = 0; i < CHURN_UPDATERS; i++)
		pthread_join(up[i], NULL);
	deadline = now() + 60;
	while ((w = waitpid(pid, &status, WNOHANG)) == 0 && now() < deadline)
		sleep_ms(10);
	if (w != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("member did not end cleanly (status 0x%x)\n", status);
		ok = 0;
	}
	/* Exits are seen a little after the reaping. */
	for (i = 0; i < 500; i++) {
		if (kb_stats(churn_fd, &st, counts))
			die("stats");
		if (!st.members)
			break;
		sleep_ms(10);
	}
	printf("churn: %llu threads, %llu children, %llu calls, %llu updates, hook %s: counted %llu calls, %llu joined, %u members left, %llu wrong answers, %llu failed children, %llu failed updates\n",
	       (unsigned long long)csh->threads,
	       (unsigned long long)csh->children,
	       (unsigned long long)csh->calls,
	       (unsigned long long)csh->updates, armed ? "armed" : "NOT armed",
	       (unsigned long long)counts[SYS_getppid],
	       (unsigned long long)st.joined, st.members,
	       (unsigned long long)csh->bad,
	       (unsigned long long)csh->child_failures,
	       (unsigned long long)csh->update_errors);
	if (counts[SYS_getppid] != csh->calls ||
	    st.joined != 1 + csh->threads + csh->children || st.members ||
	    csh->bad || csh->child_failures || csh->update_errors ||
	    !csh->updates || !csh->calls)
		ok = 0;
	return ok ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* bomb                                                               */

struct bomb_sh {
	_Atomic bool stop;
	_Atomic long alive, forks, eagain, other;
	_Atomic int other_errno;
};

static struct bomb_sh *bsh;

static void __attribute__((noreturn)) bomber(void)
{
	pid_t pid;

	for (;;) {
		if (atomic_load(&bsh->stop))
			_exit(0);
		pid = fork();
		if (!pid) {
			atomic_fetch_add(&bsh->alive, 1);
			continue;
		}
		if (pid > 0) {
			atomic_fetch_add(&bsh->forks, 1);
			continue;
		}
		if (errno == EAGAIN) {
			atomic_fetch_add(&bsh->eagain, 1);
		} else {
			atomic_fetch_add(&bsh->other, 1);
			atomic_store(&bsh->other_errno, errno);
		}
		sleep_ms(20);
	}
}

static int bomb(void)
{
	double deadline, since;
	char line[64];
	long last, reaped = 0;
	int fd = open_dev();
	pid_t pid;

	bsh = shared_alloc(sizeof(*bsh));
	/* An unprivileged task may join only without privileges to gain. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		die("PR_SET_NO_NEW_PRIVS");
	if (kb_create(fd, NULL) || kb_join(fd) != 1)
		die("session set-up");
	/* Orphaned bombers come back here to be reaped. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		die("PR_SET_CHILD_SUBREAPER");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		atomic_fetch_add(&bsh->alive, 1);
		bomber();
	}
	/* Saturated: forks fail, and the population stays put. */
	deadline = now() + 30;
	last = -1;
	since = now();
	while (now() < deadline) {
		long a = atomic_load(&bsh->alive);

		if (a != last) {
			last = a;
			since = now();
		} else if (atomic_load(&bsh->eagain) >= 20 &&
			   now() - since > 0.5) {
			break;
		}
		sleep_ms(50);
	}
	printf("saturated alive %ld eagain %ld forks %ld other %ld\n",
	       atomic_load(&bsh->alive), atomic_load(&bsh->eagain),
	       atomic_load(&bsh->forks), atomic_load(&bsh->other));
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		line[0] = 0;
	atomic_store(&bsh->stop, true);
	while ((pid = waitpid(-1, NULL, 0)) > 0 || errno == EINTR)
		if (pid > 0)
			reaped++;
	/* A bomber may still fork once into the room another one left. */
	printf("done reaped %ld alive %ld\n", reaped,
	       atomic_load(&bsh->alive));
	if (atomic_load(&bsh->other))
		printf("fork failed otherwise: %s\n",
		       strerror(atomic_load(&bsh->other_errno)));
	return atomic_load(&bsh->other) || !atomic_load(&bsh->eagain);
}

/* ------------------------------------------------------------------ */
/* oom                                                                */

static unsigned int fail_n;

static void set_fail(unsigned int n)
{
	char buf[16];
	int f = open(FAIL_EVERY, O_WRONLY), len;

	if (f < 0)
		die("open " FAIL_EVERY);
	len = snprintf(buf, sizeof(buf), "%u\n", n);
	if (write(f, buf, len) != len)
		die("write " FAIL_EVERY);
	close(f);
}

struct tally {
	const char *what;
	unsigned long ok, failed, bad;
};

enum { T_CREATE, T_JOIN, T_RULES, T_STATS, T_FORK, T_THREADS, NR_T };

static struct tally tl[NR_T] = {
	{ .what = "create" }, { .what = "join" }, { .what = "set rules" },
	{ .what = "stats" }, { .what = "fork" }, { .what = "threads" },
};

static void bad(int t, const char *why, int err)
{
	tl[t].bad++;
	printf("bad %s: %s (%s)\n", tl[t].what, why, strerror(err));
}

/* A call under fault injection: 0, or -1 with ENOMEM. */
static void outcome(int t, int ret, int err)
{
	if (!ret)
		tl[t].ok++;
	else if (err == ENOMEM)
		tl[t].failed++;
	else
		bad(t, "neither success nor ENOMEM", err);
}

static void oom_create(void)
{
	struct kb_session_stats st;
	int fd = open_dev(), ret, err, sret;

	set_fail(fail_n);
	ret = kb_create(fd, NULL);
	err = errno;
	set_fail(0);
	outcome(T_CREATE, ret, err);
	/* A good create works; a failed one leaves no session behind. */
	sret = kb_stats(fd, &st, NULL);
	if (!ret && sret)
		bad(T_CREATE, "created, but no stats", errno);
	if (ret && (!sret || errno != ENOENT))
		bad(T_CREATE, "failed, but a session is there", errno);
	close(fd);
}

static _Atomic int oom_go;

static void *oom_waiter(void *arg)
{
	while (!atomic_load(&oom_go))
		sleep_ms(1);
	return arg;
}

/* A process of 4 threads joins: success, or ENOMEM and members agree. */
static void oom_join(void)
{
	struct kb_session_stats st;
	int fd = open_dev(), status, p[2];
	pid_t pid;

	if (kb_create(fd, NULL) || pipe(p))
		die("set-up");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		pthread_t t[3];
		int i, ret, err;
		char r;

		for (i = 0; i < 3; i++)
			if (pthread_create(&t[i], NULL, oom_waiter, NULL))
				_exit(9);
		set_fail(fail_n);
		ret = kb_join(fd);
		err = errno;
		set_fail(0);
		atomic_store(&oom_go, 1);
		for (i = 0; i < 3; i++)
			pthread_join(t[i], NULL);
		r = ret == 4 ? 0 : ret < 0 && err == ENOMEM ? 1 : 2;
		if (write(p[1], &r, 1) != 1)
			_exit(9);
		/* Membership as this task sees it must match the session's. */
		ret = kb_call(fd, SYS_getpid, NULL);
		_exit(ret ? (errno == EPERM ? 20 : 21) : 10);
	}
	close(p[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		bad(T_JOIN, "the joining process died", 0);
	} else {
		char r = 9;

		if (read(p[0], &r, 1) != 1 || r == 2)
			bad(T_JOIN, "JOIN: neither 4 members nor ENOMEM", 0);
		else if (r == 0 && WEXITSTATUS(status) != 10)
			bad(T_JOIN, "joined, but not a member", 0);
		else if (r == 1 && WEXITSTATUS(status) != 20)
			bad(T_JOIN, "ENOMEM, but the caller joined anyway", 0);
		else if (r == 0)
			tl[T_JOIN].ok++;
		else
			tl[T_JOIN].failed++;
	}
	if (kb_stats(fd, &st, NULL))
		die("stats");
	if (st.members)
		bad(T_JOIN, "members left after the process ended", 0);
	close(p[0]);
	close(fd);
}

/* All or nothing: after ENOMEM the old policy, whole. */
static void oom_rules(void)
{
	static const char glob[] = "/kboom/*";
	struct kb_rule_desc old = kb_rule(SYS_getppid, KB_TIER_STUBBED,
				       KB_ACTION_STUB, 5);
	struct kb_rule_desc d[] = {
		kb_rule(SYS_getuid, KB_TIER_STUBBED, KB_ACTION_FAKE, 1),
		kb_rule(SYS_getppid, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		{ .nr = SYS_getppid, .tier = KB_TIER_PARTIAL,
		  .action = KB_ACTION_STUB, .value = 2,
		  .match = KB_MATCH_PATH, .arg = 0,
		  .path_len = sizeof(glob) - 1, .path = (uintptr_t)glob },
		kb_rule(SYS_openat, KB_TIER_STUBBED, KB_ACTION_STUB, 3),
	};
	struct kb_rule_desc out[8];
	char strings[64];
	struct kb_get_rules g = {
		.size = sizeof(g), .count = 8, .rule_size = sizeof(out[0]),
		.rules = (uintptr_t)out, .strings = (uintptr_t)strings,
		.strings_size = sizeof(strings),
	};
	int fd = open_dev(), ret, err;

	if (kb_create(fd, NULL) || kb_rules_set(fd, &old, 1))
		die("set-up");
	set_fail(fail_n);
	ret = kb_rules_set(fd, d, 4);
	err = errno;
	set_fail(0);
	outcome(T_RULES, ret, err);
	if (ioctl(fd, KB_IOC_GET_RULES, &g))
		die("GET_RULES");
	if (!ret && g.count != 4)
		bad(T_RULES, "set, but not all of it", 0);
	if (ret && (g.count != 1 || out[0].nr != SYS_getppid ||
		    out[0].action != KB_ACTION_STUB || out[0].value != 5))
		bad(T_RULES, "failed, but the policy changed", 0);
	close(fd);
}

/*
 * One allocation each: N + 1 calls in a row meet the Nth whatever the
 * count of the module's allocations so far.
 */
static void oom_stats(void)
{
	static uint64_t counts[KB_NR_SYSCALLS];
	struct kb_session_stats st;
	int fd = open_dev(), ret, err;
	unsigned int i;

	if (kb_create(fd, NULL))
		die("set-up");
	for (i = 0; i <= fail_n; i++) {
		set_fail(fail_n);
		ret = kb_stats(fd, &st, counts);
		err = errno;
		set_fail(0);
		outcome(T_STATS, ret, err);
	}
	close(fd);
}

/*
 * A member forks 10 children with fault injection on: each runs as a
 * member (its KB_IOC_SYSCALL works). A child's member is its parent's
 * spare, allocated before the fork, so no fork of a member may fail; a
 * child killed before it ran (the module's answer to a member it cannot
 * make) is a failure here.
 */
static void oom_fork(void)
{
	struct kb_session_stats st;
	int fd = open_dev(), status, i;
	unsigned long ok = 0, killed = 0;
	pid_t pid;

	if (kb_create(fd, NULL))
		die("set-up");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		unsigned int code = 0;
		pid_t c[10];

		if (kb_join(fd) != 1)
			_exit(100);
		set_fail(fail_n);
		for (i = 0; i < 10; i++) {
			c[i] = fork();
			if (!c[i])
				_exit(kb_call(fd, SYS_getpid, NULL) ? 3 : 0);
		}
		set_fail(0);
		for (i = 0; i < 10; i++) {
			if (c[i] < 0 || waitpid(c[i], &status, 0) != c[i])
				code |= 64;
			else if (WIFEXITED(status) && !WEXITSTATUS(status))
				code += 1;
			else if (!(WIFSIGNALED(status) &&
				   WTERMSIG(status) == SIGKILL))
				code |= 32;	/* escaped, or died oddly */
		}
		_exit(code);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) >= 32) {
		set_fail(0);
		bad(T_FORK, "a child escaped the session or died oddly", 0);
		close(fd);
		return;
	}
	ok = WEXITSTATUS(status);
	killed = 10 - ok;
	tl[T_FORK].ok += ok;
	if (killed)
		bad(T_FORK, "children killed: a fork found no spare", 0);
	if (kb_stats(fd, &st, NULL))
		die("stats");
	if (st.joined != 1 + ok)
		bad(T_FORK, "joined does not match the children that ran", 0);
	close(fd);
}

static void *oom_thread(void *arg)
{
	long fd = (long)arg;

	return (void *)(long)kb_call(fd, SYS_getpid, NULL);
}

/* A member process makes 6 threads: all are members (spares, as forks). */
static void oom_threads(void)
{
	int fd = open_dev(), status;
	pid_t pid;

	if (kb_create(fd, NULL))
		die("set-up");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		pthread_t t[6];
		void *r;
		int i, code = 0;

		if (kb_join(fd) != 1)
			_exit(100);
		set_fail(fail_n);
		for (i = 0; i < 6; i++)
			if (pthread_create(&t[i], NULL, oom_thread,
					   (void *)(long)fd))
				_exit(101);
		for (i = 0; i < 6; i++) {
			pthread_join(t[i], &r);
			if (r)
				code = 102;	/* ran outside the session */
		}
		set_fail(0);
		_exit(code);
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	/* Killed before it could reset the parameter. */
	set_fail(0);
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		tl[T_THREADS].ok++;
	else
		bad(T_THREADS, "not all ran as members", 0);
	close(fd);
}

static int oom(unsigned int n, unsigned int rounds)
{
	unsigned long bads = 0, failures = 0;
	unsigned int i, t;

	fail_n = n;
	set_fail(0);
	for (i = 0; i < rounds; i++) {
		oom_create();
		oom_join();
		oom_rules();
		oom_stats();
		oom_fork();
		oom_threads();
	}
	set_fail(0);
	printf("fail_every=%u, %u rounds:", n, rounds);
	for (t = 0; t < NR_T; t++) {
		printf(" %s %lu ok %lu failed%s", tl[t].what, tl[t].ok,
		       tl[t].failed, tl[t].bad ? " BAD" : "");
		bads += tl[t].bad;
		failures += tl[t].failed;
	}
	printf("\n");
	/* The injection must have hit something, or it tested nothing. */
	return bads || !failures;
}

/* ------------------------------------------------------------------ */
/* cycles                                                             */

static int cycles(unsigned long n)
{
	static const char glob[] = "/kbcycle/*";
	struct kb_rule_desc d[] = {
		kb_rule(SYS_getppid, KB_TIER_STUBBED, KB_ACTION_FAKE, 7),
		kb_rule(SYS_openat, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		{ .nr = SYS_openat, .tier = KB_TIER_PARTIAL,
		  .action = KB_ACTION_STUB, .value = 13,
		  .match = KB_MATCH_PATH, .arg = 1,
		  .path_len = sizeof(glob) - 1, .path = (uintptr_t)glob },
		kb_rule(SYS_getuid, KB_TIER_STUBBED, KB_ACTION_STUB, 1),
	};
	unsigned long i;
	int status, fd;
	pid_t pid;

	for (i = 0; i < n; i++) {
		fd = open_dev();
		if (kb_create(fd, NULL) || kb_fastpath(fd, 1, NULL, NULL))
			die("create");
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid)
			_exit(kb_join(fd) != 1 || kb_call(fd, SYS_getppid, NULL));
		if (kb_rules_set(fd, d, 4))
			die("set rules");
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			printf("cycle %lu: the member failed\n", i);
			return 1;
		}
		close(fd);
	}
	printf("cycles %lu ok\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[2]) : 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "hold"))
		return hold(argc > 2 && !strcmp(argv[2], "close"));
	if (!strcmp(mode, "churn") && n > 0)
		return churn(n);
	if (!strcmp(mode, "bomb"))
		return bomb();
	if (!strcmp(mode, "oom") && n > 0)
		return oom(n, argc > 3 ? atoi(argv[3]) : 20);
	if (!strcmp(mode, "cycles") && n > 0)
		return cycles(n);
	fprintf(stderr, "usage: %s hold [close] | churn SECS | bomb | oom N [ROUNDS] | cycles N\n",
		argv[0]);
	return 2;
}
