/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbridge runtime: the kernel's own signal ABI on x86_64, as the SIGSYS
 * handler sees it. glibc's sigaction/siginfo_t/ucontext_t differ from the
 * kernel's (a 1024-bit sigset, other field order), and the runtime talks
 * to the kernel directly, so it spells out the kernel layout here and
 * checks every offset the asm or the kernel relies on.
 *
 * Only Linux uapi headers are included: the runtime never sees glibc.
 */
#ifndef KBRT_KABI_H
#define KBRT_KABI_H

#include <stddef.h>
#include <stdint.h>
#include <asm/signal.h>
#include <linux/signal.h>
#include <asm-generic/siginfo.h>
#include <asm/stat.h>
#include <asm/statfs.h>
#include <asm/unistd.h>
#include <linux/elf.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <linux/prctl.h>
#include <linux/sched.h>

#include "kb_sud.h"
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND		0x100000000ULL
#endif

/* statfs f_flags (the kernel's ST_*, not in the uapi headers) */
#define KBRT_ST_NOSUID		0x0002

/* The kernel's sigset on x86_64: one bit per signal, 64 signals. */
typedef uint64_t kbrt_sigset_t;
#define KBRT_SIGSET_SIZE	sizeof(kbrt_sigset_t)
#define KBRT_SIGBIT(sig)	(1ULL << ((sig) - 1))

/* struct sigaction as rt_sigaction(2) reads it (kernel layout). */
struct kbrt_sigaction {
	uint64_t handler;		/* SIG_DFL, SIG_IGN or a function */
	uint64_t flags;
	uint64_t restorer;
	kbrt_sigset_t mask;
};
_Static_assert(sizeof(struct kbrt_sigaction) == 32, "kernel sigaction");

/* siginfo_t: 128 bytes; the SIGSYS fields start at offset 16. */
struct kbrt_siginfo {
	int32_t si_signo;
	int32_t si_errno;
	int32_t si_code;
	int32_t __pad;
	union {
		struct {
			uint64_t call_addr;
			int32_t syscall;
			uint32_t arch;
		} sys;
		struct {
			int32_t pid;
			uint32_t uid;
		} kill;
		uint8_t __max[112];
	} u;
};
_Static_assert(sizeof(struct kbrt_siginfo) == 128, "kernel siginfo");
_Static_assert(offsetof(struct kbrt_siginfo, u.sys.syscall) == 24,
	       "si_syscall");

/* stack_t */
struct kbrt_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t __pad;
	uint64_t ss_size;
};
_Static_assert(sizeof(struct kbrt_stack) == 24, "kernel stack_t");

/* struct sigcontext (x86_64), the register part of the ucontext. */
struct kbrt_mcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;		/* struct _fpstate * (fxsave layout) */
	uint64_t __reserved1[8];
};
_Static_assert(sizeof(struct kbrt_mcontext) == 256, "kernel sigcontext");

/* struct ucontext as the kernel builds it in the rt_sigframe. */
struct kbrt_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct kbrt_stack uc_stack;
	struct kbrt_mcontext uc_mcontext;
	kbrt_sigset_t uc_sigmask;	/* restored by rt_sigreturn */
};
_Static_assert(offsetof(struct kbrt_ucontext, uc_mcontext) == 40,
	       "uc_mcontext");
_Static_assert(offsetof(struct kbrt_ucontext, uc_sigmask) == 296,
	       "uc_sigmask");

/* Offsets into the fxsave image that fpstate points to. */
#define KBRT_FX_FCW		0	/* x87 control word, u16 */
#define KBRT_FX_MXCSR		24	/* SSE control/status, u32 */

#endif /* KBRT_KABI_H */
