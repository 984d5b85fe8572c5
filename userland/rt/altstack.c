// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge runtime: alternate signal stacks, the runtime's and the
 * program's.
 *
 * A trap can come from code running on a stack with almost no room left:
 * a Go goroutine starts on a few KiB and makes raw syscalls with a few
 * hundred bytes to spare, green threads and coroutines do the same. The
 * kernel's signal frame alone (1 KiB here, 3.5 KiB with AVX-512, 11 KiB
 * with AMX) would write over whatever lies below. So the SIGSYS action
 * has SA_ONSTACK, and the kernel's alternate stack of every thread is
 * always the runtime's: one mapped here, with SS_AUTODISARM, so that
 * whatever interrupts the runtime on it (a program handler, a nested
 * trap) goes below it, on the current stack.
 *
 * The program's alternate stack is virtual. sigaltstack() records it in
 * the thread's slot (executor.c; the kernel checks the arguments first)
 * and reports it as the kernel would. The program's SA_ONSTACK handlers
 * are installed with kbrt_onstack() in front (executor.c): the kernel
 * delivers on the runtime's stack, kbrt_onstack() moves to the top of
 * the program's alternate stack - where the kernel would have run the
 * handler - and calls it there with the kernel's siginfo and ucontext.
 * A program on its own alternate stack (in a handler) stays where it is,
 * as natively. The program therefore never finds a SIGSYS frame on its
 * alternate stack except below a frame of its own, as a nested signal.
 *
 * The stack table. The runtime has no TLS, so the slots are keyed by the
 * owner's tid, in chunks that are added and never freed; lookups happen
 * on sigaltstack, clone, exit, fork and the program's SA_ONSTACK
 * signals, never per trap. A slot's owner word:
 *  - 0: free; its stack (if mapped) is kept for the next thread;
 *  - KBRT_AS_CLAIMED | creator tid: a clone in progress;
 *  - tid: in use by that thread; with KBRT_AS_PARENT_FREES, a vfork-style
 *    child sharing our memory, whose parent frees the slot once the
 *    child has exec'd or exited (the child cannot free it on exec).
 * Only the owner writes the rest of its slot. A thread frees its slot in
 * its very last instruction before exit, with every signal blocked, so
 * that nothing runs on the stack once it is free (kbrt_exit_releasing).
 */
#include <linux/mman.h>

#include "internal.h"
#include "sys.h"

#define KBRT_AS_CLAIMED		(1ULL << 32)
#define KBRT_AS_PARENT_FREES	(1ULL << 33)
#define KBRT_AS_TID		0xffffffffULL

/*
 * Room for the runtime's deepest path (exec: a few KiB of paths), a
 * program handler nested in it, and the largest frames x86 delivers,
 * several times over. Only the pages touched cost memory.
 */
#define KBRT_AS_SIZE		(256 * 1024)
_Static_assert(KBRT_AS_SIZE % 16 == 0, "stack top alignment");
#define KBRT_AS_GUARD		4096
#define KBRT_AS_PER_CHUNK	63

struct kbrt_as_chunk {
	struct kbrt_as_chunk *next;
	struct kbrt_as_slot slot[KBRT_AS_PER_CHUNK];
};

static struct kbrt_as_chunk kbrt_as_first;

static uint64_t owner_of(const struct kbrt_as_slot *s)
{
	return __atomic_load_n(&s->owner, __ATOMIC_ACQUIRE);
}

