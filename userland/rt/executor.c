// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge runtime: the executor. Runs a syscall the verdict says to run,
 * with the (maybe rewritten) arguments, and leaves the result in the
 * program's rax.
 *
 * Most syscalls are simply issued again from kbrt_text. The ones below
 * cannot be, because the handler's frame stands between the program and
 * the kernel:
 *  - rt_sigreturn would restore the handler's own frame;
 *  - the signal mask and the alternate stack are restored from the
 *    handler's frame when it returns, undoing what the program set;
 *  - SIGSYS must stay deliverable and the runtime's, and the kbridge fd
 *    and SUD itself must stay in place;
 *  - a new task starts without SUD (the kernel clears it in
 *    dup_task_struct) and, with a new stack, without the handler's frames;
 *  - exec clears SUD too: it re-enters through kblaunch (exec.c).
 */
#include "internal.h"
#include "sys.h"

/*
 * rt_sigreturn: the program's restorer trapped with its stack pointer at
 * its own signal frame. Return from this handler into kbrt_rt_sigreturn
 * with that stack pointer untouched: our frame is restored first, then
 * the stub runs the program's rt_sigreturn on the program's frame.
 */
static void ex_rt_sigreturn(struct kbrt_ucontext *uc)
{
	uc->uc_mcontext.rip = (uint64_t)kbrt_rt_sigreturn;
}

/*
 * Which signals' actions had SIGSYS in their sa_mask, as the program set
 * them: the kernel is given the mask without it (a syscall in that
 * handler would otherwise trap with SIGSYS blocked, which kills the
 * process), the program reads it back with it.
 */
static uint64_t kbrt_masked_sigsys;

/*
 * rt_sigaction: SIGSYS is virtual (virtsig.c). For any other signal the
 * kernel gets a copy of the program's action with SIGSYS taken out of
 * its mask, so that no instant exists in which the handler is installed
 * with SIGSYS blocked, and with kbrt_onstack() in front of an SA_ONSTACK
 * handler (altstack.c); the program reads back its own action. Checks in
 * the kernel's order: size, then the new action (EFAULT), then the
 * signal number.
 */
