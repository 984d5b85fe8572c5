/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbctl: a list of syscalls, one x86_64 name per line ('#' to the end of
 * a line ignored, blank lines skipped): what an OS implements (kbctl plan
 * --os, loupedb's OS.syscalls), what a static analysis found (kbctl
 * loupedb export --static-binary).
 */
#ifndef KBCTL_SYSLIST_H
#define KBCTL_SYSLIST_H

#include <stddef.h>

/* Lists are short lines of text. */
#define SL_MAX_BYTES	(1u << 20)
#define SL_LINE_MAX	4096u

/*
 * The distinct syscall numbers @path names, appended to the malloc'd
 * *@nrs (*@n of them). An unknown name is an error naming FILE:LINE,
 * except in a file named *.syscalls (loupedb's lists, published with a
 * typo or two), where it is skipped with a warning. 0, or -1 said.
 */
int sl_read(const char *path, int **nrs, size_t *n);

#endif
