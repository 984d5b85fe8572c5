// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge runtime: SIGSYS as the program sees it.
 *
 * The real SIGSYS action is the runtime's and must stay so: the program's
 * rt_sigaction(SIGSYS, ...) reads and writes a virtual action here
 * instead. A SIGSYS that is not a SUD trap (kill, tgkill, a seccomp
 * SECCOMP_RET_TRAP filter) is then handled as that virtual action says.
 *
 * Not thread-safe as a whole: the slot is four word-sized fields written
 * one after the other, with no lock (a lock could deadlock a handler
 * that interrupted the writer). Two threads racing on rt_sigaction(SIGSYS)
 * may leave a mix of both actions; no real program does that.
 */
#include "internal.h"
#include "sys.h"

#define KBRT_SIG_DFL	0
#define KBRT_SIG_IGN	1

static struct kbrt_sigaction kbrt_virt_sigsys;	/* SIG_DFL at start */

long kbrt_virt_sigaction(uint64_t act, uint64_t oact, uint64_t size)
{
	volatile struct kbrt_sigaction *v = &kbrt_virt_sigsys;
	struct kbrt_sigaction nw, old;

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
	}
	if (oact && kbrt_copy_to_user(oact, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/*
 * A SIGSYS of the program's own. SIG_IGN: drop it. SIG_DFL: die of it
 * the way the kernel would (the supervisor then reports SIGSYS): reset
 * the real action and send it again; SIGSYS is not blocked here, so it is
 * delivered as soon as tgkill returns. A handler: call it on this frame
 * with the program's ucontext, as the kernel would have, with its sa_mask
 * added (SIGSYS itself stays unblocked, or its syscalls would kill it).
 */
void kbrt_foreign_sigsys(struct kbrt_siginfo *info, struct kbrt_ucontext *uc)
{
	volatile struct kbrt_sigaction *v = &kbrt_virt_sigsys;
	uint64_t handler = v->handler, flags = v->flags;
	kbrt_sigset_t mask = v->mask & ~KBRT_SIGSYS_BIT, old;

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
	sys_rt_sigprocmask(SIG_BLOCK, &mask, &old);
	if (flags & SA_SIGINFO)
		((void (*)(int, void *, void *))handler)(SIGSYS, info, uc);
	else
		((void (*)(int))handler)(SIGSYS);
	sys_rt_sigprocmask(SIG_SETMASK, &old, 0);
}