static long ex_rt_sigaction(const __u64 a[6])
{
	struct kbrt_sigaction act, kact, old, prog_old;
	int sig = (int)a[0], had = 0, wrap = 0;
	int valid = sig > 0 && sig <= 64;
	uint64_t bit = valid ? KBRT_SIGBIT(sig) : 0;
	long ret;

	if (sig == SIGSYS)
		return kbrt_virt_sigaction(a[1], a[2], a[3]);
	if (a[3] != KBRT_SIGSET_SIZE)
		return -EINVAL;
	if (a[1]) {
		if (kbrt_copy_from_user(&act, a[1], sizeof(act)))
			return -EFAULT;
		had = !!(act.mask & KBRT_SIGSYS_BIT);
		kact = act;
		kact.mask &= ~KBRT_SIGSYS_BIT;
		/* SA_ONSTACK: delivered through kbrt_onstack (altstack.c). */
		wrap = valid && (act.flags & SA_ONSTACK) && act.handler > 1;
	}
	if (valid)
		kbrt_as_handler_get(sig, &prog_old);
	if (wrap) {
		/* In place before the kernel can deliver through it. */
		kbrt_as_handler_set(sig, &act);
		kact.handler = (uint64_t)kbrt_onstack;
		kact.flags |= SA_SIGINFO | SA_RESTORER;
		kact.restorer = (uint64_t)kbrt_rt_sigreturn;
	}
	ret = sys_rt_sigaction(sig, a[1] ? &kact : 0, a[2] ? &old : 0);
	if (ret) {
		if (wrap)
			kbrt_as_handler_set(sig, &prog_old);
		return ret;
	}
	if (a[2] && old.handler == (uint64_t)kbrt_onstack)
		old = prog_old;
	if (a[2] && (__atomic_load_n(&kbrt_masked_sigsys, __ATOMIC_RELAXED) &
		     bit))
		old.mask |= KBRT_SIGSYS_BIT;
	if (a[1] && had)
		__atomic_fetch_or(&kbrt_masked_sigsys, bit, __ATOMIC_RELAXED);
	else if (a[1])
		__atomic_fetch_and(&kbrt_masked_sigsys, ~bit, __ATOMIC_RELAXED);
	if (a[2] && kbrt_copy_to_user(a[2], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/*
 * rt_sigprocmask: the kernel gets the set without SIGSYS, and the
 * program's SIGSYS bit goes to the thread's virtual one (virtsig.c): the
 * old set it reads back has the virtual bit, and a SIGSYS kept pending
 * while it was blocked is delivered when it unblocks. The resulting real
 * mask goes into the ucontext: rt_sigreturn installs uc_sigmask when this
 * handler returns, which would otherwise undo the program's change.
 */
static long ex_rt_sigprocmask(__u64 a[6], struct kbrt_ucontext *uc)
{
	kbrt_sigset_t set = 0, cur;
	struct kbrt_siginfo info;
	int how = (int)a[0], tid = 0, was, now;
	uint64_t oset = a[2];
	long ret;

	if (a[3] != KBRT_SIGSET_SIZE)
		return -EINVAL;
	if (a[1]) {
		if (kbrt_copy_from_user(&set, a[1], sizeof(set)))
			return -EFAULT;
		a[1] = (uint64_t)&cur;
		cur = set & ~KBRT_SIGSYS_BIT;
	}
	ret = raw(__NR_rt_sigprocmask, a);
	if (ret)
		return ret;
	was = kbrt_vsig_blocked(&tid);
	if (oset && was) {
		if (kbrt_copy_from_user(&cur, oset, sizeof(cur)))
			return -EFAULT;
		cur |= KBRT_SIGSYS_BIT;
		if (kbrt_copy_to_user(oset, &cur, sizeof(cur)))
			return -EFAULT;
	}
	if (!a[1])
		return 0;
	now = how == SIG_SETMASK ? !!(set & KBRT_SIGSYS_BIT) :
	      how == SIG_BLOCK ? was || (set & KBRT_SIGSYS_BIT) :
	      was && !(set & KBRT_SIGSYS_BIT);
	if (sys_rt_sigprocmask(SIG_BLOCK, 0, &cur) == 0)
		uc->uc_sigmask = cur;
	if (kbrt_vsig_set_blocked(&tid, now, &info)) {
		uc->uc_mcontext.rax = 0;
		kbrt_deliver_sigsys(&info, uc);
	}
	return 0;
}

/* rt_sigpending: with the virtual SIGSYS of this thread. */
static long ex_rt_sigpending(__u64 a[6])
{
	kbrt_sigset_t set;
	long ret;
	int tid = 0;

	ret = raw(__NR_rt_sigpending, a);
	if (ret || !a[0] || a[1] != KBRT_SIGSET_SIZE ||
	    !kbrt_vsig_pending(&tid))
		return ret;
	if (kbrt_copy_from_user(&set, a[0], sizeof(set)))
		return -EFAULT;
	set |= KBRT_SIGSYS_BIT;
	return kbrt_copy_to_user(a[0], &set, sizeof(set));
}

/*
 * A temporary mask that leaves SIGSYS unblocked while the thread has one
 * pending: it is delivered, and the call ends with EINTR as it would.
 */
static int deliver_pending(kbrt_sigset_t set, struct kbrt_ucontext *uc)
{
	struct kbrt_siginfo info;
	int tid = 0;

	if ((set & KBRT_SIGSYS_BIT) || !kbrt_vsig_take_pending(&tid, &info))
		return 0;
	uc->uc_mcontext.rax = (uint64_t)-EINTR;
	kbrt_deliver_sigsys(&info, uc);
	return 1;
}

/*
 * rt_sigtimedwait for a set with SIGSYS: a SIGSYS pending while the
 * thread blocks it is the answer.
 */
static long sigsys_waited(uint64_t uinfo)
{
	struct kbrt_siginfo info;
	int tid = 0;

	if (!kbrt_vsig_take_pending(&tid, &info))
		return 0;
	if (uinfo && kbrt_copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return SIGSYS;
}

/*
 * Syscalls that install a temporary mask (rt_sigsuspend, ppoll,
 * epoll_pwait, epoll_pwait2) or wait on a set (rt_sigtimedwait): run them
 * with a copy of the set without SIGSYS. A wrong size is left to the
 * kernel, which rejects it before it uses the set.
 */
static long ex_with_set(long nr, __u64 a[6], int set_arg, int size_arg,
			struct kbrt_ucontext *uc)
{
	kbrt_sigset_t set, orig = 0;
	long ret;

	if (a[set_arg] && a[size_arg] == KBRT_SIGSET_SIZE) {
		if (kbrt_copy_from_user(&set, a[set_arg], sizeof(set)))
			return -EFAULT;
		orig = set;
		if (nr == __NR_rt_sigtimedwait) {
			ret = set & KBRT_SIGSYS_BIT ? sigsys_waited(a[1]) : 0;
			if (ret)
				return ret;
		} else if (deliver_pending(set, uc)) {
			return -EINTR;
		}
		set &= ~KBRT_SIGSYS_BIT;
		a[set_arg] = (uint64_t)&set;
	}
	ret = raw(nr, a);
	/* The SIGSYS that interrupted the wait was kept pending: take it. */
	if (nr == __NR_rt_sigtimedwait && ret == -EINTR &&
	    (orig & KBRT_SIGSYS_BIT)) {
		long got = sigsys_waited(a[1]);

		if (got)
			return got;
	}
	return ret;
}

/* pselect6: its sixth argument points to { const sigset_t *, size_t }. */
static long ex_pselect6(__u64 a[6], struct kbrt_ucontext *uc)
{
	struct {
		uint64_t set;
		uint64_t size;
	} data;
	kbrt_sigset_t set;

	if (a[5]) {
		if (kbrt_copy_from_user(&data, a[5], sizeof(data)))
			return -EFAULT;
		if (data.set && data.size == KBRT_SIGSET_SIZE) {
			if (kbrt_copy_from_user(&set, data.set, sizeof(set)))
				return -EFAULT;
			if (deliver_pending(set, uc))
				return -EINTR;
			set &= ~KBRT_SIGSYS_BIT;
			data.set = (uint64_t)&set;
		}
		a[5] = (uint64_t)&data;
	}
	return raw(__NR_pselect6, a);
}

/*
 * sigaltstack: the program's alternate stack is virtual (altstack.c). A
 * change is checked in the kernel's order (EFAULT, then EPERM when the
 * program runs on its alternate stack), then by the kernel itself: the
 * new stack is set for real and the kernel's previous one put back at
 * once, with every signal blocked and a stack pointer outside every
 * alternate stack (this handler may run on one, where the kernel refuses
 * any change).
 */
static char kbrt_sas_sp[64] __attribute__((aligned(16)));

static long check_altstack(const struct kbrt_stack *nw)
{
	void *sp = kbrt_sas_sp + sizeof(kbrt_sas_sp);
	struct kbrt_stack was;
	kbrt_sigset_t all = ~0ULL, mask;
	long ret;

	sys_rt_sigprocmask(SIG_SETMASK, &all, &mask);
	ret = sys_sigaltstack(0, &was);
	if (ret == 0) {
		ret = kbrt_sigaltstack_at(nw, 0, sp);
		was.ss_flags &= ~SS_ONSTACK;
		if (kbrt_sigaltstack_at(&was, 0, sp))
			kbrt_die("cannot restore the alternate stack", -EPERM);
	}
	sys_rt_sigprocmask(SIG_SETMASK, &mask, 0);
	return ret;
}

static long ex_sigaltstack(const __u64 a[6], struct kbrt_ucontext *uc)
{
	struct kbrt_as_slot *me = kbrt_as_mine((int)sys_gettid());
	struct kbrt_stack cur, nw;
	long ret;

	if (!me)
		kbrt_die("a thread without its alternate stack slot", -ESRCH);
	kbrt_as_view(me, uc->uc_mcontext.rsp, &cur);
	if (a[0]) {
		if (kbrt_copy_from_user(&nw, a[0], sizeof(nw)))
			return -EFAULT;
		if (cur.ss_flags & SS_ONSTACK)
			return -EPERM;
		ret = check_altstack(&nw);
		if (ret)
			return ret;
		kbrt_as_set(me, &nw);
	}
	if (a[1] && kbrt_copy_to_user(a[1], &cur, sizeof(cur)))
		return -EFAULT;
	return 0;
}

/*
 * A new task starts with SUD off. Arm it before the task runs one
 * instruction of the program, or it escapes. CLONE_CLEAR_SIGHAND also
 * reset the runtime's SIGSYS action in the child: install it again.
 */
static void child_rearm(uint64_t flags)
{
	long ret;

	ret = kbrt_arm_sud();
	if (ret)
		kbrt_die("new task: cannot arm syscall user dispatch", ret);
	if (flags & CLONE_CLEAR_SIGHAND) {
		ret = kbrt_install_sigsys();
		if (ret)
			kbrt_die("new task: cannot install SIGSYS", ret);
	}
}

/* A child sharing our memory that its parent waits for (posix_spawn). */
static int vfork_style(uint64_t flags)
{
	return (flags & CLONE_VFORK) && !(flags & CLONE_THREAD);
}

/* First C code of a child created by kbrt_clone_on_stack (trampoline.S). */
void kbrt_child_start(struct kbrt_clone_block *b)
{
	int tid = (int)sys_gettid();

	child_rearm(b->flags);
	/*
	 * A task sharing our memory starts with no alternate stack: it gets
	 * the one its creator claimed. A copy keeps its creator's.
	 */
	if (b->astack)
		kbrt_as_adopt(b->astack, tid, vfork_style(b->flags));
	else if (!(b->flags & CLONE_VM))
		kbrt_as_forked((int)b->ptid, tid);
	if (!(b->flags & CLONE_VM))
		kbrt_fds_forked();
	/* The creator's virtual SIGSYS bit, as the kernel copies the mask. */
	if (!(b->flags & CLONE_VM))
		kbrt_vsig_forked(b->vsigsys);
	else if (b->vsigsys)
		kbrt_vsig_set_blocked(&tid, 1, 0);
	sys_rt_sigprocmask(SIG_SETMASK, &b->sigmask, 0);
}

/*
 * A child that shares no stack with us: it returns through this handler
 * and its own copy of the frames, like the parent.
 */
static long ex_fork_like(long nr, __u64 a[6], uint64_t flags)
{
	int parent = (int)sys_gettid(), blocked = kbrt_vsig_blocked(&parent);
	long ret = raw(nr, a);

	if (ret == 0) {
		child_rearm(flags);
		kbrt_vsig_forked(blocked);
		kbrt_as_forked(parent, (int)sys_gettid());
		kbrt_fds_forked();
	}
	return ret;
}

/*
 * A child with a new stack cannot come back through this handler (its
 * frames are not on that stack). Put the program's registers in a block
 * at the top of the new stack, start the child on the block, and let it
 * resume the program from there (trampoline.S). @top is the stack pointer
 * the program asked for, @tid the creator's; returns the child stack
 * pointer to pass to the kernel, or a -errno.
 */
static long prepare_block(struct kbrt_ucontext *uc, uint64_t top,
			  uint64_t flags, struct kbrt_as_slot *astack, int tid)
{
	const struct kbrt_mcontext *mc = &uc->uc_mcontext;
	struct kbrt_clone_block b;
	uint64_t at = (top - sizeof(b)) & ~15ULL;

	if (top < sizeof(b) + 16)
		return -EINVAL;
	kbrt_memset(&b, 0, sizeof(b));
	b.rbx = mc->rbx;
	b.rbp = mc->rbp;
	b.r12 = mc->r12;
	b.r13 = mc->r13;
	b.r14 = mc->r14;
	b.r15 = mc->r15;
	b.rdi = mc->rdi;
	b.rsi = mc->rsi;
	b.rdx = mc->rdx;
	b.r8 = mc->r8;
	b.r9 = mc->r9;
	b.r10 = mc->r10;
	b.r11 = mc->eflags;
	b.rip = mc->rip;
	b.rsp = top;
	b.sigmask = uc->uc_sigmask & ~KBRT_SIGSYS_BIT;
	b.flags = flags;
	b.astack = astack;
	b.ptid = (uint32_t)tid;
	b.vsigsys = (uint16_t)kbrt_vsig_blocked(&tid);
	/*
	 * The handler runs with a fresh FPU state; a native child would
	 * inherit the program's rounding and exception controls.
	 */
	b.mxcsr = 0x1f80;
	b.fcw = 0x37f;
	if (mc->fpstate) {
		const unsigned char *fx = (const unsigned char *)mc->fpstate;

		kbrt_memcpy(&b.mxcsr, fx + KBRT_FX_MXCSR, sizeof(b.mxcsr));
		kbrt_memcpy(&b.fcw, fx + KBRT_FX_FCW, sizeof(b.fcw));
	}
	if (kbrt_copy_to_user(at, &b, sizeof(b)))
		return -EFAULT;
	return (long)at;
}

/*
 * CLONE_VM with no new stack: the child would run on this very stack and
 * return through the parent's handler frames while the parent sleeps
 * (vfork) or runs (anything else) in them. Only a vfork-style child can
 * be served: it gets its own copy of memory instead (CLONE_VM and
 * CLONE_SIGHAND dropped, CLONE_VFORK kept so the parent still waits for
 * its exec or exit). A thread without its own stack is refused.
 */
static long unshare_vm(uint64_t *flags)
{
	if (!(*flags & CLONE_VM))
		return 0;
	if (*flags & CLONE_THREAD)
		return -EINVAL;
	*flags &= ~(uint64_t)(CLONE_VM | CLONE_SIGHAND);
	return 0;
}

/*
 * A child that shares our memory gets an alternate stack of its own
 * (altstack.c), claimed here and adopted by the child.
 */
static long claim_for(uint64_t flags, int tid, struct kbrt_as_slot **s)
{
	long ret;

	*s = 0;
	if (!(flags & CLONE_VM))
		return 0;
	ret = kbrt_as_claim(tid, s);
	/* The kernel keeps the alternate stack for a vfork-style child. */
	if (!ret && vfork_style(flags))
		kbrt_as_inherit(*s, tid);
	return ret;
}

/*
 * The claim comes back when the clone failed, and when a vfork-style
 * child has exec'd or exited: the parent resumes only then.
 */
static long after_clone(struct kbrt_as_slot *s, uint64_t flags, int tid,
			long ret)
{
	if (s && (ret < 0 || vfork_style(flags)))
		kbrt_as_unclaim(s, tid, ret);
	return ret;
}

static long ex_clone(__u64 a[6], struct kbrt_ucontext *uc)
{
	struct kbrt_as_slot *s;
	uint64_t flags = a[0];
	long sp, ret;
	int tid;

	if (a[1]) {
		tid = (int)sys_gettid();
		ret = claim_for(flags, tid, &s);
		if (ret)
			return ret;
		sp = prepare_block(uc, a[1], flags, s, tid);
		if (sp < 0)
			return after_clone(s, flags, tid, sp);
		ret = kbrt_clone_on_stack(__NR_clone, (long)a[0], sp,
					  (long)a[2], (long)a[3], (long)a[4]);
		return after_clone(s, flags, tid, ret);
	}
	ret = unshare_vm(&flags);
	if (ret)
		return ret;
	a[0] = flags;
	return ex_fork_like(__NR_clone, a, flags);
}

/* Room for every struct clone_args a kernel knows today and then some. */
#define KBRT_CLONE_ARGS_MAX	256

static long ex_clone3(__u64 a[6], struct kbrt_ucontext *uc)
{
	union {
		struct clone_args ca;
		unsigned char b[KBRT_CLONE_ARGS_MAX];
	} args;
	uint64_t size = a[1], i;
	struct kbrt_as_slot *s;
	long sp, ret;
	int tid;

	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > sizeof(args))
		return -E2BIG;
	kbrt_memset(&args, 0, sizeof(args));
	if (kbrt_copy_from_user(&args, a[0], size))
		return -EFAULT;
	/* Fields we would not copy correctly: as the kernel, E2BIG. */
	for (i = sizeof(struct clone_args); i < size; i++)
		if (args.b[i])
			return -E2BIG;
	a[0] = (uint64_t)&args;

	if (args.ca.stack) {
		tid = (int)sys_gettid();
		ret = claim_for(args.ca.flags, tid, &s);
		if (ret)
			return ret;
		sp = prepare_block(uc, args.ca.stack + args.ca.stack_size,
				   args.ca.flags, s, tid);
		if (sp >= 0 && (uint64_t)sp <= args.ca.stack)
			sp = -EINVAL;
		if (sp < 0)
			return after_clone(s, args.ca.flags, tid, sp);
		args.ca.stack_size = (uint64_t)sp - args.ca.stack;
		ret = kbrt_clone_on_stack(__NR_clone3, (long)a[0],
					  (long)a[1], 0, 0, 0);
		return after_clone(s, args.ca.flags, tid, ret);
	}
	ret = unshare_vm((uint64_t *)&args.ca.flags);
	if (ret)
		return ret;
	return ex_fork_like(__NR_clone3, a, args.ca.flags);
}

/*
 * Every number kbrt_execute() and kbrt_selfexe() run otherwise than with
 * raw(): when one passes, the module must not run it in the kernel but
 * raise SIGSYS so that it comes here, nor run it inside KB_IOC_SYSCALL
 * (kbrt_is_own()). Keep in step with the switch of kbrt_execute().
 */
#define KBRT_OWN(X)							\
	X(__NR_rt_sigreturn) X(__NR_rt_sigaction) X(__NR_rt_sigprocmask)	\
	X(__NR_rt_sigpending) X(__NR_rt_sigsuspend) X(__NR_rt_sigtimedwait)	\
	X(__NR_ppoll) X(__NR_epoll_pwait) X(__NR_epoll_pwait2) X(__NR_pselect6) \
	X(__NR_sigaltstack)						\
	/* kbrt_fd_call() */						\
	X(__NR_close) X(__NR_dup2) X(__NR_dup3) X(__NR_fcntl) X(__NR_close_range) \
	X(__NR_getdents) X(__NR_getdents64) X(__NR_fstat) X(__NR_newfstatat)	\
	X(__NR_statx)							\
	X(__NR_fork) X(__NR_vfork) X(__NR_clone) X(__NR_clone3) X(__NR_execve)	\
	X(__NR_execveat) X(__NR_exit) X(__NR_exit_group) X(__NR_prctl)	\
	/* kbrt_fd_path(), kbrt_selfexe() */				\
	X(__NR_readlink) X(__NR_readlinkat) X(__NR_open) X(__NR_openat)	\
	X(__NR_openat2)

#define KBRT_OWN_ELEM(nr) nr,
#define KBRT_OWN_CASE(nr) case nr:

static const unsigned short kbrt_own[] = { KBRT_OWN(KBRT_OWN_ELEM) };

/* A switch, not a scan of kbrt_own[]: it runs for every trapped call. */
int kbrt_is_own(long nr)
{
	switch (nr) {
	KBRT_OWN(KBRT_OWN_CASE)
		return 1;
	default:
		return 0;
	}
}

void kbrt_trap_set(unsigned long *bits, unsigned int nbits)
{
	const unsigned int per = 8 * sizeof(*bits);
	unsigned int i, nr;

	for (i = 0; i < sizeof(kbrt_own) / sizeof(kbrt_own[0]); i++) {
		nr = kbrt_own[i];
		if (nr < nbits)
			bits[nr / per] |= 1UL << (nr % per);
	}
}

void kbrt_execute(long nr, __u64 a[6], struct kbrt_ucontext *uc)
{
	uint64_t exec_name = nr == __NR_execve ? a[0] : a[1];
	int handled, tid = 0;
	long ret;

	ret = kbrt_fd_path(nr, a, &handled);
	if (!handled)
		ret = kbrt_selfexe(nr, a, &handled);
	if (handled) {
		uc->uc_mcontext.rax = (uint64_t)ret;
		return;
	}
	switch (nr) {
	case __NR_rt_sigreturn:
		ex_rt_sigreturn(uc);
		return;
	case __NR_rt_sigaction:
		ret = ex_rt_sigaction(a);
		break;
	case __NR_rt_sigprocmask:
		ret = ex_rt_sigprocmask(a, uc);
		break;
	case __NR_rt_sigpending:
		ret = ex_rt_sigpending(a);
		break;
	case __NR_rt_sigsuspend:
		ret = ex_with_set(nr, a, 0, 1, uc);
		break;
	case __NR_rt_sigtimedwait:
		ret = ex_with_set(nr, a, 0, 3, uc);
		break;
	case __NR_ppoll:
		ret = ex_with_set(nr, a, 3, 4, uc);
		break;
	case __NR_epoll_pwait:
	case __NR_epoll_pwait2:
		ret = ex_with_set(nr, a, 4, 5, uc);
		break;
	case __NR_pselect6:
		ret = ex_pselect6(a, uc);
		break;
	case __NR_sigaltstack:
		ret = ex_sigaltstack(a, uc);
		break;
	case __NR_close:
	case __NR_dup2:
	case __NR_dup3:
	case __NR_fcntl:
	case __NR_close_range:
	case __NR_getdents:
	case __NR_getdents64:
	case __NR_fstat:
	case __NR_newfstatat:
	case __NR_statx:
		ret = kbrt_fd_call(nr, a);
		break;
	case __NR_fork:
		ret = ex_fork_like(nr, a, 0);
		break;
	case __NR_vfork:
		/*
		 * As fork, but the parent still waits for the child's exec
		 * or exit: a shared-memory child would run on the handler's
		 * frames (see unshare_vm).
		 */
		a[0] = CLONE_VFORK | SIGCHLD;
		a[1] = a[2] = a[3] = a[4] = 0;
		ret = ex_fork_like(__NR_clone, a, a[0]);
		break;
	case __NR_clone:
		ret = ex_clone(a, uc);
		break;
	case __NR_clone3:
		ret = ex_clone3(a, uc);
		break;
	case __NR_execve:
	case __NR_execveat:
		/* Returns only if the exec failed (or did not follow). */
		ret = kbrt_cfg->follow_exec ? kbrt_exec(nr, a, exec_name) :
					      raw(nr, a);
		break;
	case __NR_exit:
	case __NR_exit_group:
		/* The thread's tid may be reused: free its slots. */
		tid = (int)sys_gettid();
		kbrt_vsig_forget(&tid, 0);
		kbrt_as_exit(nr, tid, (int)a[0]);
	case __NR_prctl:
		/* The program may not switch interception off or move it. */
		if ((int)a[0] == PR_SET_SYSCALL_USER_DISPATCH)
			ret = -EPERM;
		else
			ret = raw(nr, a);
		break;
	default:
		ret = raw(nr, a);
		break;
	}
	uc->uc_mcontext.rax = (uint64_t)ret;
}
