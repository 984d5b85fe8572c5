// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl: lists of syscall names (syslist.h), read like a profile: whole
 * and bounded, so that a binary file or /dev/zero gives a FILE:LINE:
 * error, not an endless read.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kbctl.h"
#include "jsonin.h"
#include "syslist.h"
#include "../../lib/names.h"

int sl_read(const char *path, int **nrs, size_t *n)
{
	char *text, *line, *next, *s, *e, *hash, q[128];
	unsigned int lineno = 0;
	size_t len, i;
	int nr, ret = -1, *grown;
	/*
	 * loupedb's OS lists (NAME.syscalls) are published data with a typo
	 * or two (gVisor's "futimensat"): a name no kernel has is skipped
	 * there, with a warning, and an error anywhere else.
	 */
	bool loupe = (len = strlen(path)) > 9 && !strcmp(path + len - 9, ".syscalls");

	text = kj_read(path, SL_MAX_BYTES, &len, NULL);
	if (!text)
		return -1;
	for (line = text; line < text + len; line = next) {
		lineno++;
		e = memchr(line, '\n', (size_t)(text + len - line));
		next = e ? e + 1 : text + len;
		if (memchr(line, '\0', (size_t)(next - line))) {
			kbctl_err("%s:%u: a NUL byte: not a list of syscall names",
				  path, lineno);
			goto out;
		}
		if ((size_t)(next - line) > SL_LINE_MAX) {
			kbctl_err("%s:%u: line too long (more than %u bytes)",
				  path, lineno, SL_LINE_MAX);
			goto out;
		}
		if (e)
			*e = '\0';
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		for (e = s + strlen(s); e > s && strchr(" \t\r", e[-1]); e--)
			;
		*e = '\0';
		if (!*s)
			continue;
		if (strpbrk(s, " \t")) {
			kbctl_err("%s:%u: one syscall name per line, not '%s'",
				  path, lineno, kj_quote(s, q, sizeof(q)));
			goto out;
		}
		nr = kb_syscall_lookup(s);
		if (nr == -1 && loupe) {
			fprintf(stderr, "kbctl: warning: %s:%u: unknown syscall '%s' in a Loupe OS list: skipped\n",
				path, lineno, kj_quote(s, q, sizeof(q)));
			continue;
		}
		if (nr == -1) {
			kbctl_err("%s:%u: unknown syscall '%s'", path, lineno,
				  kj_quote(s, q, sizeof(q)));
			goto out;
		}
		if (nr < 0 || nr >= KB_NR_SYSCALLS) {
			kbctl_err("%s:%u: '%s' is not an x86_64 syscall", path,
				  lineno, kj_quote(s, q, sizeof(q)));
			goto out;
		}
		for (i = 0; i < *n && (*nrs)[i] != nr; i++)
			;
		if (i < *n)
			continue;
		grown = realloc(*nrs, (*n + 1) * sizeof(**nrs));
		if (!grown) {
			kbctl_err("out of memory");
			goto out;
		}
		*nrs = grown;
		(*nrs)[(*n)++] = nr;
	}
	ret = 0;
out:
	free(text);
	return ret;
}
