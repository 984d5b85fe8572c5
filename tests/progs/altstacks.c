// SPDX-License-Identifier: GPL-2.0
/*
 * Alternate signal stacks and small stacks, as programs use them. Prints
 * what it observes; the test compares that with the native run, so
 * every line must be the same under kblaunch:
 *  - syscalls made with 512 bytes of stack above a guard page (a Go
 *    goroutine, a coroutine): no signal frame may land there;
 *  - sigaltstack() as the program sees it: none at start, its own once
 *    set, SS_ONSTACK and EPERM on it, SS_AUTODISARM, every error;
 *  - handlers that nest on a small alternate stack and make syscalls;
 *  - threads, fork and posix_spawn with alternate stacks, and a thousand
 *    threads created one after the other without the memory map growing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM	(1U << 31)
#endif
#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ	51
#endif

extern char **environ;

static long page;

/* @len bytes above a PROT_NONE page: overflowing them faults. */
static char *guarded(size_t len)
{
	char *p = mmap(NULL, page + len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p, page, PROT_NONE)) {
		perror("mmap");
		exit(2);
	}
	return p + page;
}

/* A raw syscall made with the stack pointer at @sp. */
static long syscall_on(void *sp, long nr, long a1, long a2, long a3)
{
	long ret;

	asm volatile("mov %%rsp, %%r12\n\t"
		     "mov %[sp], %%rsp\n\t"
		     "syscall\n\t"
		     "mov %%r12, %%rsp"
		     : "=a"(ret)
		     : [sp] "r"(sp), "a"(nr), "D"(a1), "S"(a2), "d"(a3)
		     : "rcx", "r11", "r12", "memory");
	return ret;
}

static void tiny_stack(void)
{
	char *lo = guarded(page);
	char *sp = lo + 512;
	static const char msg[] = "tiny stack: write from 512 bytes of stack\n";
	long i, ppid = 0;

	fflush(stdout);
	for (i = 0; i < 100; i++)
		ppid = syscall_on(sp, SYS_getppid, 0, 0, 0);
	syscall_on(sp, SYS_write, 1, (long)msg, sizeof(msg) - 1);
	printf("tiny stack: getppid %s\n", ppid == getppid() ? "ok" : "wrong");
}

/* What sigaltstack(NULL, &old) says, relative to @mine. */
static void show(const char *when, const char *mine)
{
	stack_t ss;

	if (sigaltstack(NULL, &ss)) {
		printf("%s: sigaltstack: %s\n", when, strerror(errno));
		return;
	}
	printf("%s: sp %s size %zu flags%s%s%s\n", when,
	       !ss.ss_sp ? "null" : (char *)ss.ss_sp == mine ? "mine" :
	       "other", ss.ss_size,
	       ss.ss_flags & SS_ONSTACK ? " onstack" : "",
	       ss.ss_flags & SS_DISABLE ? " disable" : "",
	       ss.ss_flags & SS_AUTODISARM ? " autodisarm" : "");
}

static void set(const char *what, void *sp, size_t size, int flags)
{
	stack_t ss = { .ss_sp = sp, .ss_size = size, .ss_flags = flags };

	printf("set %s: %s\n", what,
	       sigaltstack(&ss, NULL) ? strerror(errno) : "ok");
}

static char *alt;
static size_t alt_size;
static volatile int depth_seen;

static int on_alt(void)
{
	char here;

	return &here >= alt && &here < alt + alt_size;
}

static void on_usr2(int sig)
{
	(void)sig;
	depth_seen = on_alt() ? 2 : -2;
	syscall(SYS_getppid);
}

static int alt_flags;

static void on_usr1(int sig)
{
	stack_t ss = { .ss_sp = alt, .ss_size = alt_size };

	(void)sig;
	show("in handler", alt);
	/*
	 * On its stack: EPERM. Disarmed (SS_AUTODISARM), a change would
	 * succeed and the nested handler below would then start at the top
	 * of the stack, over this one.
	 */
	if (!(alt_flags & SS_AUTODISARM))
		printf("set on it: %s\n",
		       sigaltstack(&ss, NULL) ? strerror(errno) : "ok");
	printf("handler on the alternate stack: %s\n", on_alt() ? "yes" : "no");
	raise(SIGUSR2);
	printf("nested handler: %s\n", depth_seen == 2 ? "on it" :
	       depth_seen == -2 ? "off it" : "did not run");
}

