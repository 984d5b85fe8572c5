// SPDX-License-Identifier: GPL-2.0
/*
 * libkbridge on the host, no module: the tiered layer embedded in a
 * process through core/kbridge.h. Built twice from this file,
 * linked with libkbridge.a (libkbridge) and with libkbridge.so
 * (libkbridge_shared). Checks that what a tier decides is what the
 * caller of kb_handle_syscall() gets (errnos, fake values, passes that
 * really run), path and register conditions, the configured default,
 * the host's services (kb_ops) being used and their errors passed on,
 * personality modules registered and unregistered with kb_init_dynamic()
 * (explicit rules first), bad configurations and modules refused, and
 * exact counts across threads and a fork.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kbridge_test.h"
#include "kbridge.h"

/* TEST() expands to a wrapper with an unused parameter (-Wextra). */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#define H(nr, ...)	kb_handle_syscall(nr, __VA_ARGS__)
#define H0(nr)		kb_handle_syscall(nr, 0, 0, 0, 0, 0, 0)
#define P(p)		((__u64)(uintptr_t)(p))

static const char glob_proc[] = "/proc/self/*";

/*
 * getppid: stub EPERM; getuid: fake 4242; openat: partial, a path
 * matching glob_proc passes, O_WRONLY is faked as 99, anything else
 * EACCES; sysfs: stub with no errno (ENOSYS).
 */
static const struct kb_rule_desc rules[] = {
	{ .nr = SYS_getppid, .tier = KB_TIER_STUBBED,
	  .action = KB_ACTION_STUB, .value = EPERM },
	{ .nr = SYS_getuid, .tier = KB_TIER_STUBBED,
	  .action = KB_ACTION_FAKE, .value = 4242 },
	{ .nr = SYS_openat, .tier = KB_TIER_PARTIAL,
	  .action = KB_ACTION_STUB, .value = EACCES },
	{ .nr = SYS_openat, .tier = KB_TIER_PARTIAL, .match = KB_MATCH_PATH,
	  .action = KB_ACTION_PASS, .arg = 1,
	  .path_len = sizeof(glob_proc) - 1, .path = P(glob_proc) },
	{ .nr = SYS_openat, .tier = KB_TIER_PARTIAL,
	  .match = KB_MATCH_ANY_BIT, .arg = 2, .mask = O_WRONLY | O_RDWR,
	  .action = KB_ACTION_FAKE, .value = 99 },
	{ .nr = SYS_sysfs, .tier = KB_TIER_STUBBED,
	  .action = KB_ACTION_STUB },
};

static struct kb_config config(const struct kb_rule_desc *r, __u32 n,
			       __u32 stub)
{
	struct kb_config c = {
		.size = sizeof(c), .stub = stub,
		.threading = KB_THREADS_MULTI, .dynamic = 1,
		.rules = r, .nr_rules = n,
	};

	return c;
}

FIXTURE(layer) {
	int unused;
};

FIXTURE_SETUP(layer)
{
	struct kb_config c = config(rules, ARRAY_SIZE(rules), KB_STUB_PASS);

	ASSERT_EQ(0, kb_init_static(NULL, &c));
}

FIXTURE_TEARDOWN(layer)
{
	kb_exit();
}

TEST_F(layer, stub_errno_reaches_caller)
{
	EXPECT_EQ(-EPERM, H0(SYS_getppid));
	EXPECT_EQ(-ENOSYS, H(SYS_sysfs, 3, 0, 0, 0, 0, 0));
	EXPECT_EQ(2ULL, kb_syscall_count(SYS_getppid) +
		     kb_syscall_count(SYS_sysfs));
}

TEST_F(layer, fake_value_and_real_pass)
{
	EXPECT_EQ(4242, H0(SYS_getuid));
	/* Not named: tier 1, really run. */
	EXPECT_EQ(getpid(), H0(SYS_getpid));
	EXPECT_EQ(-EBADF, H(SYS_close, 100000, 0, 0, 0, 0, 0));
}

