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
 *    dup_task_struct) and, with a new stack, without the handler's frames.
 */
#include "internal.h"
#include "sys.h"

static long raw(long nr, const __u64 a[6])
{
	return kbrt_syscall6(nr, (long)a[0], (long)a[1], (long)a[2],
			     (long)a[3], (long)a[4], (long)a[5]);
}

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
 * rt_sigaction: SIGSYS is virtual (virtsig.c). For any other signal the
 * call runs as is; then, if the new action blocks SIGSYS during its
 * handler, SIGSYS is taken out of its mask: a syscall in that handler
 * would otherwise trap with SIGSYS blocked, which kills the process. The
 * kernel reads the program's struct, so a bad pointer is its EFAULT.
 */
static long ex_rt_sigaction(const __u64 a[6])
{
	struct kbrt_sigaction cur;
	long ret;

	if ((int)a[0] == SIGSYS)
		return kbrt_virt_sigaction(a[1], a[2], a[3]);
	ret = raw(__NR_rt_sigaction, a);
	if (ret == 0 && a[1] &&
	    sys_rt_sigaction((int)a[0], 0, &cur) == 0 &&
	    (cur.mask & KBRT_SIGSYS_BIT)) {
		cur.mask &= ~KBRT_SIGSYS_BIT;
		sys_rt_sigaction((int)a[0], &cur, 0);
	}
	return ret;
}

/*
 * rt_sigprocmask: run it (the kernel validates and reports the old set),
 * unblock SIGSYS again if it got blocked, and put the resulting mask in
 * the ucontext: rt_sigreturn installs uc_sigmask when this handler
 * returns, which would otherwise undo the program's change.
 */
static long ex_rt_sigprocmask(const __u64 a[6], struct kbrt_ucontext *uc)
{
	kbrt_sigset_t cur;
	long ret;

	ret = raw(__NR_rt_sigprocmask, a);
	if (ret == 0 && a[1] && sys_rt_sigprocmask(SIG_BLOCK, 0, &cur) == 0) {
		if (cur & KBRT_SIGSYS_BIT) {
			cur &= ~KBRT_SIGSYS_BIT;
			sys_rt_sigprocmask(SIG_SETMASK, &cur, 0);
		}
		uc->uc_sigmask = cur;
	}
	return ret;
}

/*
 * Syscalls that install a temporary mask (rt_sigsuspend, ppoll,
 * epoll_pwait, epoll_pwait2) or wait on a set (rt_sigtimedwait): run them
 * with a copy of the set without SIGSYS. A wrong size is left to the
 * kernel, which rejects it before it uses the set.
 */
static long ex_with_set(long nr, __u64 a[6], int set_arg, int size_arg)
{
	kbrt_sigset_t set;

	if (a[set_arg] && a[size_arg] == KBRT_SIGSET_SIZE) {
		if (kbrt_copy_from_user(&set, a[set_arg], sizeof(set)))
			return -EFAULT;
		set &= ~KBRT_SIGSYS_BIT;
		a[set_arg] = (uint64_t)&set;
	}
	return raw(nr, a);
}

/* pselect6: its sixth argument points to { const sigset_t *, size_t }. */
static long ex_pselect6(__u64 a[6])
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
			set &= ~KBRT_SIGSYS_BIT;
			data.set = (uint64_t)&set;
		}
		a[5] = (uint64_t)&data;
	}
	return raw(__NR_pselect6, a);
}

/*
 * sigaltstack: rt_sigreturn re-applies uc_stack, so a new alternate
 * stack set here must also go into the ucontext to survive this handler.
 */
static long ex_sigaltstack(const __u64 a[6], struct kbrt_ucontext *uc)
{
	struct kbrt_stack cur;
	long ret;

	ret = raw(__NR_sigaltstack, a);
	if (ret == 0 && a[0] && sys_sigaltstack(0, &cur) == 0)
		uc->uc_stack = cur;
	return ret;
}

/*
 * The kbridge fd is not the program's: it looks closed to close(), and
 * dup2/dup3 onto it fail with EBUSY (the errno Linux itself gives dup2
 * in a race with open, so callers already treat it as a plain failure).
 * close_range() closes everything around it.
 */
