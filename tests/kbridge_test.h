/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kbridge.ko kselftests: the harness include, the
 * open-or-SKIP fixture step, and the ioctl wrappers (kbridge_ioctls.h).
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

#endif /* KBRIDGE_TEST_H */
