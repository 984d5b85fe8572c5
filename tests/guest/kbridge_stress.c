// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge under concurrency: 64 threads change the policy of two sessions
 * while 64 threads of each session make syscalls. Nothing may be lost,
 * counted twice or counted in the wrong session, and nothing may hang.
 *
 * Two sessions, A (KB_SESSION_LOCKED) and B, each with one member process
 * of 64 threads. A's process joins first and creates its threads
 * afterwards (they join through the fork probe); B's creates them first
 * and joins them all with one KB_IOC_SESSION_JOIN. Every member thread arms Syscall User
 * Dispatch for itself and, with the session's fast path on (empty trap
 * set), makes raw syscall(2)s of cheap syscalls, decided at syscall
 * entry, and KB_IOC_SYSCALL frames for others, decided in the ioctl.
 * Meanwhile the test process, which is no member (members of a locked
 * session may not change its policy), runs 64 updater threads that
 * replace those rules on both sessions with KB_IOC_SET_RULES as fast as
 * they can.
 *
 * Every rule version v of session S gives each syscall ("slot" i) an
 * answer nobody else gives: a stub's errno is S's base + (v % 336) * 6 + i
 * and a fake's value S's base + v * 8 + i, so that a result names the
 * session, the syscall and the version (the errno only modulo 336; 336 is
 * a multiple of 6, so the action, which depends on v % 3 or v % 2, still
 * follows). The checks:
 *  - every result is one the policy gave at some point: the native value
 *    where the slot ever passes, else a stub or fake of this session and
 *    slot, of a version already handed out, whose action matches;
 *  - per syscall number (all 512), a session's KB_IOC_SESSION_STATS
 *    counts equal exactly the calls its members counted themselves: one
 *    lost, doubled or misattributed call shows; total = sum + out of
 *    range; the fast path's share is every raw call that raised no SIGSYS;
 *  - KB_IOC_GET_RULES, read concurrently, always shows one whole version
 *    (SET_RULES is all or nothing), and the hits of rules no update
 *    touches equal the calls exactly; after the updates end, one final
 *    version is set and 8 calls per thread and syscall must give exactly
 *    its answers and add up to exactly its hits;
 *  - every wait is bounded (the test says which step hung; KB_TIME_SCALE
 *    multiplies the bounds), and the harness's timeout is the last
 *    resort.
 *
 * Runs KB_STRESS_SECS seconds (default 3). Prints the figures as TAP
 * comments. Needs /dev/kbridge (SKIP otherwise) and root.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kbridge_test.h"
#include "kbridge_sud.h"

#define MEMBER_THREADS	64
#define UPDATERS	64
#define FINAL_CALLS	8	/* per thread and operation, after the churn */
#define NR_OUT		600	/* past the policy table: out_of_range */
#define MAX_VIOL	16
#define VMOD		336	/* versions an errno tells apart */

enum { SA, SB, NSESS };

/* The rule slots whose versions change, and their answers. */
enum { SL_GETPPID, SL_GETUID, SL_GETPID, SL_UMASK, SL_GETEUID, SL_OPENAT };

/* What the member threads do: raw syscalls first, then frames. */
enum op {
	OP_GETPPID, OP_GETUID, OP_GETPID_STUB, OP_GETPID_FAKE, OP_GETGID,
	OP_UMASK, NR_RAW_OPS,
	OP_F_GETEUID = NR_RAW_OPS, OP_F_GETEGID, OP_F_OPEN_MATCH,
	OP_F_OPEN_OTHER, OP_F_OUT, NR_OPS,
};

static const char *const op_name[NR_OPS] = {
	"getppid", "getuid", "getpid(0)", "getpid(1)", "getgid", "umask",
	"frame geteuid", "frame getegid", "frame openat match",
	"frame openat other", "frame nr 600",
};

static const unsigned int op_nr[NR_OPS] = {
	SYS_getppid, SYS_getuid, SYS_getpid, SYS_getpid, SYS_getgid,
	SYS_umask, SYS_geteuid, SYS_getegid, SYS_openat, SYS_openat, NR_OUT,
};

/* Per session: where its answers live; nothing overlaps the other's. */
static const struct {
	int ebase;		/* versioned errnos: ebase .. ebase + 2015 */
	int gid_errno;		/* getgid: stubbed once, never updated */
	int64_t fbase;		/* versioned fakes: fbase + v * 8 + slot */
	int64_t egid_fake;	/* getegid: faked once, never updated */
} sc[NSESS] = {
	{ 1, 2030, 1LL << 40, 0xEEE0000A },
	{ 2048, 4080, 1LL << 41, 0xEEE0000B },
};