static long ex_fd(long nr, __u64 a[6])
{
	int kbfd = kbrt_cfg->kbfd;
	unsigned int lo, hi;
	long ret = 0;

	if (kbfd < 0)
		return raw(nr, a);
	switch (nr) {
	case __NR_close:
		if ((int)a[0] == kbfd)
			return -EBADF;
		break;
	case __NR_dup2:
	case __NR_dup3:
		if ((int)a[1] == kbfd && (int)a[0] != kbfd)
			return -EBUSY;
		break;
	case __NR_close_range:
		lo = (unsigned int)a[0];
		hi = (unsigned int)a[1];
		if (lo > hi || (unsigned int)kbfd < lo ||
		    (unsigned int)kbfd > hi)
			break;
		if (lo < (unsigned int)kbfd) {
			a[1] = (unsigned int)kbfd - 1;
			ret = raw(nr, a);
			if (ret < 0)
				return ret;
		}
		if ((unsigned int)kbfd < hi) {
			a[0] = (unsigned int)kbfd + 1;
			a[1] = hi;
			ret = raw(nr, a);
		}
		return ret;
	}
	return raw(nr, a);
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

/* First C code of a child created by kbrt_clone_on_stack (trampoline.S). */
void kbrt_child_start(struct kbrt_clone_block *b)
{
	child_rearm(b->flags);
	sys_rt_sigprocmask(SIG_SETMASK, &b->sigmask, 0);
}

/*
 * A child that shares no stack with us: it returns through this handler
 * and its own copy of the frames, like the parent.
 */
static long ex_fork_like(long nr, __u64 a[6], uint64_t flags)
{
	long ret = raw(nr, a);

	if (ret == 0)
		child_rearm(flags);
	return ret;
}

/*
 * A child with a new stack cannot come back through this handler (its
 * frames are not on that stack). Put the program's registers in a block
 * at the top of the new stack, start the child on the block, and let it
 * resume the program from there (trampoline.S). @top is the stack pointer
 * the program asked for; returns the child stack pointer to pass to the
 * kernel, or a -errno.
 */
static long prepare_block(struct kbrt_ucontext *uc, uint64_t top,
			  uint64_t flags)
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

static long ex_clone(__u64 a[6], struct kbrt_ucontext *uc)
{
	uint64_t flags = a[0];
	long sp, ret;

	if (a[1]) {
		sp = prepare_block(uc, a[1], flags);
		if (sp < 0)
			return sp;
		return kbrt_clone_on_stack(__NR_clone, (long)a[0], sp,
					   (long)a[2], (long)a[3], (long)a[4]);
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
	long sp, ret;

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
		sp = prepare_block(uc, args.ca.stack + args.ca.stack_size,
				   args.ca.flags);
		if (sp < 0)
			return sp;
		if ((uint64_t)sp <= args.ca.stack)
			return -EINVAL;
		args.ca.stack_size = (uint64_t)sp - args.ca.stack;
		return kbrt_clone_on_stack(__NR_clone3, (long)a[0],
					   (long)a[1], 0, 0, 0);
	}
	ret = unshare_vm((uint64_t *)&args.ca.flags);
	if (ret)
		return ret;
	return ex_fork_like(__NR_clone3, a, args.ca.flags);
}

void kbrt_execute(long nr, __u64 a[6], struct kbrt_ucontext *uc)
{
	int handled;
	long ret;

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
	case __NR_rt_sigsuspend:
		ret = ex_with_set(nr, a, 0, 1);
		break;
	case __NR_rt_sigtimedwait:
		ret = ex_with_set(nr, a, 0, 3);
		break;
	case __NR_ppoll:
		ret = ex_with_set(nr, a, 3, 4);
		break;
	case __NR_epoll_pwait:
	case __NR_epoll_pwait2:
		ret = ex_with_set(nr, a, 4, 5);
		break;
	case __NR_pselect6:
		ret = ex_pselect6(a);
		break;
	case __NR_sigaltstack:
		ret = ex_sigaltstack(a, uc);
		break;
	case __NR_close:
	case __NR_dup2:
	case __NR_dup3:
	case __NR_close_range:
		ret = ex_fd(nr, a);
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
	case __NR_prctl:
		/* The program may not switch interception off or move it. */
		if ((int)a[0] == PR_SET_SYSCALL_USER_DISPATCH)
			ret = -EPERM;
		else
			ret = raw(nr, a);
		break;
	default:
		/*
		 * Everything else, execve and exit_group included: execve
		 * ends SUD for the new image (following exec is not done
		 * yet), exit_group never returns.
		 */
		ret = raw(nr, a);
		break;
	}
	uc->uc_mcontext.rax = (uint64_t)ret;
}
