// SPDX-License-Identifier: GPL-2.0
/*
 * Signal handling that real programs do, which a SIGSYS-based
 * interposer must survive:
 *  - a handler with sa_mask = every signal (SIGSYS included) that makes
 *    syscalls;
 *  - sigprocmask(SIG_BLOCK, all) and syscalls while everything is blocked,
 *    and the mask still in force afterwards;
 *  - sigaltstack + SA_ONSTACK + sigsuspend;
 *  - a blocking read interrupted by a handler: -1/EINTR without
 *    SA_RESTART, restarted with it (the handler makes the data arrive),
 *    which kbridge.ko must keep when it runs the read itself;
 *  - an action for SIGSYS of its own, and raise(SIGSYS);
 *  - turning Syscall User Dispatch off (kblaunch refuses: EPERM).
 * Prints one line per check; the same lines natively and under kblaunch,
 * except the prctl one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "kb_sud.h"

#define ALTSTACK_SIZE	(256 * 1024)

static volatile sig_atomic_t usr1_ok, usr2_ok, usr2_on_alt, sys_ok;
static char *altstack;
static int failed;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAILED");
	failed |= !ok;
}

static void on_usr1(int sig)
{
	static const char msg[] = "in SIGUSR1 handler\n";

	usr1_ok = sig == SIGUSR1 && syscall(SYS_getppid) == getppid() &&
		  write(1, msg, sizeof(msg) - 1) == sizeof(msg) - 1;
}

static void on_usr2(int sig)
{
	char here;

	usr2_on_alt = &here >= altstack && &here < altstack + ALTSTACK_SIZE;
	usr2_ok = sig == SIGUSR2 && syscall(SYS_getppid) > 0;
}

static int wake_fd = -1;
static volatile sig_atomic_t alarms;

/* Makes the interrupted read's data arrive (when wake_fd is set). */
static void on_alarm(int sig)
{
	alarms += sig == SIGALRM;
	if (wake_fd >= 0 && write(wake_fd, "w", 1) != 1)
		alarms = -100;
}

/*
 * A read from an empty pipe, interrupted after 50 ms by SIGALRM with
 * @flags: the read's return value, its byte in *@c.
 */
static long interrupted_read(int flags, int wake, char *c)
{
	struct itimerval it = { .it_value = { 0, 50 * 1000 } };
	struct sigaction sa;
	int p[2];
	long ret;

	if (pipe(p))
		return -2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = flags;
	sigaction(SIGALRM, &sa, NULL);
	wake_fd = wake ? p[1] : -1;
	alarms = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	ret = read(p[0], c, 1);
	wake_fd = -1;
	close(p[0]);
	close(p[1]);
	return ret;
}

static void on_sys(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	sys_ok = sig == SIGSYS && si->si_code == SI_TKILL &&
		 syscall(SYS_getpid) == si->si_pid;
}

int main(void)
{
	struct sigaction sa, cur;
	sigset_t all, set, old;
	stack_t ss, oss;
	long ret;

	setvbuf(stdout, NULL, _IONBF, 0);
	sigfillset(&all);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_mask = all;
	sa.sa_flags = SA_RESTART;
	check(sigismember(&sa.sa_mask, SIGSYS) == 1 &&
	      sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction with a full mask");
	raise(SIGUSR1);
	check(usr1_ok, "handler with a full mask makes syscalls");

	check(sigprocmask(SIG_BLOCK, &all, &old) == 0, "block all signals");
	check(syscall(SYS_getppid) == getppid(), "syscalls with all blocked");
	sigprocmask(SIG_BLOCK, NULL, &set);
	check(sigismember(&set, SIGUSR1) && sigismember(&set, SIGTERM),
	      "mask still in force");

	altstack = malloc(ALTSTACK_SIZE);
	ss.ss_sp = altstack;
	ss.ss_size = ALTSTACK_SIZE;
	ss.ss_flags = 0;
	check(altstack && sigaltstack(&ss, NULL) == 0, "sigaltstack");
	check(sigaltstack(NULL, &oss) == 0 && oss.ss_sp == altstack &&
	      oss.ss_size == ALTSTACK_SIZE, "alternate stack still set");
	sa.sa_handler = on_usr2;
	sa.sa_flags = SA_ONSTACK | SA_RESTART;
	sigaction(SIGUSR2, &sa, NULL);
	kill(getpid(), SIGUSR2);
	set = all;
	sigdelset(&set, SIGUSR2);
	ret = sigsuspend(&set);
	check(ret == -1 && errno == EINTR && usr2_ok,
	      "sigsuspend with all but SIGUSR2 blocked");
	check(usr2_on_alt, "handler ran on the alternate stack");
	check(sigprocmask(SIG_SETMASK, &old, NULL) == 0, "restore the mask");

	{
		char c = 0;
		long r;

		r = interrupted_read(0, 0, &c);
		check(r == -1 && errno == EINTR && alarms == 1,
		      "read interrupted without SA_RESTART: EINTR");
		r = interrupted_read(SA_RESTART, 1, &c);
		check(r == 1 && c == 'w' && alarms == 1,
		      "read interrupted with SA_RESTART: restarted");
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sys;
	sa.sa_flags = SA_SIGINFO;
	check(sigaction(SIGSYS, &sa, NULL) == 0, "sigaction(SIGSYS)");
	check(sigaction(SIGSYS, NULL, &cur) == 0 &&
	      cur.sa_sigaction == on_sys && (cur.sa_flags & SA_SIGINFO),
	      "SIGSYS action reads back");
	raise(SIGSYS);
	check(sys_ok, "own SIGSYS handler called");

	ret = prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0);
	printf("prctl(PR_SET_SYSCALL_USER_DISPATCH, OFF): %s\n",
	       ret == 0 ? "0" : strerrorname_np(errno));

	printf("signals %s\n", failed ? "FAILED" : "done");
	return failed;
}