static const char glob_match[] = "/kbstress/a*";
static const char path_match[] = "/kbstress/abc";
static const char path_other[] = "/kbstress/zzz";

struct viol {
	int session, op, thread, phase;
	long ret;
	int err;
	uint64_t issued;
	char what[48];
};

/* Shared by the test process and both member processes (MAP_SHARED). */
struct shared {
	_Atomic int phase;	/* enum phase */
	_Atomic int ready[NSESS], paused[NSESS];
	_Atomic uint64_t issued[NSESS];	/* versions handed out */
	uint64_t vfinal[NSESS];
	_Atomic uint64_t calls[NSESS][2][NR_OPS];	/* [churn, final] */
	_Atomic uint64_t sigsys[NSESS];
	_Atomic uint64_t violations[NSESS];
	_Atomic int nviol;
	struct viol viol[MAX_VIOL];
	int joined[NSESS];		/* what KB_IOC_SESSION_JOIN said */
	int setup_err[NSESS];		/* step of a member's failed set-up */
	/* updaters */
	_Atomic bool stop;
	_Atomic int updaters_done;
	_Atomic uint64_t updates[NSESS], update_errors, last_update_errno;
	_Atomic uint64_t snapshots, bad_snapshots, stats_reads, stats_back;
	char bad_snapshot[96];
};

enum phase { PH_SETUP, PH_CHURN, PH_PAUSE, PH_FINAL };

/* A plain value of a shared counter, for the harness's macros. */
#define LD(x)	((uint64_t)atomic_load(&(x)))

static struct shared *sh;
static int fds[NSESS];

/* The action of @slot in version @v (also right for v % VMOD). */
static int slot_action(int slot, uint64_t v)
{
	switch (slot) {
	case SL_GETUID:
	case SL_OPENAT:		/* its path condition; the rule passes */
		return 1 + v % 2;
	case SL_GETPID:		/* the rule stubs, its condition fakes */
		return -1;
	default:
		return v % 3;
	}
}

static int64_t v_errno(int s, uint64_t v, int slot)
{
	return sc[s].ebase + (int64_t)(v % VMOD) * 6 + slot;
}

static int64_t v_fake(int s, uint64_t v, int slot)
{
	return sc[s].fbase + (int64_t)v * 8 + slot;
}

static struct kb_rule_desc whole(unsigned int nr, int s, uint64_t v, int slot)
{
	int a = slot_action(slot, v);

	if (a == KB_ACTION_PASS)
		return kb_rule(nr, KB_TIER_FULL, KB_ACTION_PASS, 0);
	return kb_rule(nr, KB_TIER_STUBBED, a, a == KB_ACTION_STUB ?
		       v_errno(s, v, slot) : v_fake(s, v, slot));
}

/* Version @v of session @s's changing rules; the number of entries. */
static unsigned int build_rules(int s, uint64_t v, struct kb_rule_desc *d)
{
	unsigned int n = 0;
	int a = slot_action(SL_OPENAT, v);

	d[n++] = whole(SYS_getppid, s, v, SL_GETPPID);
	d[n++] = whole(SYS_getuid, s, v, SL_GETUID);
	d[n++] = kb_rule(SYS_getpid, KB_TIER_PARTIAL, KB_ACTION_STUB,
			 v_errno(s, v, SL_GETPID));
	d[n++] = kb_cond_eq(SYS_getpid, 0, 0xffffffff, 1, KB_ACTION_FAKE,
			    v_fake(s, v, SL_GETPID));
	d[n++] = whole(SYS_umask, s, v, SL_UMASK);
	d[n++] = whole(SYS_geteuid, s, v, SL_GETEUID);
	d[n++] = kb_rule(SYS_openat, KB_TIER_PARTIAL, KB_ACTION_PASS, 0);
	d[n++] = kb_cond_path(SYS_openat, 1, glob_match, a,
			      a == KB_ACTION_STUB ? v_errno(s, v, SL_OPENAT) :
			      v_fake(s, v, SL_OPENAT));
	return n;
}

/* The rules set once and never touched by an update. */
static unsigned int stable_rules(int s, struct kb_rule_desc *d)
{
	d[0] = kb_rule(SYS_getgid, KB_TIER_STUBBED, KB_ACTION_STUB,
		       sc[s].gid_errno);
	d[1] = kb_rule(SYS_getegid, KB_TIER_STUBBED, KB_ACTION_FAKE,
		       sc[s].egid_fake);
	return 2;
}

