/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kbridge.ko kselftests: the harness include, the
 * open-or-SKIP fixture step and one wrapper per ioctl.
 */
#ifndef KBRIDGE_TEST_H
#define KBRIDGE_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kbridge.h>

/* kselftest_harness.h itself has an unused parameter (-Wextra). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

/*
 * Open /dev/kbridge, or SKIP the test when the module is not loaded. In a
 * fixture setup, a SKIP does not stop the harness (6.1) from running the
 * test body: end the test process with the harness's SKIP status instead.
 */
#define OPEN_OR_SKIP(fd) do {						\
	(fd) = open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);		\
	if ((fd) < 0 && errno == ENOENT)				\
		SKIP(_exit(255), "%s absent: kbridge.ko not loaded",	\
		     KB_DEVICE_PATH);					\
	ASSERT_LE(0, (fd)) {						\
		TH_LOG("open %s: %s", KB_DEVICE_PATH, strerror(errno)); \
	}								\
} while (0)

/* KB_IOC_SESSION_CREATE; stores the id when @id is not NULL. */
static inline int kb_create(int fd, uint64_t *id)
{
	struct kb_session_create c = { .size = sizeof(c) };
	int ret = ioctl(fd, KB_IOC_SESSION_CREATE, &c);

	if (!ret && id)
		*id = c.session_id;
	return ret;
}

/* KB_IOC_SESSION_JOIN; the members count the module reports, or -1. */
static inline int kb_join(int fd)
{
	struct kb_session_join j = { .size = sizeof(j) };

	if (ioctl(fd, KB_IOC_SESSION_JOIN, &j))
		return -1;
	return j.members;
}

/* KB_IOC_SYSCALL for @nr with zero arguments; the frame into @out. */
static inline int kb_call(int fd, unsigned int nr, struct kb_syscall *out)
{
	struct kb_syscall sc = { .size = sizeof(sc), .nr = nr };
	int ret;

	ret = ioctl(fd, KB_IOC_SYSCALL, &sc);
	if (out)
		*out = sc;
	return ret;
}

/* KB_IOC_SESSION_STATS, with every per-nr counter when @counts is set. */
static inline int kb_stats(int fd, struct kb_session_stats *st,
			   uint64_t *counts)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	if (counts) {
		st->counts = (uintptr_t)counts;
		st->nr_counts = KB_NR_SYSCALLS;
	}
	return ioctl(fd, KB_IOC_SESSION_STATS, st);
}

#endif /* KBRIDGE_TEST_H */