TEST_F(layer, partial_conditions)
{
	long fd;

	fd = H(SYS_openat, AT_FDCWD, P("/proc/self/status"), O_RDONLY, 0, 0,
	       0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, H(SYS_close, fd, 0, 0, 0, 0, 0));
	EXPECT_EQ(-EACCES, H(SYS_openat, AT_FDCWD, P("/etc/passwd"),
			     O_RDONLY, 0, 0, 0));
	EXPECT_EQ(99, H(SYS_openat, AT_FDCWD, P("/etc/passwd"), O_WRONLY, 0,
			0, 0));
	/* Unreadable path: no path condition matches, no crash. */
	EXPECT_EQ(-EACCES, H(SYS_openat, AT_FDCWD, 1, O_RDONLY, 0, 0, 0));
}

TEST_F(layer, path_across_pages)
{
	char *map = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const char *s = "/proc/self/status";
	size_t n = strlen(s) + 1;
	char *at;
	long fd;

	ASSERT_NE(MAP_FAILED, map);
	/* The string straddles the two pages. */
	at = map + 4096 - 5;
	memcpy(at, s, n);
	fd = H(SYS_openat, AT_FDCWD, P(at), O_RDONLY, 0, 0, 0);
	ASSERT_LE(0, fd);
	H(SYS_close, fd, 0, 0, 0, 0, 0);
	/* Second page gone: the string cannot be read, no condition holds. */
	ASSERT_EQ(0, munmap(map + 4096, 4096));
	EXPECT_EQ(-EACCES, H(SYS_openat, AT_FDCWD, P(at), O_RDONLY, 0, 0, 0));
	munmap(map, 4096);
}

TEST_F(layer, init_twice_refused)
{
	struct kb_config c = config(NULL, 0, KB_STUB_PASS);

	EXPECT_EQ(-EBUSY, kb_init_static(NULL, &c));
	/* The first layer is still there. */
	EXPECT_EQ(-EPERM, H0(SYS_getppid));
}

/* Many threads, then a child: every call counted, exactly. */
static void *spin(void *arg)
{
	long i;

	for (i = 0; i < 20000; i++)
		if (H0(SYS_getppid) != -EPERM)
			return (void *)1;
	return NULL;
}

TEST_F(layer, exact_counts_threads_and_fork)
{
	pthread_t t[8];
	void *ret;
	pid_t pid;
	int i, status;

	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, spin, NULL));
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &ret));
		EXPECT_EQ(NULL, ret);
	}
	EXPECT_EQ(160000ULL, kb_syscall_count(SYS_getppid));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(spin(NULL) ? 1 : 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	/* The child counted into the same (shared) counters. */
	EXPECT_EQ(180000ULL, kb_syscall_count(SYS_getppid));
}

TEST(default_stub_enosys)
{
	static const struct kb_rule_desc pass_ppid[] = {
		{ .nr = SYS_getppid, .tier = KB_TIER_FULL,
		  .action = KB_ACTION_PASS },
	};
	struct kb_config c = config(pass_ppid, 1, KB_STUB_ENOSYS);

	ASSERT_EQ(0, kb_init_static(NULL, &c));
	EXPECT_EQ(-ENOSYS, H0(SYS_getpid));
	EXPECT_EQ(getppid(), H0(SYS_getppid));
	kb_exit();
	c = config(NULL, 0, KB_STUB_FAKE);
	ASSERT_EQ(0, kb_init_static(NULL, &c));
	EXPECT_EQ(0, H0(SYS_getpid));
	kb_exit();
}

static void *host_alloc(size_t size, unsigned int flags);