/*
 * Whether a stub's errno @e or a fake's value @f could come from session
 * @s's @slot with action @want: of this session, this slot, a version
 * already handed out (@issued after the call) whose action is @want.
 */
static bool stub_possible(int s, int slot, int64_t e, uint64_t issued,
			  int want)
{
	int64_t off = e - sc[s].ebase;
	uint64_t vm;

	if (off < 0 || off >= VMOD * 6 || off % 6 != slot)
		return false;
	vm = off / 6;
	if (issued < VMOD && vm > issued)
		return false;
	return want < 0 || slot_action(slot, vm) == want;
}

static bool fake_possible(int s, int slot, int64_t f, uint64_t issued,
			  int want)
{
	int64_t off = f - sc[s].fbase;
	uint64_t v;

	if (off < 0 || off % 8 != slot)
		return false;
	v = off / 8;
	if (v > issued)
		return false;
	return want < 0 || slot_action(slot, v) == want;
}

/* ------------------------------------------------------------------ */
/* Member side: everything here runs with SUD armed unless it says not. */

static int member_s;		/* this process's session */
static long native_ppid;
static _Atomic int local_go;	/* B: threads wait for the JOIN */

static void futex_wait(_Atomic int *w, int cur)
{
	kb_tramp(SYS_futex, (long)w, FUTEX_WAIT, cur, 0, 0, 0);
}

static void wait_at_least(_Atomic int *w, int want)
{
	int cur;

	while ((cur = atomic_load(w)) < want)
		futex_wait(w, cur);
}

static void record(int op, int thread, int phase, long ret, int err,
		   uint64_t issued, const char *what)
{
	int i;

	atomic_fetch_add(&sh->violations[member_s], 1);
	i = atomic_fetch_add(&sh->nviol, 1);
	if (i >= MAX_VIOL)
		return;
	sh->viol[i] = (struct viol){
		.session = member_s, .op = op, .thread = thread,
		.phase = phase, .ret = ret, .err = err, .issued = issued,
	};
	snprintf(sh->viol[i].what, sizeof(sh->viol[i].what), "%s", what);
}

/*
 * SIGSYS: a raw call the fast path left to user space (hook not armed).
 * Decided through KB_IOC_SYSCALL and counted there, once, like the
 * fast path would have.
 */
static void on_sigsys(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	struct kb_syscall c = { .size = sizeof(c), .nr = si->si_syscall };
	long ret;

	(void)sig;
	atomic_fetch_add(&sh->sigsys[member_s], 1);
	kb_frame_args(&c, g);
	ret = TRAMP3(SYS_ioctl, fds[member_s], KB_IOC_SYSCALL, &c);
	if (ret) {
		record(-1, -1, -1, ret, 0, 0, "KB_IOC_SYSCALL in SIGSYS");
		g[REG_RAX] = -ENOSYS;
	} else if (c.verdict == KB_VERDICT_RESULT) {
		g[REG_RAX] = c.result;
	} else {
		g[REG_RAX] = kb_tramp(c.nr, c.args[0], c.args[1], c.args[2],
				      c.args[3], c.args[4], c.args[5]);
	}
}

/* A raw call's outcome as (action, value); value: errno, fake or ret. */
static void classify_raw(long r, int err, int *action, int64_t *value)
{
	if (r == -1) {
		*action = KB_ACTION_STUB;
		*value = err;
	} else if (r >= sc[SA].fbase) {
		*action = KB_ACTION_FAKE;
		*value = r;
	} else {
		*action = KB_ACTION_PASS;
		*value = r;
	}
}

/* The native answer of @op, for the slots that pass natively. */
static long native_of(int op)
{
	switch (op) {
	case OP_GETPPID:
		return native_ppid;
	case OP_UMASK:
		return 022;
	default:
		return LONG_MIN;	/* never native */
	}
}

static int op_slot(int op)
{
	static const int slot[NR_OPS] = {
		SL_GETPPID, SL_GETUID, SL_GETPID, SL_GETPID, -1, SL_UMASK,
		SL_GETEUID, -1, SL_OPENAT, SL_OPENAT, -1,
	};

	return slot[op];
}

/*
 * Whether (@action, @value) is a possible answer to @op. @final: only
 * version @vf's own answer is. @issued: versions handed out after the call.
 */
