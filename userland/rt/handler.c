// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge runtime: the SIGSYS handler, entry point of every trapped
 * syscall.
 *
 * It runs on an alternate stack (altstack.c), with the program's
 * signal mask (empty sa_mask, SA_NODEFER), possibly nested inside itself
 * when a program signal handler interrupts it and makes a syscall. So it
 * keeps all its state on the stack, calls nothing but the runtime, and
 * makes its own syscalls only through kbrt_text, where they do not trap.
 */
#include "internal.h"
#include "sys.h"

/*
 * Ask kbridge.ko what to do with @call (KB_IOC_SYSCALL). A call the
 * runtime runs otherwise than as is (kbrt_is_own()) must come back to it;
 * any other passed call the module may run itself (KB_SYSCALL_RUN, which
 * a module of kblaunch's release has): one syscall instead of two.
 */
static void decide_module(struct kb_syscall *call)
{
	long ret;
	int fd;

	if (!kbrt_is_own(call->nr))
		call->flags = KB_SYSCALL_RUN;
	/*
	 * Again when interrupted, or when the fd moved meanwhile (ownfds.c);
	 * but a call the module ran and a signal interrupted ends there:
	 * KB_VERDICT_RAN, -EINTR, the program's answer.
	 */
	do {
		fd = kbrt_fd(KBRT_FD_KB);
		call->verdict = KB_VERDICT_EXECUTE;
		ret = sys_ioctl(fd, KB_IOC_SYSCALL, call);
		if (ret == -EINTR && call->verdict == KB_VERDICT_RAN)
			return;
	} while (ret == -EINTR || (ret < 0 && fd != kbrt_fd(KBRT_FD_KB)));
	/* A syscall is never silently lost or run without a verdict. */
	if (ret < 0)
		kbrt_die("ioctl failed", ret);
}

static void sigsys_body(struct kbrt_siginfo *info, void *ctx)
{
	struct kbrt_ucontext *uc = ctx;
	struct kbrt_mcontext *mc = &uc->uc_mcontext;
	struct kb_syscall call;
	long nr;

	/*
	 * Not a SUD trap: somebody sent SIGSYS (kill, seccomp's
	 * SECCOMP_RET_TRAP). It belongs to the program.
	 */
	if (info->si_code != SYS_USER_DISPATCH) {
		kbrt_foreign_sigsys(info, uc);
		return;
	}

	/*
	 * Every field set, none left to a memset: this runs for every
	 * trapped call, and the struct has no padding (uapi).
	 */
	nr = info->u.sys.syscall;
	call.size = sizeof(call);
	call.flags = 0;
	call.nr = (uint32_t)nr;
	call.verdict = KB_VERDICT_EXECUTE;
	call.result = 0;
	call.tier = 0;
	call.action = 0;
	call.__reserved = 0;
	call.args[0] = mc->rdi;
	call.args[1] = mc->rsi;
	call.args[2] = mc->rdx;
	call.args[3] = mc->r10;
	call.args[4] = mc->r8;
	call.args[5] = mc->r9;

	if (kbrt_cfg->mode == KBRT_MODE_MODULE)
		decide_module(&call);
	else
		kbrt_decide_local(&call);

	switch (call.verdict) {
	case KB_VERDICT_RESULT:
	case KB_VERDICT_RAN:
		mc->rax = (uint64_t)call.result;
		return;
	case KB_VERDICT_EXECUTE:
		kbrt_execute(nr, call.args, uc);
		return;
	default:
		kbrt_die("unknown verdict from kbridge", call.verdict);
	}
}

/*
 * Take @pad more bytes of this stack and touch them, as a larger signal
 * frame would (KBRIDGE_SIGFRAME_PAD); the decision then runs below them.
 */
static __attribute__((noinline)) void sigsys_padded(uint32_t pad,
						    struct kbrt_siginfo *info,
						    void *ctx)
{
	volatile char *room = __builtin_alloca(pad);
	uint32_t i;

	for (i = 0; i < pad; i += 64)
		room[i] = 0;
	sigsys_body(info, ctx);
}

void kbrt_sigsys(int sig, struct kbrt_siginfo *info, void *ctx)
{
	(void)sig;
	if (kbrt_cfg->frame_pad)
		sigsys_padded(kbrt_cfg->frame_pad, info, ctx);
	else
		sigsys_body(info, ctx);
}