static int owner_cas(struct kbrt_as_slot *s, uint64_t old, uint64_t nw)
{
	return __atomic_compare_exchange_n(&s->owner, &old, nw, 0,
					   __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

static struct kbrt_as_chunk *next_chunk(struct kbrt_as_chunk *c)
{
	return __atomic_load_n(&c->next, __ATOMIC_ACQUIRE);
}

/* A new chunk after @c, or the one another thread added first. */
static struct kbrt_as_chunk *grow(struct kbrt_as_chunk *c)
{
	struct kbrt_as_chunk *nw, *expected = 0;
	long p;

	p = sys_mmap(0, sizeof(*nw), PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p < 0 && p > -4096)
		return 0;
	nw = (struct kbrt_as_chunk *)p;
	if (__atomic_compare_exchange_n(&c->next, &expected, nw, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return nw;
	sys_munmap(nw, sizeof(*nw));
	return expected;
}

/* Map the stack of @s: a guard page, then KBRT_AS_SIZE bytes. */
static long map_stack(struct kbrt_as_slot *s)
{
	long p;

	p = sys_mmap(0, KBRT_AS_GUARD + KBRT_AS_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
		     -1, 0);
	if (p < 0 && p > -4096)
		return p;
	if (sys_mprotect((void *)p, KBRT_AS_GUARD, PROT_NONE)) {
		sys_munmap((void *)p, KBRT_AS_GUARD + KBRT_AS_SIZE);
		return -ENOMEM;
	}
	__atomic_store_n(&s->base, (uint64_t)p + KBRT_AS_GUARD,
			 __ATOMIC_RELEASE);
	return 0;
}

static void release(struct kbrt_as_slot *s)
{
	__atomic_store_n(&s->owner, 0, __ATOMIC_RELEASE);
}

long kbrt_as_claim(int creator, struct kbrt_as_slot **out)
{
	struct kbrt_as_chunk *c = &kbrt_as_first;
	uint64_t mark = KBRT_AS_CLAIMED | (uint32_t)creator;
	unsigned int i;
	long ret;

	for (; c; c = next_chunk(c) ? next_chunk(c) : grow(c)) {
		for (i = 0; i < KBRT_AS_PER_CHUNK; i++) {
			struct kbrt_as_slot *s = &c->slot[i];

			if (owner_of(s) || !owner_cas(s, 0, mark))
				continue;
			if (!__atomic_load_n(&s->base, __ATOMIC_ACQUIRE)) {
				ret = map_stack(s);
				if (ret) {
					release(s);
					return -EAGAIN;
				}
			}
			*out = s;
			return 0;
		}
	}
	return -EAGAIN;
}

/* The runtime's stack of @s, as the kernel is given it. */
static void runtime_stack(const struct kbrt_as_slot *s, struct kbrt_stack *st)
{
	kbrt_memset(st, 0, sizeof(*st));
	st->ss_sp = __atomic_load_n(&s->base, __ATOMIC_ACQUIRE);
	st->ss_size = KBRT_AS_SIZE;
	st->ss_flags = SS_AUTODISARM;
}

long kbrt_as_adopt(struct kbrt_as_slot *s, int tid, int parent_frees)
{
	struct kbrt_stack st;

	s->disarmed = 0;
	if (!parent_frees) {
		kbrt_memset(&s->prog, 0, sizeof(s->prog));
		s->prog.ss_flags = SS_DISABLE;
	}
	__atomic_store_n(&s->owner, (uint32_t)tid |
			 (parent_frees ? KBRT_AS_PARENT_FREES : 0),
			 __ATOMIC_RELEASE);
	runtime_stack(s, &st);
	return sys_sigaltstack(&st, 0);
}

/* The slot whose owner word, tid and flags masked by @mask, is @want. */
static struct kbrt_as_slot *find(uint64_t want, uint64_t mask)
{
	struct kbrt_as_chunk *c;
	unsigned int i;

	for (c = &kbrt_as_first; c; c = next_chunk(c))
		for (i = 0; i < KBRT_AS_PER_CHUNK; i++)
			if ((owner_of(&c->slot[i]) & mask) == want)
				return &c->slot[i];
	return 0;
}

struct kbrt_as_slot *kbrt_as_mine(int tid)
{
	return find((uint32_t)tid, KBRT_AS_TID | KBRT_AS_CLAIMED);
}

int kbrt_as_vfork_child(int tid)
{
	struct kbrt_as_slot *s = kbrt_as_mine(tid);

	return s && (owner_of(s) & KBRT_AS_PARENT_FREES);
}

/*
 * In a fork child (a copy of our memory with one thread, ours): the
 * parent's slot, whose stack the child is running on, becomes the child's;
 * every other thread's is free in this copy.
 */
void kbrt_as_forked(int parent, int child)
{
	struct kbrt_as_chunk *c;
	unsigned int i;
	uint64_t o;

	for (c = &kbrt_as_first; c; c = next_chunk(c))
		for (i = 0; i < KBRT_AS_PER_CHUNK; i++) {
			o = owner_of(&c->slot[i]);
			if (!o)
				continue;
			__atomic_store_n(&c->slot[i].owner,
					 (o & KBRT_AS_TID) == (uint32_t)parent &&
					 !(o & KBRT_AS_CLAIMED) ?
					 (uint32_t)child : 0, __ATOMIC_RELEASE);
		}
}

/*
 * The creator's side once a child it claimed @s for no longer runs on it:
 * the clone failed, or a vfork-style child sharing our memory has exec'd
 * or exited (@child, its tid; such a child never frees its slot itself).
 */
/* The creator's alternate stack, as the program set it, goes to @s. */
void kbrt_as_inherit(struct kbrt_as_slot *s, int creator)
{
	struct kbrt_as_slot *c = kbrt_as_mine(creator);

	if (c)
		s->prog = c->prog;
}

void kbrt_as_unclaim(struct kbrt_as_slot *s, int creator, long child)
{
	if (!owner_cas(s, KBRT_AS_CLAIMED | (uint32_t)creator, 0) &&
	    child > 0)
		owner_cas(s, (uint32_t)child | KBRT_AS_PARENT_FREES, 0);
}

__attribute__((noreturn)) void kbrt_as_exit(long nr, int tid, int code)
{
	kbrt_sigset_t all = ~0ULL;
	struct kbrt_as_slot *s = kbrt_as_mine(tid);

	/* No signal frame may land on the stack once it is free. */
	sys_rt_sigprocmask(SIG_SETMASK, &all, 0);
	if (s && !(owner_of(s) & KBRT_AS_PARENT_FREES))
		kbrt_exit_releasing(&s->owner, code, nr);
	kbrt_exit_releasing(0, code, nr);
}

/* Is @sp on @st (the kernel's test: the top byte is outside)? */
static int on_stack(uint64_t sp, const struct kbrt_stack *st)
{
	return sp > st->ss_sp && sp - st->ss_sp <= st->ss_size;
}

void kbrt_as_view(const struct kbrt_as_slot *s, uint64_t sp,
		  struct kbrt_stack *st)
{
	kbrt_memset(st, 0, sizeof(*st));
	if (!s || s->disarmed || (s->prog.ss_flags & SS_DISABLE) ||
	    !s->prog.ss_size) {
		st->ss_flags = SS_DISABLE;
		return;
	}
	*st = s->prog;
	st->ss_flags &= SS_AUTODISARM;
	if (!(s->prog.ss_flags & SS_AUTODISARM) && on_stack(sp, &s->prog))
		st->ss_flags |= SS_ONSTACK;
}

void kbrt_as_set(struct kbrt_as_slot *s, const struct kbrt_stack *st)
{
	kbrt_memset(&s->prog, 0, sizeof(s->prog));
	if ((st->ss_flags & ~SS_AUTODISARM) == SS_DISABLE) {
		s->prog.ss_flags = SS_DISABLE;
		return;
	}
	s->prog.ss_sp = st->ss_sp;
	s->prog.ss_size = st->ss_size;
	s->prog.ss_flags = st->ss_flags & SS_AUTODISARM;
}

/*
 * The program's handlers with SA_ONSTACK: their actions as the program
 * set them. The kernel's action for such a signal is kbrt_onstack().
 */
static struct kbrt_sigaction kbrt_onstack_act[65];

void kbrt_as_handler_set(int sig, const struct kbrt_sigaction *act)
{
	kbrt_memcpy(&kbrt_onstack_act[sig], act, sizeof(*act));
}

void kbrt_as_handler_get(int sig, struct kbrt_sigaction *act)
{
	kbrt_memcpy(act, &kbrt_onstack_act[sig], sizeof(*act));
}

void kbrt_onstack(int sig, struct kbrt_siginfo *info, void *ctx)
{
	struct kbrt_ucontext *uc = ctx;
	struct kbrt_stack saved = uc->uc_stack;
	uint64_t handler = kbrt_onstack_act[sig].handler;
	uint64_t sp = uc->uc_mcontext.rsp, top = 0;
	struct kbrt_as_slot *s = kbrt_as_mine((int)sys_gettid());
	int disarmed = s ? s->disarmed : 0;

	/* What the kernel would have saved, and where it would have gone. */
	kbrt_as_view(s, sp, &uc->uc_stack);
	if (s && !(uc->uc_stack.ss_flags & (SS_DISABLE | SS_ONSTACK)))
		top = (s->prog.ss_sp + s->prog.ss_size) & ~15ULL;
	if (top && (s->prog.ss_flags & SS_AUTODISARM))
		s->disarmed = 1;
	if (handler > 1 && top)
		kbrt_call_on(top, handler, sig, info, uc);
	else if (handler > 1)
		((void (*)(int, void *, void *))handler)(sig, info, uc);
	/*
	 * rt_sigreturn puts back the stack saved in the frame, unless the
	 * context returned to runs on the one set meanwhile (EPERM,
	 * ignored). Nested in a handler with SS_AUTODISARM, the slot kept
	 * the program's stack all along.
	 */
	if (s && !disarmed && ((s->prog.ss_flags & (SS_DISABLE |
						    SS_AUTODISARM)) ||
			       !on_stack(uc->uc_mcontext.rsp, &s->prog)))
		kbrt_as_set(s, &uc->uc_stack);
	if (s)
		s->disarmed = disarmed;
	/* The kernel re-arms the runtime's stack from it on return. */
	uc->uc_stack = saved;
}

long kbrt_as_init(void)
{
	struct kbrt_as_slot *s;
	int tid = (int)sys_gettid();
	long ret;

	ret = kbrt_as_claim(tid, &s);
	if (ret)
		return ret;
	return kbrt_as_adopt(s, tid, 0);
}
