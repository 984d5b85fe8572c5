/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kbridge.ko kselftests: the harness include, the
 * open-or-SKIP fixture step, the module's live objects (debugfs), and the
 * ioctl wrappers (kbridge_ioctls.h).
 */
#ifndef KBRIDGE_TEST_H
#define KBRIDGE_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kbridge.h>

#include "kbridge_ioctls.h"

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
#ifndef offsetofend
/* The end of a struct's field: the size of the version that ends there. */
#define offsetofend(T, m)	(offsetof(T, m) + sizeof(((T *)0)->m))
#endif

#define OPEN_OR_SKIP(fd) do {						\
	(fd) = open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);		\
	if ((fd) < 0 && errno == ENOENT)				\
		SKIP(_exit(255), "%s absent: kbridge.ko not loaded",	\
		     KB_DEVICE_PATH);					\
	ASSERT_LE(0, (fd)) {						\
		TH_LOG("open %s: %s", KB_DEVICE_PATH, strerror(errno)); \
	}								\
} while (0)

/*
 * The factor for hang guards (KB_TIME_SCALE, 1 to 1000, default 1). A
 * guard is measured on the stock kernel under TCG; a kernel with the bug
 * detectors on runs syscalls tens of times slower (make check-debug).
 */
static inline unsigned int kb_time_scale(void)
{
	const char *e = getenv("KB_TIME_SCALE");
	long v = e ? atol(e) : 0;

	return v > 0 && v <= 1000 ? (unsigned int)v : 1;
}

/*
 * @pid, a child that called PTRACE_TRACEME and raised SIGSTOP: trace it
 * with @options (and PTRACE_O_EXITKILL) and let it run to its next stop,
 * which must be ptrace event @event. 0, or -1 if any step fails.
 */
static inline int kb_trace_to_event(pid_t pid, int options, int event)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
	    WSTOPSIG(status) != SIGSTOP)
		return -1;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, options | PTRACE_O_EXITKILL) ||
	    ptrace(PTRACE_CONT, pid, 0, 0) || waitpid(pid, &status, 0) != pid)
		return -1;
	return status >> 8 == (SIGTRAP | (event << 8)) ? 0 : -1;
}

#define KB_OBJECTS_PATH	"/sys/kernel/debug/kbridge/objects"

/* The value of @key ("members", "spares"...) in debugfs kbridge/objects, or -1. */
static inline long kb_objects(const char *key)
{
	char name[32];
	long v, ret = -1;
	FILE *f = fopen(KB_OBJECTS_PATH, "r");

	while (f && fscanf(f, "%31s %ld", name, &v) == 2)
		if (!strcmp(name, key))
			ret = v;
	if (f)
		fclose(f);
	return ret;
}

/*
 * Wait (up to 5 s: frees follow a grace period, exits the reaping) until
 * @key reads @want; its last value.
 */
static inline long kb_objects_wait(const char *key, long want)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	long v = -1;
	int i;

	for (i = 0; i < 500; i++) {
		v = kb_objects(key);
		if (v == want)
			break;
		nanosleep(&ts, NULL);
	}
	return v;
}

/*
 * In a test: SKIP when debugfs kbridge/objects has no spares, else wait
 * until no member and no spare is left (an earlier test's go after a
 * grace period) and fail if some stay.
 */
#define KB_NO_MEMBERS_OR_SKIP() do {					\
	if (kb_objects("spares") < 0)					\
		SKIP(return, "no spares in %s (debugfs not mounted?)",	\
		     KB_OBJECTS_PATH);					\
	ASSERT_EQ(0, kb_objects_wait("members", 0));			\
	ASSERT_EQ(0, kb_objects_wait("spares", 0));			\
} while (0)

#endif /* KBRIDGE_TEST_H */
