/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbridge runtime: the only code allowed to make syscalls once Syscall
 * User Dispatch is on.
 *
 * Everything here lives in its own section, kbrt_text, which starts on a
 * page boundary and is padded to a whole page: kblaunch hands
 * [__start_kbrt_text, __stop_kbrt_text) to prctl(PR_SET_SYSCALL_USER_DISPATCH)
 * as the allowed range. SUD tests the instruction pointer *after* the
 * `syscall` instruction, so the padding also keeps the address after the
 * last `syscall` inside the range. No selector byte is used: a selector
 * is shared by all threads and one thread flipping it would let the others
 * through.
 */
#include <asm/unistd.h>
#include "clone_block.h"

	.section kbrt_text, "ax", @progbits
	.p2align 12, 0xcc

/*
 * C call (nr, a1..a5 in rdi, rsi, rdx, rcx, r8, r9) to syscall registers
 * (rax, then rdi, rsi, rdx, r10, r8); a sixth argument, if any, is the
 * caller's business (it is on the stack).
 */
.macro KBRT_C_TO_SYSCALL_ARGS
	movq	%rdi, %rax
	movq	%rsi, %rdi
	movq	%rdx, %rsi
	movq	%rcx, %rdx
	movq	%r8, %r10
	movq	%r9, %r8
.endm

/*
 * long kbrt_syscall6(long nr, long a1, long a2, long a3, long a4,
 *                    long a5, long a6)
 * The raw syscall: returns the kernel's rax (a -errno on failure).
 */
	.globl kbrt_syscall6
	.hidden kbrt_syscall6
	.type kbrt_syscall6, @function
kbrt_syscall6:
	.cfi_startproc
	KBRT_C_TO_SYSCALL_ARGS
	movq	8(%rsp), %r9
	syscall
	ret
	.cfi_endproc
	.size kbrt_syscall6, . - kbrt_syscall6

/*
 * The SA_RESTORER of the runtime's SIGSYS action. It is also where the
 * handler sends a program that trapped on its own rt_sigreturn: the
 * handler returns through here with the program's stack pointer in the
 * restored context, so this same instruction pair then runs the program's
 * rt_sigreturn on the program's own frame.
 */
	.globl kbrt_rt_sigreturn
	.hidden kbrt_rt_sigreturn
	.type kbrt_rt_sigreturn, @function
kbrt_rt_sigreturn:
	movl	$__NR_rt_sigreturn, %eax
	syscall
	ud2
	.size kbrt_rt_sigreturn, . - kbrt_rt_sigreturn

/*
 * long kbrt_clone_on_stack(long nr, long a1, long a2, long a3, long a4,
 *                          long a5)
 * clone or clone3 for a child that gets a new stack: the caller has set
 * the child's stack pointer to a struct kbrt_clone_block it filled at the
 * top of that stack. The parent returns like kbrt_syscall6. The child
 * re-arms SUD and restores its signal mask (kbrt_child_start, C), then
 * takes the program's registers from the block and continues at the
 * instruction after the program's syscall with rax = 0, rcx = rip and
 * r11 = rflags, exactly what the kernel would have handed it.
 */
	.globl kbrt_clone_on_stack
	.hidden kbrt_clone_on_stack
	.type kbrt_clone_on_stack, @function
kbrt_clone_on_stack:
	.cfi_startproc
	KBRT_C_TO_SYSCALL_ARGS
	syscall
	testq	%rax, %rax
	jz	1f
	ret
	.cfi_endproc
1:
	/* The child: %rsp points at the block, 16-byte aligned. */
	xorl	%ebp, %ebp
	movq	%rsp, %rdi
	call	kbrt_child_start
	ldmxcsr	KBRT_BLK_MXCSR(%rsp)
	fldcw	KBRT_BLK_FCW(%rsp)
	movq	KBRT_BLK_RBX(%rsp), %rbx
	movq	KBRT_BLK_RBP(%rsp), %rbp
	movq	KBRT_BLK_R12(%rsp), %r12
	movq	KBRT_BLK_R13(%rsp), %r13
	movq	KBRT_BLK_R14(%rsp), %r14
	movq	KBRT_BLK_R15(%rsp), %r15
	movq	KBRT_BLK_RDI(%rsp), %rdi
	movq	KBRT_BLK_RSI(%rsp), %rsi
	movq	KBRT_BLK_RDX(%rsp), %rdx
	movq	KBRT_BLK_R8(%rsp), %r8
	movq	KBRT_BLK_R9(%rsp), %r9
	movq	KBRT_BLK_R10(%rsp), %r10
	movq	KBRT_BLK_R11(%rsp), %r11
	movq	KBRT_BLK_RIP(%rsp), %rcx
	xorl	%eax, %eax
	movq	KBRT_BLK_RSP(%rsp), %rsp
	jmp	*%rcx
	.size kbrt_clone_on_stack, . - kbrt_clone_on_stack

/*
 * void kbrt_exit_releasing(uint64_t *owner, int code, long nr)
 * A thread's last steps: free its alternate stack slot (the store is the
 * release) and exit or exit_group (@nr), with no stack access between.
 */
	.globl kbrt_exit_releasing
	.hidden kbrt_exit_releasing
	.type kbrt_exit_releasing, @function
kbrt_exit_releasing:
	testq	%rdi, %rdi
	jz	1f
	movq	$0, (%rdi)
1:
	movl	%esi, %edi
	movq	%rdx, %rax
	syscall
	ud2
	.size kbrt_exit_releasing, . - kbrt_exit_releasing

/*
 * long kbrt_sigaltstack_at(const stack_t *ss, stack_t *oss, void *sp)
 * sigaltstack() with %rsp = @sp during the syscall. The caller blocks
 * every signal first: a frame delivered now would be pushed at @sp.
 */
	.globl kbrt_sigaltstack_at
	.hidden kbrt_sigaltstack_at
	.type kbrt_sigaltstack_at, @function
kbrt_sigaltstack_at:
	.cfi_startproc
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	movq	%rsp, %rbx
	movq	%rdx, %rsp
	movl	$__NR_sigaltstack, %eax
	syscall
	movq	%rbx, %rsp
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
	.size kbrt_sigaltstack_at, . - kbrt_sigaltstack_at

/*
 * void kbrt_call_on(uint64_t top, uint64_t fn, long a1, void *a2, void *a3)
 * fn(a1, a2, a3) with %rsp = @top (16-byte aligned), then back.
 */
	.globl kbrt_call_on
	.hidden kbrt_call_on
	.type kbrt_call_on, @function
kbrt_call_on:
	.cfi_startproc
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbp, 0
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	movq	%rdi, %rsp
	movq	%rsi, %rax
	movq	%rdx, %rdi
	movq	%rcx, %rsi
	movq	%r8, %rdx
	call	*%rax
	movq	%rbp, %rsp
	popq	%rbp
	.cfi_def_cfa %rsp, 8
	ret
	.cfi_endproc
	.size kbrt_call_on, . - kbrt_call_on

	/* Pad to a page: the range ends here, after the last `syscall`. */
	.p2align 12, 0xcc

	.section .note.GNU-stack, "", @progbits