static void handlers(void)
{
	struct sigaction sa = { .sa_flags = SA_ONSTACK | SA_NODEFER };

	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);
}

static void semantics(void)
{
	char bad[1];

	show("start", NULL);
	set("bad flags", alt, alt_size, 0x10);
	set("too small", alt, MINSIGSTKSZ - 1, 0);
	printf("set bad pointer: %s\n",
	       sigaltstack((stack_t *)8, NULL) ? strerror(errno) : "ok");
	printf("get bad pointer: %s\n",
	       sigaltstack(NULL, (stack_t *)8) ? strerror(errno) : "ok");
	(void)bad;
	set("own", alt, alt_size, 0);
	show("after set", alt);
	raise(SIGUSR1);
	show("after handler", alt);
	alt_flags = SS_AUTODISARM;
	set("autodisarm", alt, alt_size, SS_AUTODISARM);
	show("after set", alt);
	raise(SIGUSR1);
	show("after handler", alt);
	alt_flags = 0;
	set("disable", NULL, 0, SS_DISABLE);
	show("after disable", alt);
	/* SA_ONSTACK with no alternate stack: the handler runs anyway. */
	raise(SIGUSR2);
	printf("no alternate stack: handler %s\n",
	       depth_seen == -2 ? "off it" : "wrong");
}

static void *thread_alt(void *arg __attribute__((unused)))
{
	char *mine = guarded(alt_size);
	stack_t ss = { .ss_sp = mine, .ss_size = alt_size };
	stack_t got;
	int ok = 1;

	sigaltstack(NULL, &got);
	ok &= !!(got.ss_flags & SS_DISABLE);
	ok &= !sigaltstack(&ss, NULL);
	sigaltstack(NULL, &got);
	ok &= got.ss_sp == mine && !(got.ss_flags & SS_DISABLE);
	ss.ss_flags = SS_DISABLE;
	ok &= !sigaltstack(&ss, NULL);
	munmap(mine - page, page + alt_size);
	return (void *)(intptr_t)ok;
}

static void *thread_short(void *arg)
{
	syscall(SYS_getppid);
	return arg;
}

static int map_count(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0, c;

	if (!f)
		return -1;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void threads(void)
{
	pthread_t t[8];
	int i, ok = 1, before, after;
	void *r;

	for (i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, thread_alt, NULL);
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], &r);
		ok &= r != NULL;
	}
	printf("8 threads, each its own alternate stack: %s\n",
	       ok ? "ok" : "wrong");

	for (i = 0; i < 20; i++) {
		pthread_create(&t[0], NULL, thread_short, NULL);
		pthread_join(t[0], NULL);
	}
	before = map_count();
	for (i = 0; i < 1000; i++) {
		pthread_create(&t[0], NULL, thread_short, NULL);
		pthread_join(t[0], NULL);
	}
	after = map_count();
	printf("1000 threads one after the other: maps %s\n",
	       after - before <= 4 ? "steady" : "grew");
	if (after - before > 4)
		fprintf(stderr, "maps: %d then %d\n", before, after);

	for (i = 0; i < 200; i++) {
		char *argv[] = { "true", NULL };
		pid_t pid;
		int st;

		if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) ||
		    waitpid(pid, &st, 0) != pid || st)
			ok = 0;
		if (i == 9)
			before = map_count();
	}
	after = map_count();
	printf("200 posix_spawn: %s, maps %s\n", ok ? "ok" : "wrong",
	       after - before <= 4 ? "steady" : "grew");
}

static void forked(void)
{
	pid_t pid;
	int st;

	set("own before fork", alt, alt_size, 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		show("fork child", alt);
		raise(SIGUSR1);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	printf("fork child exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	set("disable", NULL, 0, SS_DISABLE);
}

int main(void)
{
	long min = (long)getauxval(AT_MINSIGSTKSZ);

	setvbuf(stdout, NULL, _IOLBF, 0);
	page = sysconf(_SC_PAGESIZE);
	/* Room for a few of the largest frames this CPU delivers. */
	alt_size = (size_t)(min > MINSIGSTKSZ ? min : MINSIGSTKSZ) * 4 +
		   64 * 1024;
	alt = guarded(alt_size);
	tiny_stack();
	handlers();
	semantics();
	forked();
	threads();
	printf("altstacks done\n");
	return 0;
}
