/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kblaunch: the last instructions of kblaunch in the program's process.
 *
 * long kbrt_enter(u64 start, u64 len, u64 entry, u64 sp)
 *
 * Arms Syscall User Dispatch for this thread with [start, start + len) as
 * the allowed range and no selector, then, without one more syscall
 * (every syscall from here on outside the range traps), switches to the
 * program's initial stack and jumps to its entry point with the register
 * state the kernel gives a new program: rdx = 0 (no rtld_fini for the
 * ELF entry ABI), every other general register 0. Returns only if the
 * prctl fails, with its -errno, and SUD still off.
 */
#include <asm/unistd.h>

#include "kb_sud.h"

	.text
	.globl kbrt_enter
	.hidden kbrt_enter
	.type kbrt_enter, @function
kbrt_enter:
	.cfi_startproc
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	pushq	%r13
	.cfi_adjust_cfa_offset 8
	movq	%rdx, %r12		/* entry */
	movq	%rcx, %r13		/* sp */
	movq	%rdi, %rdx		/* arg3: range start */
	movq	%rsi, %r10		/* arg4: range length */
	movl	$PR_SET_SYSCALL_USER_DISPATCH, %edi
	movl	$PR_SYS_DISPATCH_ON, %esi
	xorl	%r8d, %r8d		/* arg5: no selector */
	movl	$__NR_prctl, %eax
	syscall
	testq	%rax, %rax
	jnz	1f

	/* SUD is on. */
	movq	%r13, %rsp
	pushq	%r12			/* below the new sp: free stack */
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%esi, %esi
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	ret				/* to entry, rsp = sp */

1:	popq	%r13
	.cfi_adjust_cfa_offset -8
	popq	%r12
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
	.size kbrt_enter, . - kbrt_enter

	.section .note.GNU-stack, "", @progbits
