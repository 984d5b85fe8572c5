// SPDX-License-Identifier: GPL-2.0
/*
 * kblaunch: fatal errors before the program starts. Every message goes to
 * stderr as "kblaunch: ..." and ends the process with a status that says
 * whose fault it was (KB_EXIT_*).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kblaunch.h"

noreturn void kb_die(const char *fmt, ...)
{
	va_list ap;

	fputs("kblaunch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(KB_EXIT_SETUP);
}

/*
 * "kblaunch: WHAT: reason". Reasons name the file they are about; when
 * that file is WHAT itself, it is said once.
 */
noreturn void kb_fail(int status, const char *what, const char *fmt, ...)
{
	size_t n = strlen(what);
	const char *m;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	m = msg;
	if (!strncmp(m, what, n) && m[n] == ':' && m[n + 1] == ' ')
		m += n + 2;
	fprintf(stderr, "kblaunch: %s: %s\n", what, m);
	exit(status);
}
