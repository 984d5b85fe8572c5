// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl: reaching a running program's session.
 *
 * A session belongs to an open /dev/kbridge file, and any holder of that
 * file may read and change its policy. kbctl gets its own reference to
 * the program's file with pidfd_getfd(2) instead of asking the module to
 * look sessions up by pid: the kernel then applies the ptrace-attach
 * check (same user, or CAP_SYS_PTRACE, and Yama), so kbctl can never do
 * more to a process than a debugger could, and the module needs no
 * permission logic of its own.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kbctl.h"
#include "../lib/ioctl.h"

static void not_permitted(pid_t pid)
{
	kbctl_err("not permitted to inspect PID %d (same user or CAP_SYS_PTRACE needed)",
		  (int)pid);
}

/* Both lists take the same argument: one loop fetches either. */
_Static_assert(sizeof(struct kb_task_list) == sizeof(struct kb_exec_rule_list) &&
	       offsetof(struct kb_task_list, tasks) ==
	       offsetof(struct kb_exec_rule_list, rules),
	       "KB_IOC_TASK_LIST and KB_IOC_EXEC_RULE_LIST differ");

void *kbctl_list(int fd, unsigned long cmd, uint32_t entry, uint32_t *n)
{
	struct kb_task_list l = { .size = sizeof(l), .info_size = entry };
	void *buf = NULL, *more;

	/* Entries come and go between the calls: ask again for more room. */
	while (ioctl(fd, cmd, &l)) {
		if (errno != ENOSPC) {
			free(buf);
			return NULL;
		}
		l.count += 16;
		more = realloc(buf, (size_t)l.count * entry);
		if (!more) {
			free(buf);
			errno = ENOMEM;
			return NULL;
		}
		buf = more;
		l.tasks = (uintptr_t)buf;
	}
	*n = l.count;
	/* An empty list needs no buffer; callers want one all the same. */
	return buf ? buf : calloc(1, entry);
}

int kbctl_open_module(void)
{
	int fd = open(KB_DEVICE_PATH, O_RDONLY | O_CLOEXEC);

	/* GET_VERSION needs no write access; root-only devices still say why. */
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		fd = open(KB_DEVICE_PATH, O_WRONLY | O_CLOEXEC);
	return fd;
}

int kbctl_open_device(void)
{
	int fd = kbctl_open_module();

	if (fd < 0)
		kbctl_err("%s: %s%s", KB_DEVICE_PATH, strerror(errno),
			  errno == ENOENT ? " (kbridge.ko is not loaded)" : "");
	return fd;
}

/* Does @fd (ours now) carry a session? */
static bool has_session(int fd)
{
	struct kb_session_stats st = { .size = sizeof(st) };

	return ioctl(fd, KB_IOC_SESSION_STATS, &st) == 0;
}

int kbctl_session_fd(pid_t pid)
{
	char dir[64], link[96];
	struct kb_task_info ti;
	struct stat dev, st;
	struct dirent *de;
	bool seen = false, denied = false;
	int pidfd, fd = -1, n;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT) {
			kbctl_err("PID %d: no such process", (int)pid);
		} else if (errno == EACCES || errno == EPERM) {
			not_permitted(pid);
		} else {
			kbctl_err("%s: %s", dir, strerror(errno));
		}
		return -1;
	}
	/* Without the module there is no device to compare with. */
	if (stat(KB_DEVICE_PATH, &dev) || !S_ISCHR(dev.st_mode)) {
		closedir(d);
		kbctl_err("PID %d is not running under kbridge (kbridge.ko is not loaded: no %s)",
			  (int)pid, KB_DEVICE_PATH);
		return -1;
	}
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		closedir(d);
		if (errno == ESRCH)
			kbctl_err("PID %d: no such process", (int)pid);
		else
			kbctl_err("pidfd_open(%d): %s", (int)pid, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		n = snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(link))
			continue;
		/* By device number: a chroot may name the device otherwise. */
		if (stat(link, &st)) {
			if (errno == EACCES || errno == EPERM)
				denied = true;
			continue;
		}
		if (!S_ISCHR(st.st_mode) || st.st_rdev != dev.st_rdev)
			continue;
		seen = true;
		fd = syscall(SYS_pidfd_getfd, pidfd, atoi(de->d_name), 0);
		if (fd < 0) {
			if (errno == EPERM || errno == EACCES) {
				denied = true;
				break;
			}
			/* Closed since readdir: look at the others. */
			continue;
		}
		/*
		 * The number may have been closed and reused since the
		 * stat(): only the file we took counts, and only it may see
		 * a kbridge ioctl.
		 */
		if (!fstat(fd, &st) && S_ISCHR(st.st_mode) &&
		    st.st_rdev == dev.st_rdev && has_session(fd))
			break;
		close(fd);
		fd = -1;
	}
	closedir(d);
	close(pidfd);
	/* pidfd_getfd() set close-on-exec on it. */
	if (fd >= 0)
		return fd;
	if (denied)
		not_permitted(pid);
	else if (kill(pid, 0) && errno == ESRCH)
		kbctl_err("PID %d: no such process", (int)pid);
	else if (kbctl_task_info(pid, &ti) && ti.rule)
		kbctl_err("PID %d runs under exec rule %llu (%s, session %llu), whose session no file holds: kbctl ps --rule %llu, kbctl stats --rule %llu",
			  (int)pid, (unsigned long long)ti.rule, ti.name,
			  (unsigned long long)ti.session,
			  (unsigned long long)ti.rule,
			  (unsigned long long)ti.rule);
	else
		kbctl_err("PID %d is not running under kbridge%s", (int)pid,
			  seen ? " (it has /dev/kbridge open, but no session)" : "");
	return -1;
}

int kbctl_open_session(pid_t pid, struct kb_version *v)
{
	int fd = kbctl_session_fd(pid);

	if (fd < 0)
		return -1;
	if (kb_get_version(fd, v)) {
		kbctl_err("PID %d: KB_IOC_GET_VERSION: %s", (int)pid,
			  strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int kbctl_fetch_rules(int fd, pid_t pid, const struct kb_version *v,
		      struct kb_rules *r)
{
	int err;

	if (!(v->features & KB_FEATURE_GET_RULES)) {
		kbctl_err("the loaded kbridge.ko cannot report rules (no KB_FEATURE_GET_RULES)");
		return -1;
	}
	err = kb_rules_fetch_fd(fd, r);
	if (err) {
		kbctl_err("PID %d: KB_IOC_GET_RULES: %s", (int)pid, strerror(-err));
		return -1;
	}
	return 0;
}