static bool possible(int op, int action, int64_t value, bool final,
		     uint64_t vf, uint64_t issued)
{
	const int s = member_s, slot = op_slot(op);
	int want;

	switch (op) {
	case OP_GETGID:
		return action == KB_ACTION_STUB && value == sc[s].gid_errno;
	case OP_F_GETEGID:
		return action == KB_ACTION_FAKE && value == sc[s].egid_fake;
	case OP_F_OUT:
	case OP_F_OPEN_OTHER:
		return action == KB_ACTION_PASS;
	case OP_GETPID_STUB:
		want = KB_ACTION_STUB;
		break;
	case OP_GETPID_FAKE:
		want = KB_ACTION_FAKE;
		break;
	default:
		want = -1;
	}
	if (final) {
		int a = want >= 0 ? want : slot_action(slot, vf);

		if (action != a)
			return false;
		if (a == KB_ACTION_PASS)
			return op >= NR_RAW_OPS || value == native_of(op);
		return value == (a == KB_ACTION_STUB ? v_errno(s, vf, slot) :
				 v_fake(s, vf, slot));
	}
	switch (action) {
	case KB_ACTION_PASS:
		if (want >= 0 || slot == SL_GETUID)
			return false;
		if (slot == SL_OPENAT)		/* the match never passes */
			return false;
		return op >= NR_RAW_OPS || value == native_of(op);
	case KB_ACTION_STUB:
		if (want == KB_ACTION_FAKE)
			return false;
		return stub_possible(s, slot, value, issued,
				     slot == SL_GETPID ? -1 : KB_ACTION_STUB);
	case KB_ACTION_FAKE:
		if (want == KB_ACTION_STUB)
			return false;
		return fake_possible(s, slot, value, issued,
				     slot == SL_GETPID ? -1 : KB_ACTION_FAKE);
	}
	return false;
}

/* One frame: the (action, value) it answered, or false if malformed. */
static bool frame(int op, int *action, int64_t *value)
{
	struct kb_syscall c = { .size = sizeof(c), .nr = op_nr[op] };
	uint64_t args[6] = { 0 };
	bool partial = op == OP_F_OPEN_MATCH || op == OP_F_OPEN_OTHER;
	long ret;

	if (partial) {
		args[0] = (uint64_t)AT_FDCWD;
		args[1] = (uintptr_t)(op == OP_F_OPEN_MATCH ? path_match :
				      path_other);
	}
	memcpy(c.args, args, sizeof(args));
	ret = TRAMP3(SYS_ioctl, fds[member_s], KB_IOC_SYSCALL, &c);
	if (ret)
		return false;
	*action = c.action;
	if (c.verdict == KB_VERDICT_EXECUTE) {
		*value = 0;
		if (c.action != KB_ACTION_PASS ||
		    memcmp(c.args, args, sizeof(args)))
			return false;
		if (op == OP_F_OUT)
			return true;
		return c.tier == (partial ? KB_TIER_PARTIAL : KB_TIER_FULL);
	}
	if (c.verdict != KB_VERDICT_RESULT || c.action == KB_ACTION_PASS)
		return false;
	*value = c.action == KB_ACTION_STUB ? -c.result : c.result;
	return c.tier == (partial ? KB_TIER_PARTIAL : KB_TIER_STUBBED);
}

static void do_op(int op, int thread, int phase, uint64_t *tally)
{
	uint64_t vf = phase ? sh->vfinal[member_s] : 0;
	int action = -1;
	int64_t value = 0;
	bool wellformed = true;
	long r = 0;
	int err = 0;

	if (op < NR_RAW_OPS) {
		errno = 0;
		switch (op) {
		case OP_GETPID_STUB:
			r = syscall(SYS_getpid, 0);
			break;
		case OP_GETPID_FAKE:
			r = syscall(SYS_getpid, 1);
			break;
		case OP_UMASK:
			r = syscall(SYS_umask, 022);
			break;
		default:
			r = syscall(op_nr[op]);
		}
		err = errno;
		classify_raw(r, err, &action, &value);
	} else {
		wellformed = frame(op, &action, &value);
		r = value;
	}
	tally[op]++;
	if (!wellformed)
		record(op, thread, phase, r, err, 0, "malformed frame answer");
	else if (!possible(op, action, value, phase, vf,
			   atomic_load(&sh->issued[member_s])))
		record(op, thread, phase, r, err,
		       atomic_load(&sh->issued[member_s]),
		       phase ? "not the final version's answer" :
		       "an answer no version gave");
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545F4914F6CDD1DULL;
}