TEST(bad_configurations)
{
	static const struct kb_rule_desc bad[] = {
		/* tier 3 cannot pass */
		{ .nr = SYS_getpid, .tier = KB_TIER_STUBBED,
		  .action = KB_ACTION_PASS },
	};
	static const struct kb_rule_desc bad_glob[] = {
		{ .nr = SYS_openat, .tier = KB_TIER_PARTIAL,
		  .action = KB_ACTION_PASS },
		{ .nr = SYS_openat, .tier = KB_TIER_PARTIAL,
		  .match = KB_MATCH_PATH, .action = KB_ACTION_STUB, .arg = 1,
		  .path_len = 4, .path = 1 },
	};
	struct kb_ops half = { .size = sizeof(half) };
	struct kb_config c = config(bad, 1, KB_STUB_PASS);

	EXPECT_EQ(-EINVAL, kb_init_static(NULL, &c));
	/* Nothing half set up: the layer refuses calls. */
	EXPECT_EQ(-ENODEV, H0(SYS_getpid));
	c = config(bad_glob, 2, KB_STUB_PASS);
	EXPECT_EQ(-EFAULT, kb_init_static(NULL, &c));
	EXPECT_EQ(-EINVAL, kb_init_static(NULL, NULL));
	c = config(NULL, 0, 7);
	EXPECT_EQ(-EINVAL, kb_init_static(NULL, &c));
	c = config(NULL, 0, KB_STUB_PASS);
	c.personality = "Not A Name";
	EXPECT_EQ(-EINVAL, kb_init_static(NULL, &c));
	/* An allocator without its free. */
	half.alloc = host_alloc;
	c = config(NULL, 0, KB_STUB_PASS);
	EXPECT_EQ(-EINVAL, kb_init_static(&half, &c));
	EXPECT_EQ(-ENODEV, H0(SYS_getpid));
}

/* ---- the host's services ---- */

static int host_syscalls, host_allocs;
static char host_out[64];

/* A host whose write goes to a buffer and fails past it with EIO. */
static long host_syscall(long nr, const __u64 *a)
{
	host_syscalls++;
	if (nr == SYS_write) {
		if (a[2] > sizeof(host_out) - 1)
			return -EIO;
		memcpy(host_out, (const void *)(uintptr_t)a[1], a[2]);
		return (long)a[2];
	}
	return -ENOSYS;
}

static void *host_alloc(size_t size, unsigned int flags)
{
	host_allocs++;
	return calloc(1, size);
}

static void host_free(void *p, size_t size, unsigned int flags)
{
	free(p);
}

TEST(host_ops_used_and_errors_passed_on)
{
	struct kb_ops ops = {
		.size = sizeof(ops), .syscall = host_syscall,
		.alloc = host_alloc, .free = host_free,
	};
	static const struct kb_rule_desc none[] = {
		{ .nr = SYS_getppid, .tier = KB_TIER_STUBBED,
		  .action = KB_ACTION_STUB, .value = EPERM },
	};
	struct kb_config c = config(none, 1, KB_STUB_PASS);
	char big[100] = { 0 };

	ASSERT_EQ(0, kb_init_static(&ops, &c));
	EXPECT_LT(0, host_allocs);
	EXPECT_EQ(5, H(SYS_write, 1, P("hello"), 5, 0, 0, 0));
	EXPECT_STREQ("hello", host_out);
	EXPECT_EQ(-EIO, H(SYS_write, 1, P(big), sizeof(big), 0, 0, 0));
	/* A stub never reaches the host. */
	EXPECT_EQ(-EPERM, H0(SYS_getppid));
	EXPECT_EQ(2, host_syscalls);
	kb_exit();
}

/* ---- personality modules ---- */

static int kbtest_uname(struct kb_call *call)
{
	struct utsname u;

	memset(&u, 0, sizeof(u));
	strcpy(u.sysname, "KBTEST");
	strcpy(u.release, "1.0");
	if (call->ops->copy_to_user(call->args[0], &u, sizeof(u))) {
		call->result = -EFAULT;
		return KB_ACTION_STUB;
	}
	call->result = 0;
	return KB_ACTION_FAKE;
}

static int kbtest_getpid(struct kb_call *call)
{
	call->result = -EPERM;
	return KB_ACTION_STUB;
}

/* getppid passes, with its arguments untouched. */
static int kbtest_getppid(struct kb_call *call)
{
	return KB_ACTION_PASS;
}

static const struct kb_handler kbtest_handlers[] = {
	{ .nr = SYS_uname, .tier = KB_TIER_PARTIAL, .handle = kbtest_uname },
	{ .nr = SYS_getpid, .tier = KB_TIER_STUBBED, .handle = kbtest_getpid },
	{ .nr = SYS_getppid, .tier = KB_TIER_FULL, .handle = kbtest_getppid },
};

