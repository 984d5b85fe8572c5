// SPDX-License-Identifier: GPL-2.0
/*
 * kblaunch: programs it refuses to start. kblaunch loads programs itself,
 * so a set-user-ID, set-group-ID or file-capability program would run
 * without the credentials its owner gave it, under a policy its caller
 * chose: refused with a clear error instead, as the runtime refuses their
 * exec (rt/exec.c). Root's own set-user-ID-root programs change nothing
 * and run. The module backs this up: an unprivileged member has
 * no_new_privs, so even a raw execve gains nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "kblaunch.h"

void kb_refuse_privileged(const char *what, const char *path, int fd)
{
	const char *kind = NULL;
	struct statvfs vfs;
	struct stat st;

	if (fstat(fd, &st))
		kb_fail(KB_EXIT_NOEXEC, what, "%s: %s", path, strerror(errno));
	/* Natively it would gain nothing there either. */
	if (!fstatvfs(fd, &vfs) && (vfs.f_flag & ST_NOSUID))
		return;
	if ((st.st_mode & S_ISUID) && st.st_uid != geteuid())
		kind = "set-user-ID";
	/* Without group execute, S_ISGID means mandatory locking. */
	else if ((st.st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
		 st.st_gid != getegid())
		kind = "set-group-ID";
	else if (geteuid() != 0 &&
		 fgetxattr(fd, "security.capability", NULL, 0) >= 0)
		kind = "a file-capability program";
	if (kind)
		kb_fail(KB_EXIT_NOEXEC, what,
			"%s is %s: kblaunch would run it without that privilege, under a policy chosen by uid %d; refusing (run it as root to put it under kbridge)",
			path, kind, (int)getuid());
}
