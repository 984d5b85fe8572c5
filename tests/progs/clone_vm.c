// SPDX-License-Identifier: GPL-2.0
/*
 * Children that share our memory, created the ways thread libraries and
 * spawn helpers do it outside pthread_create:
 *  - glibc's clone(): the legacy clone syscall with a new stack, where
 *    the wrapper keeps the child's function and argument on that stack;
 *    the child makes J getppid calls and must inherit the SSE control
 *    register (MXCSR) as a native child does;
 *  - a raw clone(CLONE_VM | CLONE_VFORK) with no new stack, whose child
 *    only exits.
 * Under kblaunch exactly J getppid calls are made, all by the child.
 *
 * usage: clone_vm J
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define STACK_SIZE	(256 * 1024)
#define MXCSR_FTZ	0x8000

static volatile unsigned int child_mxcsr;
static volatile long child_calls;

static unsigned int get_mxcsr(void)
{
	unsigned int v;

	__asm__ volatile ("stmxcsr %0" : "=m" (v));
	return v;
}

static void set_mxcsr(unsigned int v)
{
	__asm__ volatile ("ldmxcsr %0" : : "m" (v));
}

/*
 * clone(CLONE_VM | CLONE_VFORK) with no stack of its own: the child runs
 * on our stack while we wait, so it must not touch it: it exits right
 * after the syscall, all in asm.
 */
static long clone_vfork_exit(void)
{
	register long r10 __asm__("r10") = 0;
	register long r8 __asm__("r8") = 0;
	long ret;

	__asm__ volatile ("syscall\n\t"
			  "testq %%rax, %%rax\n\t"
			  "jnz 1f\n\t"
			  "movl %[exit], %%eax\n\t"
			  "xorl %%edi, %%edi\n\t"
			  "syscall\n"
			  "1:"
			  : "=a" (ret)
			  : "a" ((long)SYS_clone),
			    "D" ((long)(CLONE_VM | CLONE_VFORK | SIGCHLD)),
			    "S" (0L), "d" (0L), "r" (r10), "r" (r8),
			    [exit] "i" (SYS_exit)
			  : "rcx", "r11", "memory");
	return ret;
}

static int child(void *arg)
{
	long i, j = (long)arg;

	child_mxcsr = get_mxcsr();
	for (i = 0; i < j; i++)
		syscall(SYS_getppid);
	child_calls = j;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int mxcsr;
	char *stack;
	int status, ok = 1;
	long j, pid;

	if (argc != 2) {
		fprintf(stderr, "usage: %s J\n", argv[0]);
		return 2;
	}
	j = atol(argv[1]);
	stack = malloc(STACK_SIZE);
	if (!stack)
		return 1;

	mxcsr = get_mxcsr() | MXCSR_FTZ;
	set_mxcsr(mxcsr);
	pid = clone(child, stack + STACK_SIZE, CLONE_VM | CLONE_FS | SIGCHLD,
		    (void *)j);
	if (pid < 0 || waitpid((pid_t)pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("clone with a new stack: failed\n");
		ok = 0;
	} else {
		printf("clone with a new stack: child made %ld calls, mxcsr %s\n",
		       child_calls, child_mxcsr == mxcsr ? "inherited" :
		       "DIFFERENT");
		ok &= child_calls == j && child_mxcsr == mxcsr;
	}

	pid = clone_vfork_exit();
	if (pid < 0 || waitpid((pid_t)pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("clone(CLONE_VM | CLONE_VFORK) without a stack: failed\n");
		ok = 0;
	} else {
		printf("clone(CLONE_VM | CLONE_VFORK) without a stack: ok\n");
	}
	printf("clone_vm %s\n", ok ? "ok" : "FAILED");
	return !ok;
}