static struct kb_module kbtest_module(const char *name)
{
	struct kb_module m = {
		.size = sizeof(m), .abi = KB_MODULE_ABI_VERSION, .name = name,
		.handlers = kbtest_handlers,
		.nr_handlers = ARRAY_SIZE(kbtest_handlers),
	};

	return m;
}

TEST(personality_then_fallback)
{
	static const struct kb_rule_desc explicit[] = {
		/* A fake wins over the personality: it never passes. */
		{ .nr = SYS_getppid, .tier = KB_TIER_STUBBED,
		  .action = KB_ACTION_FAKE, .value = 7 },
	};
	struct kb_config c = config(explicit, 1, KB_STUB_PASS);
	struct kb_module m = kbtest_module("kbtest");
	struct utsname u;

	c.personality = "kbtest";
	ASSERT_EQ(0, kb_init_static(NULL, &c));
	/* Named but not loaded yet: the syscalls run natively. */
	EXPECT_EQ(getpid(), H0(SYS_getpid));
	ASSERT_EQ(0, kb_init_dynamic(&m, NULL));
	EXPECT_EQ(0, H(SYS_uname, P(&u), 0, 0, 0, 0, 0));
	EXPECT_STREQ("KBTEST", u.sysname);
	EXPECT_EQ(-EFAULT, H(SYS_uname, 8, 0, 0, 0, 0, 0));
	EXPECT_EQ(-EPERM, H0(SYS_getpid));
	EXPECT_EQ(7, H0(SYS_getppid));
	kb_exit_dynamic(&m);
	EXPECT_EQ(NULL, m.kb);
	EXPECT_EQ(0, H(SYS_uname, P(&u), 0, 0, 0, 0, 0));
	EXPECT_STRNE("KBTEST", u.sysname);
	EXPECT_EQ(getpid(), H0(SYS_getpid));
	kb_exit();
}

TEST(dynamic_alone_runs_its_personality)
{
	struct kb_module m = kbtest_module("alone");
	struct utsname u;

	ASSERT_EQ(0, kb_init_dynamic(&m, NULL));
	EXPECT_EQ(0, H(SYS_uname, P(&u), 0, 0, 0, 0, 0));
	EXPECT_STREQ("KBTEST", u.sysname);
	EXPECT_EQ(getppid(), H0(SYS_getppid));
	kb_exit();
	EXPECT_EQ(-ENODEV, H0(SYS_getpid));
}

TEST(bad_modules_refused)
{
	static const struct kb_handler twice[] = {
		{ .nr = SYS_getpid, .tier = KB_TIER_FULL,
		  .handle = kbtest_getppid },
		{ .nr = SYS_getpid, .tier = KB_TIER_FULL,
		  .handle = kbtest_getppid },
	};
	struct kb_config c = config(NULL, 0, KB_STUB_PASS);
	struct kb_module m = kbtest_module("ok"), m2 = kbtest_module("ok");

	ASSERT_EQ(0, kb_init_static(NULL, &c));
	m.name = "Bad Name";
	EXPECT_EQ(-EINVAL, kb_init_dynamic(&m, NULL));
	m = kbtest_module("ok");
	m.abi = KB_MODULE_ABI_VERSION + 1;
	EXPECT_EQ(-EINVAL, kb_init_dynamic(&m, NULL));
	m = kbtest_module("ok");
	m.handlers = twice;
	m.nr_handlers = 2;
	EXPECT_EQ(-EINVAL, kb_init_dynamic(&m, NULL));
	m = kbtest_module("ok");
	ASSERT_EQ(0, kb_init_dynamic(&m, NULL));
	EXPECT_EQ(-EEXIST, kb_init_dynamic(&m2, NULL));
	kb_exit_dynamic(&m);
	EXPECT_EQ(0, kb_init_dynamic(&m2, NULL));
	kb_exit();
	/* A layer set up without dynamic loading refuses modules. */
	c.dynamic = 0;
	ASSERT_EQ(0, kb_init_static(NULL, &c));
	m = kbtest_module("ok");
	EXPECT_EQ(-EPERM, kb_init_dynamic(&m, NULL));
	kb_exit();
}

TEST_HARNESS_MAIN
