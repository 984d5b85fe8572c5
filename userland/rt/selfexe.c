// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge runtime: /proc/self/exe.
 *
 * The kernel says the process runs kblaunch: it was kblaunch that
 * execve'd. Programs use the link to find themselves: ld.so expands
 * $ORIGIN in RPATH/RUNPATH from it (java finds libjli.so that way), and
 * programs re-execute themselves through it. So the paths
 * "/proc/self/exe" and "/proc/thread-self/exe" are redirected to the
 * program's file for readlink, readlinkat, open, openat, openat2, execve
 * and execveat. Other spellings (/proc/<pid>/exe, stat, a dirfd on
 * /proc/self) still see kblaunch.
 */
#include "internal.h"

/* Both names are built on the prefix, which the module is told. */
#define KBRT_PROC "/proc/"
const char kbrt_redirect_prefix[] = KBRT_PROC;
static const char self_exe[] = KBRT_PROC "self/exe";
static const char thread_exe[] = KBRT_PROC "thread-self/exe";

static int same(const char *a, const char *b, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* Is the program's string at @addr one of the two names? */
static int names_self_exe(uint64_t addr)
{
	char buf[sizeof(thread_exe)];
	long n;

	if (!addr)
		return 0;
	n = kbrt_copy_str_from_user(buf, addr, sizeof(buf));
	return (n >= (long)sizeof(self_exe) &&
		same(buf, self_exe, sizeof(self_exe))) ||
	       (n >= (long)sizeof(thread_exe) &&
		same(buf, thread_exe, sizeof(thread_exe)));
}

/* readlink's answer: the path, not NUL-terminated, cut at @size. */
static long readlink_exe(uint64_t buf, uint64_t size)
{
	uint64_t n = kbrt_strlen(kbrt_cfg->exe);

	if ((int64_t)(int)size <= 0)
		return -EINVAL;
	if (n > (uint64_t)(int)size)
		n = (uint64_t)(int)size;
	if (kbrt_copy_to_user(buf, kbrt_cfg->exe, n))
		return -EFAULT;
	return (long)n;
}

/*
 * Sets *@handled and returns the result when @nr names /proc/self/exe and
 * is answered here; otherwise may point the path argument at the
 * program's file and leaves the call to the caller.
 */
long kbrt_selfexe(long nr, __u64 a[6], int *handled)
{
	int path;

	*handled = 0;
	if (!kbrt_cfg->exe[0])
		return 0;
	switch (nr) {
	case __NR_readlink:
	case __NR_open:
	case __NR_execve:
		path = 0;
		break;
	case __NR_readlinkat:
	case __NR_openat:
	case __NR_openat2:
	case __NR_execveat:
		path = 1;
		break;
	default:
		return 0;
	}
	if (!names_self_exe(a[path]))
		return 0;
	if (nr == __NR_readlink || nr == __NR_readlinkat) {
		*handled = 1;
		return readlink_exe(a[path + 1], a[path + 2]);
	}
	a[path] = (uint64_t)kbrt_cfg->exe;
	return 0;
}
