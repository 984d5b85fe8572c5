/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Syscall User Dispatch for the kbridge stress and lifecycle programs:
 * a page of its own (the allowed range) holding only a raw syscall
 * trampoline and a signal restorer, and the calls to arm and disarm SUD
 * for the calling thread.
 *
 * SUD is per thread and a new thread or child starts with it off (the
 * kernel resets it in copy_process()), so every thread that must be
 * decided by the fast path arms it itself. Everything a thread does
 * while armed that must not count as one of its syscalls (the ioctls,
 * futex waits, writes of results) goes through kb_tramp(), which the
 * kernel never dispatches. Include it in one translation unit only.
 */
#ifndef KBRIDGE_SUD_H
#define KBRIDGE_SUD_H

#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>

#include <linux/kbridge.h>

#include "kb_sud.h"

/*
 * Padded to the page end: the address after the last syscall instruction
 * (the one SUD compares) is still inside the range.
 */
__asm__(
	".pushsection .text.kb_allowed, \"ax\", @progbits\n"
	".balign 4096\n"
	".globl kb_allowed_start\n"
	".hidden kb_allowed_start\n"
	"kb_allowed_start:\n"
	/* long kb_tramp(long nr, long a0, ..., long a5): raw, -errno */
	".globl kb_tramp\n"
	".hidden kb_tramp\n"
	"kb_tramp:\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	mov %r8, %r10\n"
	"	mov %r9, %r8\n"
	"	mov 8(%rsp), %r9\n"
	"	syscall\n"
	"	ret\n"
	".globl kb_restorer\n"
	".hidden kb_restorer\n"
	"kb_restorer:\n"
	"	mov $15, %eax\n"	/* rt_sigreturn */
	"	syscall\n"
	"	hlt\n"
	".balign 4096\n"
	".globl kb_allowed_end\n"
	".hidden kb_allowed_end\n"
	"kb_allowed_end:\n"
	".popsection\n");

extern char kb_allowed_start[], kb_allowed_end[];
long kb_tramp(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
void kb_restorer(void);

#define TRAMP0(nr)		kb_tramp((nr), 0, 0, 0, 0, 0, 0)
#define TRAMP3(nr, a, b, c)	kb_tramp((nr), (long)(a), (long)(b), \
					 (long)(c), 0, 0, 0)

/* The kernel's struct sigaction on x86_64 (not glibc's). */
struct kb_ksigaction {
	void (*handler)(int, siginfo_t *, void *);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

/*
 * Install @fn as the process's SIGSYS handler with the restorer in the
 * range (glibc's own restorer is outside it and would trap).
 */
static inline long kb_sud_handler(void (*fn)(int, siginfo_t *, void *))
{
	struct kb_ksigaction sa = {
		.handler = fn,
		.flags = SA_SIGINFO | SA_RESTORER,
		.restorer = kb_restorer,
	};

	return kb_tramp(SYS_rt_sigaction, SIGSYS, (long)&sa, 0, 8, 0, 0);
}

/* Arm SUD for the calling thread only; 0 or -errno. */
static inline long kb_sud_on(void)
{
	return kb_tramp(SYS_prctl, PR_SET_SYSCALL_USER_DISPATCH,
			PR_SYS_DISPATCH_ON, (long)kb_allowed_start,
			(long)(kb_allowed_end - kb_allowed_start), 0, 0);
}

/* Disarm it, from the range, so that the call is not itself decided. */
static inline long kb_sud_off(void)
{
	return kb_tramp(SYS_prctl, PR_SET_SYSCALL_USER_DISPATCH,
			PR_SYS_DISPATCH_OFF, 0, 0, 0, 0);
}

/* The six argument registers of a trapped syscall, into its frame. */
static inline void kb_frame_args(struct kb_syscall *c, const greg_t *g)
{
	c->args[0] = g[REG_RDI];
	c->args[1] = g[REG_RSI];
	c->args[2] = g[REG_RDX];
	c->args[3] = g[REG_R10];
	c->args[4] = g[REG_R8];
	c->args[5] = g[REG_R9];
}

/* Exit the thread group without a dispatched syscall. */
static inline void __attribute__((noreturn)) kb_tramp_exit(int code)
{
	kb_tramp(SYS_exit_group, code, 0, 0, 0, 0, 0);
	__builtin_unreachable();
}

#endif /* KBRIDGE_SUD_H */