static void *member_thread(void *arg)
{
	int thread = (int)(intptr_t)arg, op, i;
	uint64_t tally[2][NR_OPS] = { { 0 } };
	uint64_t x = 0x9E3779B97F4A7C15ULL * (thread + 1) + member_s;

	wait_at_least(&local_go, 1);
	if (kb_sud_on()) {
		sh->setup_err[member_s] = 100 + thread;
		return NULL;
	}
	atomic_fetch_add(&sh->ready[member_s], 1);
	wait_at_least(&sh->phase, PH_CHURN);

	while (atomic_load(&sh->phase) == PH_CHURN)
		do_op(rnd(&x) % NR_OPS, thread, 0, tally[0]);

	atomic_fetch_add(&sh->paused[member_s], 1);
	wait_at_least(&sh->phase, PH_FINAL);
	for (i = 0; i < FINAL_CALLS; i++)
		for (op = 0; op < NR_OPS; op++)
			do_op(op, thread, 1, tally[1]);

	/* Before anything libc does on the way out could be decided. */
	kb_sud_off();
	for (i = 0; i < 2; i++)
		for (op = 0; op < NR_OPS; op++)
			atomic_fetch_add(&sh->calls[member_s][i][op],
					 tally[i][op]);
	return NULL;
}

/* The member process of session @s; never returns. */
static void __attribute__((noreturn)) member_main(int s)
{
	pthread_t t[MEMBER_THREADS];
	pthread_attr_t attr;
	int i;

	member_s = s;
	close(fds[!s]);
	umask(022);
	native_ppid = getppid();
	if (kb_sud_handler(on_sigsys)) {
		sh->setup_err[s] = 1;
		_exit(1);
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	/* A joins, then creates its threads; B joins them all at once. */
	if (s == SA) {
		sh->joined[s] = kb_join(fds[s]);
		atomic_store(&local_go, 1);
	}
	for (i = 0; i < MEMBER_THREADS; i++) {
		if (pthread_create(&t[i], &attr, member_thread,
				   (void *)(intptr_t)i)) {
			sh->setup_err[s] = 2;
			_exit(2);
		}
	}
	if (s == SB) {
		sh->joined[s] = kb_join(fds[s]);
		atomic_store(&local_go, 1);
		syscall(SYS_futex, &local_go, FUTEX_WAKE, INT_MAX, 0, 0, 0);
	}
	for (i = 0; i < MEMBER_THREADS; i++)
		pthread_join(t[i], NULL);
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* The updaters: threads of the test process, which is no member.     */

#define SNAP_MAX	16

/* One KB_IOC_GET_RULES: a whole version, stable rules untouched. */
static void check_snapshot(int s, uint64_t *last_gid_hits)
{
	struct kb_rule_desc r[SNAP_MAX], want[SNAP_MAX];
	uint64_t hits[SNAP_MAX], v = 0;
	unsigned int count = SNAP_MAX, ssize = 64, i, j, n;
	char strings[64];
	const char *why = NULL;
	bool have_v = false;

	atomic_fetch_add(&sh->snapshots, 1);
	if (kb_rules_get(fds[s], r, hits, &count, strings, &ssize)) {
		why = "GET_RULES failed";
		goto bad;
	}
	if (count != 10) {
		why = "not 10 entries";
		goto bad;
	}
	/* getpid's condition fakes in every version: it names the version. */
	for (i = 0; i < count; i++)
		if (r[i].nr == SYS_getpid && r[i].match == KB_MATCH_EQ) {
			int64_t off = r[i].value - sc[s].fbase;

			if (off >= 0 && off % 8 == SL_GETPID) {
				v = off / 8;
				have_v = true;
			}
		}
	if (!have_v || v > atomic_load(&sh->issued[s])) {
		why = "no version, or one not handed out yet";
		goto bad;
	}
	n = build_rules(s, v, want);
	n += stable_rules(s, want + n);
	for (j = 0; j < n; j++) {
		bool found = false;

		for (i = 0; i < count && !found; i++) {
			if (r[i].nr != want[j].nr || r[i].match != want[j].match)
				continue;
			found = true;
			if (r[i].tier != want[j].tier ||
			    r[i].action != want[j].action ||
			    r[i].value != want[j].value)
				why = "an entry of another version";
			if (want[j].nr == SYS_getgid) {
				if (hits[i] < *last_gid_hits)
					why = "getgid's hits went down";
				*last_gid_hits = hits[i];
			}
		}
		if (!found)
			why = "an entry is missing";
	}
	if (!why)
		return;
bad:
	if (atomic_fetch_add(&sh->bad_snapshots, 1) == 0)
		snprintf(sh->bad_snapshot, sizeof(sh->bad_snapshot),
			 "session %c, version %llu: %s", 'A' + s,
			 (unsigned long long)v, why);
}

static void *updater(void *arg)
{
	unsigned int u = (unsigned int)(uintptr_t)arg, n;
	uint64_t last_total[NSESS] = { 0 }, last_gid[NSESS] = { 0 }, it;
	struct kb_rule_desc d[SNAP_MAX];
	struct kb_session_stats st;

	for (it = 0; !atomic_load(&sh->stop); it++) {
		int s = (it + u) & 1;
		uint64_t v = atomic_fetch_add(&sh->issued[s], 1) + 1;

		n = build_rules(s, v, d);
		if (kb_rules_set(fds[s], d, n)) {
			atomic_fetch_add(&sh->update_errors, 1);
			atomic_store(&sh->last_update_errno, errno);
		} else {
			atomic_fetch_add(&sh->updates[s], 1);
		}
		if (it % 16 == 5)
			check_snapshot(s, &last_gid[s]);
		if (it % 16 == 13) {
			atomic_fetch_add(&sh->stats_reads, 1);
			/* Each counter only grows: so does a later sum. */
			if (kb_stats(fds[s], &st, NULL) ||
			    st.total < last_total[s])
				atomic_fetch_add(&sh->stats_back, 1);
			last_total[s] = st.total;
		}
	}
	atomic_fetch_add(&sh->updaters_done, 1);
	return NULL;
}

/* ------------------------------------------------------------------ */

/* A TAP comment; flushed, since the harness's child ends with _exit(). */
static void __attribute__((format(printf, 1, 2))) note(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void wake_all(_Atomic int *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE, INT_MAX, 0, 0, 0);
}

static unsigned int stress_secs(void)
{
	const char *e = getenv("KB_STRESS_SECS");
	long v = e ? atol(e) : 0;

	return v > 0 && v < 86400 ? v : 3;
}

/* Whether @pid has ended, without reaping it (its status is read later). */
static bool ended(pid_t pid)
{
	siginfo_t si = { 0 };

	return pid > 0 &&
	       !waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) &&
	       si.si_pid == pid;
}

/*
 * Wait until @cond holds or @deadline passes; a member that died meanwhile
 * ends the wait too. Returns whether @cond holds.
 */
#define WAIT_UNTIL(cond, deadline, pids) ({				\
	bool _ok;							\
	while (!(_ok = (cond)) && now() < (deadline)) {			\
		if (ended((pids)[SA]) || ended((pids)[SB]))		\
			break;						\
		sleep_ms(10);						\
	}								\
	_ok;								\
})

