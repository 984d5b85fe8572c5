// SPDX-License-Identifier: GPL-2.0
/*
 * kblaunch: fatal errors before the program starts. Every message goes to
 * stderr as "kblaunch: ..." and ends the process with a status that says
 * whose fault it was (KB_EXIT_*).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kblaunch.h"
#include "../lib/profile.h"

static bool after_exec;

/*
 * kblaunch runs in place of a program that exec'd (reenter.c): the exec
 * has succeeded as far as the program knows, and the kernel kills a
 * process that fails past its point of no return with SIGSEGV. So does
 * kblaunch, after its message.
 */
void kb_fail_after_exec(void)
{
	after_exec = true;
}

static noreturn void end(int status)
{
	struct sigaction sa;
	sigset_t set;

	if (after_exec) {
		fflush(stderr);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigaction(SIGSEGV, &sa, NULL);
		sigemptyset(&set);
		sigaddset(&set, SIGSEGV);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(SIGSEGV);
	}
	exit(status);
}

noreturn void kb_die(const char *fmt, ...)
{
	va_list ap;

	fputs("kblaunch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	end(KB_EXIT_SETUP);
}

/*
 * "kblaunch: WHAT: reason". Reasons name the file they are about; when
 * that file is WHAT itself, it is said once. Printable: a reason may
 * quote a file's bytes (a PT_INTERP, a #! line).
 */
noreturn void kb_fail(int status, const char *what, const char *fmt, ...)
{
	size_t n = strlen(what);
	const char *m;
	char msg[1024], out[4 * sizeof(msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	m = msg;
	if (!strncmp(m, what, n) && m[n] == ':' && m[n + 1] == ' ')
		m += n + 2;
	kb_escape(out, sizeof(out), m, strlen(m));
	fprintf(stderr, "kblaunch: %s: %s\n", what, out);
	end(status);
}
