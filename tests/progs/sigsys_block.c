// SPDX-License-Identifier: GPL-2.0
/*
 * A program that blocks SIGSYS, the signal kbridge's runtime lives on.
 * Under kblaunch the real SIGSYS can never be blocked, so the runtime
 * keeps a virtual per-thread bit; this program checks that it behaves as
 * the kernel's does: reported by sigprocmask, inherited by threads, forked
 * children and exec, a SIGSYS sent while blocked stays pending (sigpending)
 * and is delivered on unblock, sigsuspend/sigtimedwait see it, SIG_IGN
 * discards it, a SIGSYS handler runs with SIGSYS blocked, and sa_mask
 * reads back as set. One line per check, the same natively and under
 * kblaunch.
 *
 * usage: sigsys_block          (execs itself as "sigsys_block exec")
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t delivered, blocked_in_handler;
static int failed;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAILED");
	fflush(stdout);
	failed |= !ok;
}

static int sigsys_blocked(void)
{
	sigset_t cur;

	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, SIGSYS);
}

static int sigsys_pending(void)
{
	sigset_t set;

	sigpending(&set);
	return sigismember(&set, SIGSYS);
}

static void on_sys(int sig)
{
	(void)sig;
	delivered++;
	blocked_in_handler = sigsys_blocked();
}

static void set_handler(void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigaction(SIGSYS, &sa, NULL);
}

static void block(int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	sigprocmask(how, &set, NULL);
}

static void *thread_fn(void *arg)
{
	(void)arg;
	return (void *)(long)sigsys_blocked();
}

/* The image after exec: SIGSYS still blocked, and still pending. */
static int after_exec(void)
{
	check(sigsys_blocked(), "exec: SIGSYS still blocked");
	check(sigsys_pending(), "exec: the SIGSYS still pending");
	set_handler(on_sys);
	block(SIG_UNBLOCK);
	check(delivered == 1, "exec: delivered on unblock");
	printf("sigsys_block %s\n", failed ? "FAILED" : "done");
	return failed;
}

int main(int argc, char **argv)
{
	char *nargv[] = { argv[0], "exec", NULL };
	struct sigaction sa, cur;
	sigset_t set;
	pthread_t t;
	void *res;
	pid_t pid;
	int status, sig;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "exec"))
		return after_exec();

	set_handler(on_sys);
	check(!sigsys_blocked(), "SIGSYS unblocked at start");
	block(SIG_BLOCK);
	check(sigsys_blocked(), "blocked SIGSYS reads back as blocked");
	raise(SIGSYS);
	check(delivered == 0, "raise while blocked: not delivered");
	check(sigsys_pending(), "raise while blocked: pending");
	raise(SIGSYS);
	block(SIG_UNBLOCK);
	check(delivered == 1, "unblock: delivered, once (merged)");
	check(blocked_in_handler, "SIGSYS blocked in its own handler");
	check(!sigsys_blocked() && !sigsys_pending(),
	      "unblocked again, nothing pending");

	block(SIG_BLOCK);
	raise(SIGSYS);
	sigemptyset(&set);
	check(sigsuspend(&set) == -1 && errno == EINTR && delivered == 2,
	      "sigsuspend unblocking it: delivered, EINTR");
	check(sigsys_blocked(), "after sigsuspend: blocked again");

	raise(SIGSYS);
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	sig = sigtimedwait(&set, NULL, &(struct timespec){ 1, 0 });
	check(sig == SIGSYS && delivered == 2,
	      "sigtimedwait takes the pending SIGSYS");

	raise(SIGSYS);
	set_handler(SIG_IGN);
	check(!sigsys_pending(), "SIG_IGN discards the pending SIGSYS");
	set_handler(on_sys);

	check(pthread_create(&t, NULL, thread_fn, NULL) == 0 &&
	      pthread_join(t, &res) == 0 && res == (void *)1,
	      "a new thread inherits it blocked");
	pid = fork();
	if (pid == 0)
		_exit(sigsys_blocked() && !sigsys_pending() ? 0 : 1);
	check(pid > 0 && waitpid(pid, &status, 0) == pid &&
	      WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "a forked child inherits it blocked");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigfillset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	check(sigaction(SIGUSR1, NULL, &cur) == 0 &&
	      sigismember(&cur.sa_mask, SIGSYS),
	      "sa_mask with SIGSYS reads back with it");

	/* Exec with SIGSYS blocked and one pending: both survive. */
	raise(SIGSYS);
	execve("/proc/self/exe", nargv, environ);
	printf("execve: %s\n", strerror(errno));
	return 1;
}