FIXTURE(stress) {
	pid_t pid[NSESS];
};

FIXTURE_SETUP(stress)
{
	int s;

	fds[SA] = fds[SB] = -1;
	self->pid[SA] = self->pid[SB] = 0;
	for (s = 0; s < NSESS; s++)
		OPEN_OR_SKIP(fds[s]);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
}

FIXTURE_TEARDOWN(stress)
{
	int s;

	atomic_store(&sh->stop, true);
	for (s = 0; s < NSESS; s++) {
		if (self->pid[s] > 0 && !kill(self->pid[s], SIGKILL))
			waitpid(self->pid[s], NULL, 0);
		if (fds[s] >= 0)
			close(fds[s]);
	}
}

/* The final version's hits: exactly the calls made since it was set. */
static void check_hits(struct __test_metadata *_metadata, int s)
{
	const uint64_t per = (uint64_t)MEMBER_THREADS * FINAL_CALLS;
	struct kb_rule_desc r[SNAP_MAX];
	uint64_t hits[SNAP_MAX], want;
	unsigned int count = SNAP_MAX, ssize = 64, i;
	char strings[64];

	ASSERT_EQ(0, kb_rules_get(fds[s], r, hits, &count, strings, &ssize));
	ASSERT_EQ(10u, count);
	for (i = 0; i < count; i++) {
		if (r[i].nr == SYS_getgid)
			want = sh->calls[s][0][OP_GETGID] +
			       sh->calls[s][1][OP_GETGID];
		else if (r[i].nr == SYS_getegid)
			want = sh->calls[s][0][OP_F_GETEGID] +
			       sh->calls[s][1][OP_F_GETEGID];
		else
			want = per;	/* each entry: one op, FINAL_CALLS each */
		EXPECT_EQ(want, hits[i]) {
			TH_LOG("session %c: hits of nr %u match %u: %llu, want %llu",
			       'A' + s, r[i].nr, r[i].match,
			       (unsigned long long)hits[i],
			       (unsigned long long)want);
		}
	}
}

