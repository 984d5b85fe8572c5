// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge runtime: SIGSYS as the program sees it.
 *
 * The real SIGSYS is the runtime's: its action must stay the runtime's
 * handler and it must never be blocked (a SUD trap while SIGSYS is
 * blocked kills the process). So the program gets a virtual SIGSYS:
 *
 *  - its action: rt_sigaction(SIGSYS, ...) reads and writes a slot here;
 *  - "blocked", per thread: rt_sigprocmask and friends report and change
 *    a virtual bit (kept in the thread table below), never the real one;
 *  - "pending", per thread: a SIGSYS that is not a SUD trap (kill, tgkill,
 *    a seccomp SECCOMP_RET_TRAP filter) reaching a thread that has SIGSYS
 *    blocked is kept in the table and delivered when the thread unblocks
 *    it, as the kernel would.
 *
 * The thread table. The runtime has no TLS (%fs is the program's), so the
 * per-thread bit is a slot keyed by thread id: a thread that has SIGSYS
 * blocked owns one slot, claimed with a compare-and-swap of its tid into
 * a free one and given back when it unblocks, exits or execs. Only the
 * owner changes its slot (and a fork child, alone in its copy of the
 * table, tidies the copy), so no lock is needed anywhere; threads with
 * SIGSYS unblocked - nearly all, nearly always - own nothing and cost
 * nothing (@vthreads_used is 0: not even a gettid). A handler nested in
 * the owner between two steps can at worst make a second slot for the
 * same tid, so every lookup treats all slots of a tid as one.
 *
 * The action slot is four word-sized fields written one after the other,
 * with no lock (a lock could deadlock a handler that interrupted the
 * writer): two threads racing on rt_sigaction(SIGSYS) may leave a mix of
 * both actions; no real program does that.
 */
#include "internal.h"
#include "sys.h"

#define KBRT_SIG_DFL	0
#define KBRT_SIG_IGN	1

/* Threads that can have SIGSYS blocked at the same time; then: unblocked. */
#define KBRT_VTHREADS	128

/*
 * A slot's state is one word, so that "whose" and "pending" change
 * together: the owner's tid in the low 32 bits (0: free), SLOT_PENDING
 * when @info waits for the unblock. Every change is a compare-and-swap
 * from the value read before @info was looked at: a handler nested in the
 * owner that changed the slot meanwhile makes it fail and start again.
 */
#define SLOT_TID	0xffffffffULL
#define SLOT_PENDING	(1ULL << 32)

struct kbrt_vthread {
	uint64_t state;
	struct kbrt_siginfo info;
};

static struct kbrt_sigaction kbrt_virt_sigsys;	/* SIG_DFL at start */
static struct kbrt_vthread vthreads[KBRT_VTHREADS];
static uint32_t vthreads_used;			/* slots owned */

/* The calling thread's id, asked once per handler call (*@tid caches it). */
static int my_tid(int *tid)
{
	if (!*tid)
		*tid = (int)sys_gettid();
	return *tid;
}

static uint64_t slot_state(unsigned int i)
{
	return __atomic_load_n(&vthreads[i].state, __ATOMIC_ACQUIRE);
}

static int slot_cas(unsigned int i, uint64_t old, uint64_t nw)
{
	return __atomic_compare_exchange_n(&vthreads[i].state, &old, nw, 0,
					   __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

static int owns(uint64_t state, int tid)
{
	return (state & SLOT_TID) == (uint32_t)tid;
}

int kbrt_vsig_blocked(int *tid)
{
	unsigned int i;

	if (!__atomic_load_n(&vthreads_used, __ATOMIC_ACQUIRE))
		return 0;
	my_tid(tid);
	for (i = 0; i < KBRT_VTHREADS; i++)
		if (owns(slot_state(i), *tid))
			return 1;
	return 0;
}

/*
 * Give back every slot of @tid; true, with the siginfo in *@info, if a
 * SIGSYS was pending in one.
 */
static int release_slots(int tid, struct kbrt_siginfo *info)
{
	struct kbrt_siginfo snap;
	int found = 0;
	unsigned int i;
	uint64_t st;

	for (i = 0; i < KBRT_VTHREADS; i++) {
		do {
			st = slot_state(i);
			if (!owns(st, tid))
				break;
			kbrt_memcpy(&snap, &vthreads[i].info, sizeof(snap));
		} while (!slot_cas(i, st, 0));
		if (!owns(st, tid))
			continue;
		__atomic_fetch_sub(&vthreads_used, 1, __ATOMIC_RELEASE);
		if ((st & SLOT_PENDING) && !found) {
			found = 1;
			if (info)
				kbrt_memcpy(info, &snap, sizeof(snap));
		}
	}
	return found;
}

static int claim_slot(int tid)
{
	unsigned int i;

	__atomic_fetch_add(&vthreads_used, 1, __ATOMIC_ACQ_REL);
	for (i = 0; i < KBRT_VTHREADS; i++)
		if (slot_cas(i, 0, (uint32_t)tid))
			return (int)i;
	__atomic_fetch_sub(&vthreads_used, 1, __ATOMIC_RELEASE);
	return -1;
}

/*
 * Block or unblock SIGSYS for the calling thread. Unblocking returns true
 * with *@info set when a SIGSYS was pending: the caller delivers it.
 */
int kbrt_vsig_set_blocked(int *tid, int blocked, struct kbrt_siginfo *info)
{
	static int said;

	if (!blocked)
		return kbrt_vsig_blocked(tid) && release_slots(*tid, info);
	if (kbrt_vsig_blocked(tid))
		return 0;
	/*
	 * A full table (more than KBRT_VTHREADS threads with SIGSYS blocked
	 * at once): this thread's SIGSYS stays unblocked. Said once.
	 */
	if (claim_slot(my_tid(tid)) < 0 &&
	    !__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
		kbrt_say("too many threads with SIGSYS blocked; it stays unblocked in the others",
			 KBRT_VTHREADS);
	return 0;
}

/* Take the SIGSYS pending for the calling thread, if any. */
int kbrt_vsig_take_pending(int *tid, struct kbrt_siginfo *info)
{
	unsigned int i;
	uint64_t st;

	if (!kbrt_vsig_blocked(tid))
		return 0;
	for (i = 0; i < KBRT_VTHREADS; i++) {
		do {
			st = slot_state(i);
			if (!owns(st, *tid) || !(st & SLOT_PENDING))
				break;
			kbrt_memcpy(info, &vthreads[i].info, sizeof(*info));
		} while (!slot_cas(i, st, st & ~SLOT_PENDING));
		if (owns(st, *tid) && (st & SLOT_PENDING))
			return 1;
	}
	return 0;
}

int kbrt_vsig_pending(int *tid)
{
	unsigned int i;
	uint64_t st;

	if (!kbrt_vsig_blocked(tid))
		return 0;
	for (i = 0; i < KBRT_VTHREADS; i++) {
		st = slot_state(i);
		if (owns(st, *tid) && (st & SLOT_PENDING))
			return 1;
	}
	return 0;
}

/*
 * Keep @info pending if the calling thread has SIGSYS blocked; true if
 * it did. SIGSYS is not a real-time signal: a second one while one is
 * pending is merged into it, as the kernel does.
 */
int kbrt_vsig_hold(const struct kbrt_siginfo *info)
{
	unsigned int i;
	uint64_t st;
	int tid = 0;

	if (!kbrt_vsig_blocked(&tid))
		return 0;
	for (i = 0; i < KBRT_VTHREADS; i++) {
		st = slot_state(i);
		if (!owns(st, tid))
			continue;
		if (st & SLOT_PENDING)
			return 1;
		/* Only this thread writes its slot's info while not pending. */
		kbrt_memcpy(&vthreads[i].info, info, sizeof(*info));
		if (slot_cas(i, st, st | SLOT_PENDING))
			return 1;
		/* A nested handler changed the slot: look again. */
		i = (unsigned int)-1;
	}
	return 1;
}

/*
 * A child with a copy of the memory (fork, or clone without CLONE_VM) has
 * one thread, whose SIGSYS is blocked if its creator's was: the copied
 * table holds the parent's threads, which do not exist here. Pending
 * signals are not inherited (as with the kernel).
 */
void kbrt_vsig_forked(int blocked)
{
	unsigned int i;
	int tid = 0;

	if (!__atomic_load_n(&vthreads_used, __ATOMIC_ACQUIRE) && !blocked)
		return;
	for (i = 0; i < KBRT_VTHREADS; i++)
		__atomic_store_n(&vthreads[i].state, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&vthreads_used, 0, __ATOMIC_RELEASE);
	if (blocked)
		kbrt_vsig_set_blocked(&tid, 1, 0);
}

/* The thread ends or execs: its tid may come back for another thread. */
void kbrt_vsig_forget(int *tid, struct kbrt_siginfo *pending)
{
	if (kbrt_vsig_blocked(tid))
		release_slots(*tid, pending);
}

/* kbrt_setup: the state the program had across its exec (reenter.c). */
void kbrt_vsig_init(int state)
{
	struct kbrt_vthread *v;
	int tid = 0, i;

	if (state & KBRT_REENTRY_SIGSYS_IGNORED)
		kbrt_virt_sigsys.handler = KBRT_SIG_IGN;
	if (!(state & KBRT_REENTRY_SIGSYS_BLOCKED))
		return;
	i = claim_slot(my_tid(&tid));
	if (i < 0 || !(state & KBRT_REENTRY_SIGSYS_PENDING))
		return;
	/* The siginfo did not survive the exec: as if from kill(). */
	v = &vthreads[i];
	kbrt_memset(&v->info, 0, sizeof(v->info));
	v->info.si_signo = SIGSYS;
	v->info.si_code = SI_USER;
	v->info.u.kill.pid = (int32_t)sys_getpid();
	v->state |= SLOT_PENDING;
}

int kbrt_vsig_ignored(void)
{
	return __atomic_load_n(&kbrt_virt_sigsys.handler, __ATOMIC_RELAXED) ==
	       KBRT_SIG_IGN;
}

long kbrt_virt_sigaction(uint64_t act, uint64_t oact, uint64_t size)
{
	volatile struct kbrt_sigaction *v = &kbrt_virt_sigsys;
	struct kbrt_sigaction nw, old;
	unsigned int i;

	if (size != KBRT_SIGSET_SIZE)
		return -EINVAL;
	/* The kernel reads the new action before it touches anything. */
	if (act && kbrt_copy_from_user(&nw, act, sizeof(nw)))
		return -EFAULT;
	old.handler = v->handler;
	old.flags = v->flags;
	old.restorer = v->restorer;
	old.mask = v->mask;
	if (act) {
		v->handler = nw.handler;
		v->flags = nw.flags;
		v->restorer = nw.restorer;
		/* As the kernel does: SIGKILL and SIGSTOP cannot be blocked. */
		v->mask = nw.mask & ~(KBRT_SIGBIT(SIGKILL) |
				      KBRT_SIGBIT(SIGSTOP));
		/* Ignoring a signal discards it where it is pending. */
		if (nw.handler == KBRT_SIG_IGN)
			for (i = 0; i < KBRT_VTHREADS; i++)
				__atomic_fetch_and(&vthreads[i].state,
						   ~SLOT_PENDING,
						   __ATOMIC_RELAXED);
	}
	if (oact && kbrt_copy_to_user(oact, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/*
 * Deliver a SIGSYS of the program's own to it now. SIG_IGN: drop it.
 * SIG_DFL: die of it the way the kernel would (the supervisor then
 * reports SIGSYS): reset the real action and send it again; SIGSYS is not
 * blocked here, so it is delivered as soon as tgkill returns. A handler:
 * call it on this frame with the program's ucontext, as the kernel would
 * have, with its sa_mask added (SIGSYS itself stays unblocked for real,
 * or its syscalls would kill it).
 */
void kbrt_deliver_sigsys(struct kbrt_siginfo *info, struct kbrt_ucontext *uc)
{
	volatile struct kbrt_sigaction *v = &kbrt_virt_sigsys;
	struct kbrt_siginfo next;
	uint64_t handler, flags;
	kbrt_sigset_t mask, old;
	int tid = 0, defer;

	for (;;) {
		handler = v->handler;
		flags = v->flags;
		mask = v->mask;
		if (handler == KBRT_SIG_IGN)
			return;
		if (handler == KBRT_SIG_DFL) {
			struct kbrt_sigaction dfl;

			kbrt_memset(&dfl, 0, sizeof(dfl));
			sys_rt_sigaction(SIGSYS, &dfl, 0);
			sys_tgkill(sys_getpid(), sys_gettid(), SIGSYS);
			/* Not reached unless SIGSYS was somehow blocked. */
			sys_exit_group(128 + SIGSYS);
		}
		if (flags & SA_RESETHAND)
			v->handler = KBRT_SIG_DFL;
		/*
		 * During the handler SIGSYS is blocked (virtually) unless
		 * SA_NODEFER, as the kernel would; one arriving meanwhile
		 * is delivered when the handler returns.
		 */
		defer = (!(flags & SA_NODEFER) || (mask & KBRT_SIGSYS_BIT)) &&
			!kbrt_vsig_blocked(&tid);
		if (defer)
			kbrt_vsig_set_blocked(&tid, 1, 0);
		mask &= ~KBRT_SIGSYS_BIT;
		sys_rt_sigprocmask(SIG_BLOCK, &mask, &old);
		if (flags & SA_SIGINFO)
			((void (*)(int, void *, void *))handler)(SIGSYS, info,
								 uc);
		else
			((void (*)(int))handler)(SIGSYS);
		sys_rt_sigprocmask(SIG_SETMASK, &old, 0);
		/* Unblock again; deliver what came meanwhile. */
		if (!defer || !kbrt_vsig_set_blocked(&tid, 0, &next))
			return;
		info = &next;
	}
}

/* A SIGSYS that is not a SUD trap: now, or when the thread unblocks it. */
void kbrt_foreign_sigsys(struct kbrt_siginfo *info, struct kbrt_ucontext *uc)
{
	if (kbrt_vsig_hold(info))
		return;
	kbrt_deliver_sigsys(info, uc);
}
