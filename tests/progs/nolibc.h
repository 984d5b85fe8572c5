/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the test programs built without libc (-nostdlib): a raw syscall
 * and the entry point, which calls start_c(sp) with the initial stack
 * pointer (argc, argv, envp). Include it in one file per program.
 */
#ifndef KB_NOLIBC_H
#define KB_NOLIBC_H

#include <asm/unistd.h>

static inline long sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile ("syscall"
			  : "=a" (ret)
			  : "a" (nr), "D" (a), "S" (b), "d" (c)
			  : "rcx", "r11", "memory");
	return ret;
}

__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	xorl %ebp, %ebp\n"
	"	movq %rsp, %rdi\n"
	"	andq $-16, %rsp\n"
	"	call start_c\n"
	"	hlt\n");

#endif /* KB_NOLIBC_H */