/* Counts the session kept against the calls its members made. */
static void check_counts(struct __test_metadata *_metadata, int s,
			 unsigned int armed)
{
	static uint64_t counts[KB_NR_SYSCALLS];
	uint64_t want[KB_NR_SYSCALLS] = { 0 }, raw = 0, out = 0, sum = 0;
	struct kb_session_stats st;
	unsigned int nr, bad = 0, op;
	int i;

	for (op = 0; op < NR_OPS; op++) {
		uint64_t n = sh->calls[s][0][op] + sh->calls[s][1][op];

		if (op == OP_F_OUT)
			out += n;
		else
			want[op_nr[op]] += n;
		if (op < NR_RAW_OPS)
			raw += n;
	}
	/* Exits are seen a little after the process is reaped. */
	for (i = 0; i < 300; i++) {
		ASSERT_EQ(0, kb_stats(fds[s], &st, counts));
		if (!st.members)
			break;
		sleep_ms(10);
	}
	EXPECT_EQ(0u, st.members);
	EXPECT_EQ((uint64_t)MEMBER_THREADS + 1, st.joined);
	for (nr = 0; nr < KB_NR_SYSCALLS; nr++) {
		sum += counts[nr];
		if (counts[nr] == want[nr])
			continue;
		if (bad++ < 8)
			TH_LOG("session %c: nr %u counted %llu, members made %llu",
			       'A' + s, nr, (unsigned long long)counts[nr],
			       (unsigned long long)want[nr]);
	}
	EXPECT_EQ(0u, bad);
	EXPECT_EQ(out, st.out_of_range);
	EXPECT_EQ(sum + st.out_of_range, st.total);
	/* Every raw call the fast path did not hand to SIGSYS. */
	EXPECT_EQ(raw - LD(sh->sigsys[s]), st.fastpath);
	if (armed)
		EXPECT_EQ(0u, LD(sh->sigsys[s]));
	note("session %c: %llu calls (%llu raw, %llu in the kernel, %llu through SIGSYS, %llu frames), %llu updates, JOIN said %d",
	       'A' + s, (unsigned long long)st.total, (unsigned long long)raw,
	       (unsigned long long)st.fastpath,
	       (unsigned long long)sh->sigsys[s],
	       (unsigned long long)(st.total - raw),
	       (unsigned long long)sh->updates[s], sh->joined[s]);
}

TEST_F_TIMEOUT(stress, churn, 120)
{
	static const unsigned long no_trap[KB_TRAP_WORDS];
	const unsigned int secs = stress_secs();
	struct kb_rule_desc d[SNAP_MAX];
	pthread_t up[UPDATERS];
	unsigned int armed[NSESS] = { 0 }, n, u;
	double t0, deadline;
	int s, status;

	/*
	 * A is locked, as kblaunch's sessions are: its members could not
	 * change it, the updaters (no members) can. B is not.
	 */
	for (s = 0; s < NSESS; s++) {
		struct kb_session_create c = {
			.size = sizeof(c),
			.flags = s == SA ? KB_SESSION_LOCKED : 0,
		};

		ASSERT_EQ(0, ioctl(fds[s], KB_IOC_SESSION_CREATE, &c));
	}
	/* Version 0 and the stable rules; the fast path, nothing trapped. */
	for (s = 0; s < NSESS; s++) {
		n = build_rules(s, 0, d);
		n += stable_rules(s, d + n);
		ASSERT_EQ(0, kb_rules_set(fds[s], d, n));
		ASSERT_EQ(0, kb_fastpath(fds[s], 1, no_trap, &armed[s]));
	}
	note("fast path hook %s; %u s of updates",
	       armed[SA] ? "armed" : "NOT armed: raw calls go through SIGSYS",
	       secs);

	fflush(stdout);
	for (s = 0; s < NSESS; s++) {
		self->pid[s] = fork();
		ASSERT_LE(0, self->pid[s]);
		if (!self->pid[s])
			member_main(s);
	}
	deadline = now() + 60 * kb_time_scale();
	ASSERT_TRUE(WAIT_UNTIL(sh->ready[SA] == MEMBER_THREADS &&
			       sh->ready[SB] == MEMBER_THREADS, deadline,
			       self->pid)) {
		TH_LOG("members not ready: %d + %d threads, set-up steps %d %d",
		       sh->ready[SA], sh->ready[SB], sh->setup_err[SA],
		       sh->setup_err[SB]);
	}
	EXPECT_EQ(1, sh->joined[SA]);
	EXPECT_EQ(MEMBER_THREADS + 1, sh->joined[SB]);

	for (u = 0; u < UPDATERS; u++)
		ASSERT_EQ(0, pthread_create(&up[u], NULL, updater,
					    (void *)(uintptr_t)u));
	t0 = now();
	atomic_store(&sh->phase, PH_CHURN);
	wake_all(&sh->phase);
	while (now() < t0 + secs && !ended(self->pid[SA]) &&
	       !ended(self->pid[SB]))
		sleep_ms(50);

	atomic_store(&sh->stop, true);
	deadline = now() + 30 * kb_time_scale();
	ASSERT_TRUE(WAIT_UNTIL(sh->updaters_done == UPDATERS, deadline,
			       self->pid)) {
		TH_LOG("only %d of %d updaters finished: stuck in the module?",
		       sh->updaters_done, UPDATERS);
	}
	for (u = 0; u < UPDATERS; u++)
		pthread_join(up[u], NULL);
	note("%.1f s: %llu + %llu updates, %llu snapshots, %llu stats reads",
	       now() - t0, (unsigned long long)sh->updates[SA],
	       (unsigned long long)sh->updates[SB],
	       (unsigned long long)sh->snapshots,
	       (unsigned long long)sh->stats_reads);

	atomic_store(&sh->phase, PH_PAUSE);
	wake_all(&sh->phase);
	deadline = now() + 30 * kb_time_scale();
	ASSERT_TRUE(WAIT_UNTIL(sh->paused[SA] == MEMBER_THREADS &&
			       sh->paused[SB] == MEMBER_THREADS, deadline,
			       self->pid)) {
		TH_LOG("members did not pause: %d + %d threads: stuck?",
		       sh->paused[SA], sh->paused[SB]);
	}
	for (s = 0; s < NSESS; s++) {
		sh->vfinal[s] = atomic_fetch_add(&sh->issued[s], 1) + 1;
		n = build_rules(s, sh->vfinal[s], d);
		ASSERT_EQ(0, kb_rules_set(fds[s], d, n));
	}
	atomic_store(&sh->phase, PH_FINAL);
	wake_all(&sh->phase);

	deadline = now() + 60 * kb_time_scale();
	for (s = 0; s < NSESS; s++) {
		pid_t w;

		while ((w = waitpid(self->pid[s], &status, WNOHANG)) == 0 &&
		       now() < deadline)
			sleep_ms(10);
		ASSERT_EQ(self->pid[s], w) TH_LOG("member %c did not end",
						  'A' + s);
		self->pid[s] = 0;
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
			TH_LOG("member %c: status 0x%x, set-up step %d",
			       'A' + s, status, sh->setup_err[s]);
		}
	}

	EXPECT_EQ(0u, LD(sh->update_errors)) {
		TH_LOG("SET_RULES failed: %s",
		       strerror((int)sh->last_update_errno));
	}
	EXPECT_EQ(0u, LD(sh->bad_snapshots)) TH_LOG("%s", sh->bad_snapshot);
	EXPECT_EQ(0u, LD(sh->stats_back));
	EXPECT_LT(0u, LD(sh->updates[SA]));
	EXPECT_LT(0u, LD(sh->updates[SB]));
	for (s = 0; s < NSESS; s++) {
		EXPECT_EQ(0u, LD(sh->violations[s]));
		EXPECT_LT(0u, LD(sh->calls[s][0][OP_GETPPID]));
	}
	for (s = 0; s < sh->nviol && s < MAX_VIOL; s++) {
		const struct viol *v = &sh->viol[s];

		TH_LOG("session %c thread %d %s: %s: %s returned %ld (0x%lx) errno %d, %llu versions handed out",
		       'A' + v->session, v->thread,
		       v->phase ? "final" : "churn", v->what,
		       v->op >= 0 ? op_name[v->op] : "-", v->ret,
		       (unsigned long)v->ret, v->err,
		       (unsigned long long)v->issued);
	}
	for (s = 0; s < NSESS; s++) {
		check_counts(_metadata, s, armed[s]);
		check_hits(_metadata, s);
	}
}

/* KB_STRESS_SECS and KB_TIME_SCALE lengthen it: the harness's limit too. */
static void __attribute__((constructor)) stress_timeout(void)
{
	_stress_churn_object.timeout = (120 + 2 * stress_secs()) *
				       kb_time_scale();
}

TEST_HARNESS_MAIN
