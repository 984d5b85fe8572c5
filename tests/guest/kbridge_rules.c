// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge KB_IOC_SET_RULES and tier 3 on the ioctl path: a stub answers
 * its errno, a fake its value, pass goes back to EXECUTE; bad entries are
 * refused with nothing applied; a rule flipped while another thread sends
 * KB_IOC_SYSCALL frames is only ever seen as the old or the new rule.
 *
 * Each test runs in its own process with its own fd and session. Needs
 * /dev/kbridge (SKIP otherwise) and root to open it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kbridge_test.h"

/* KB_IOC_SET_RULES with one entry. */
static int kb_set_rule(int fd, unsigned int nr, unsigned int tier,
		       unsigned int action, int64_t value)
{
	struct kb_rule_desc d = {
		.nr = nr, .tier = tier, .action = action, .value = value,
	};

	return kb_rules_set(fd, &d, 1);
}

FIXTURE(rules) {
	int fd;
};

FIXTURE_SETUP(rules)
{
	self->fd = -1;
	OPEN_OR_SKIP(self->fd);
	ASSERT_EQ(0, kb_create(self->fd, NULL));
	ASSERT_EQ(1, kb_join(self->fd));
}

FIXTURE_TEARDOWN(rules)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(rules, feature_bit)
{
	struct kb_version v = { .size = sizeof(v) };

	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_GET_VERSION, &v));
	EXPECT_NE(0ULL, v.features & KB_FEATURE_RULES);
}

TEST_F(rules, default_is_pass)
{
	struct kb_syscall sc;

	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);
	EXPECT_EQ(KB_TIER_FULL, sc.tier);
	EXPECT_EQ(KB_ACTION_PASS, sc.action);
}

TEST_F(rules, stub_default_enosys)
{
	struct kb_syscall sc;

	ASSERT_EQ(0, kb_set_rule(self->fd, SYS_getppid, KB_TIER_STUBBED,
				 KB_ACTION_STUB, 0));
	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_RESULT, sc.verdict);
	EXPECT_EQ(-ENOSYS, sc.result);
	EXPECT_EQ(KB_TIER_STUBBED, sc.tier);
	EXPECT_EQ(KB_ACTION_STUB, sc.action);
	/* Only that number changed. */
	ASSERT_EQ(0, kb_call(self->fd, SYS_getpid, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);
}

TEST_F(rules, stub_eperm)
{
	struct kb_syscall sc;

	ASSERT_EQ(0, kb_set_rule(self->fd, SYS_getppid, KB_TIER_STUBBED,
				 KB_ACTION_STUB, EPERM));
	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_RESULT, sc.verdict);
	EXPECT_EQ(-EPERM, sc.result);
	EXPECT_EQ(KB_ACTION_STUB, sc.action);
}

/* The largest errno the kernel knows is accepted. */
TEST_F(rules, stub_max_errno)
{
	struct kb_syscall sc;

	ASSERT_EQ(0, kb_set_rule(self->fd, SYS_getppid, KB_TIER_STUBBED,
				 KB_ACTION_STUB, 4095));
	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, &sc));
	EXPECT_EQ(-4095, sc.result);
}

TEST_F(rules, fake_value)
{
	struct kb_syscall sc;

	ASSERT_EQ(0, kb_set_rule(self->fd, SYS_getppid, KB_TIER_STUBBED,
				 KB_ACTION_FAKE, 42));
	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_RESULT, sc.verdict);
	EXPECT_EQ(42, sc.result);
	EXPECT_EQ(KB_TIER_STUBBED, sc.tier);
	EXPECT_EQ(KB_ACTION_FAKE, sc.action);
}

TEST_F(rules, back_to_pass)
{
	struct kb_syscall sc;

	ASSERT_EQ(0, kb_set_rule(self->fd, SYS_getppid, KB_TIER_STUBBED,
				 KB_ACTION_STUB, 0));
	ASSERT_EQ(0, kb_set_rule(self->fd, SYS_getppid, KB_TIER_FULL,
				 KB_ACTION_PASS, 0));
	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);
	EXPECT_EQ(KB_TIER_FULL, sc.tier);
	EXPECT_EQ(KB_ACTION_PASS, sc.action);
}

/* A batch applies every entry; a number given twice takes the last one. */
TEST_F(rules, batch_last_wins)
{
	struct kb_rule_desc d[] = {
		{ .nr = SYS_getpid, .tier = KB_TIER_STUBBED, .action = KB_ACTION_STUB, .value = EACCES },
		{ .nr = SYS_getppid, .tier = KB_TIER_STUBBED, .action = KB_ACTION_STUB, .value = EPERM },
		{ .nr = SYS_getppid, .tier = KB_TIER_STUBBED, .action = KB_ACTION_FAKE, .value = 7 },
	};
	struct kb_syscall sc;

	ASSERT_EQ(0, kb_rules_set(self->fd, d, 3));
	ASSERT_EQ(0, kb_call(self->fd, SYS_getpid, &sc));
	EXPECT_EQ(-EACCES, sc.result);
	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, &sc));
	EXPECT_EQ(KB_ACTION_FAKE, sc.action);
	EXPECT_EQ(7, sc.result);
}

TEST_F(rules, batch_bad_entry_changes_nothing)
{
	struct kb_rule_desc d[] = {
		{ .nr = SYS_getppid, .tier = KB_TIER_STUBBED, .action = KB_ACTION_STUB, .value = EPERM },
		{ .nr = SYS_getpid, .tier = KB_TIER_STUBBED, .action = KB_ACTION_FAKE, .value = 1 },
		{ .nr = KB_NR_SYSCALLS, .tier = KB_TIER_STUBBED, .action = KB_ACTION_STUB, .value = 0 },
	};
	struct kb_syscall sc;

	ASSERT_EQ(-1, kb_rules_set(self->fd, d, 3));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);
	EXPECT_EQ(KB_ACTION_PASS, sc.action);
	ASSERT_EQ(0, kb_call(self->fd, SYS_getpid, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);
}

TEST_F(rules, count_zero_is_noop)
{
	struct kb_set_rules r = {
		.size = sizeof(r), .rule_size = 1, .rules = 1,
	};

	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_SET_RULES, &r));
}

TEST_F(rules, count_too_big)
{
	struct kb_rule_desc d = { .nr = SYS_getppid, .tier = KB_TIER_FULL, .action = KB_ACTION_PASS, .value = 0 };

	ASSERT_EQ(-1, kb_rules_set(self->fd, &d, KB_NR_SYSCALLS * 4 + 1));
	EXPECT_EQ(E2BIG, errno);
}

TEST_F(rules, bad_nr)
{
	ASSERT_EQ(-1, kb_set_rule(self->fd, KB_NR_SYSCALLS, KB_TIER_STUBBED,
				  KB_ACTION_STUB, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, kb_set_rule(self->fd, 0xffffffffu, KB_TIER_FULL,
				  KB_ACTION_PASS, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(rules, bad_tier)
{
	ASSERT_EQ(-1, kb_set_rule(self->fd, SYS_getppid, 0, KB_ACTION_PASS, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, kb_set_rule(self->fd, SYS_getppid, 4, KB_ACTION_STUB, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, kb_set_rule(self->fd, SYS_getppid, 0xffff,
				  KB_ACTION_STUB, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(rules, bad_action)
{
	/* Real actions in the wrong tier, and unknown actions. */
	ASSERT_EQ(-1, kb_set_rule(self->fd, SYS_getppid, KB_TIER_FULL,
				  KB_ACTION_STUB, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, kb_set_rule(self->fd, SYS_getppid, KB_TIER_STUBBED,
				  KB_ACTION_PASS, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, kb_set_rule(self->fd, SYS_getppid, KB_TIER_STUBBED, 3, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(rules, bad_errno)
{
	ASSERT_EQ(-1, kb_set_rule(self->fd, SYS_getppid, KB_TIER_STUBBED,
				  KB_ACTION_STUB, 0x1000));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, kb_set_rule(self->fd, SYS_getppid, KB_TIER_STUBBED,
				  KB_ACTION_STUB, -EPERM));
	EXPECT_EQ(EINVAL, errno);
}

/* A partial rule with no condition decides every call by its fallback. */
TEST_F(rules, partial_without_conditions)
{
	struct kb_syscall sc;

	ASSERT_EQ(0, kb_set_rule(self->fd, SYS_getppid, KB_TIER_PARTIAL,
				 KB_ACTION_FAKE, 5));
	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, &sc));
	EXPECT_EQ(KB_TIER_PARTIAL, sc.tier);
	EXPECT_EQ(KB_ACTION_FAKE, sc.action);
	EXPECT_EQ((unsigned int)KB_VERDICT_RESULT, sc.verdict);
	EXPECT_EQ(5, sc.result);
}

TEST_F(rules, rule_size_too_small)
{
	struct kb_rule_desc d = { .nr = SYS_getppid, .tier = KB_TIER_FULL, .action = KB_ACTION_PASS, .value = 0 };
	struct kb_set_rules r = {
		.size = sizeof(r), .count = 1,
		.rule_size = KB_RULE_DESC_SIZE_VER0 - 1,
		.rules = (uintptr_t)&d,
	};

	ASSERT_EQ(-1, ioctl(self->fd, KB_IOC_SET_RULES, &r));
	EXPECT_EQ(EINVAL, errno);
	r.rule_size = 0;
	ASSERT_EQ(-1, ioctl(self->fd, KB_IOC_SET_RULES, &r));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(rules, bad_rules_pointer)
{
	struct kb_set_rules r = {
		.size = sizeof(r), .count = 1,
		.rule_size = sizeof(struct kb_rule_desc), .rules = 0,
	};
	void *page;

	ASSERT_EQ(-1, ioctl(self->fd, KB_IOC_SET_RULES, &r));
	EXPECT_EQ(EFAULT, errno);

	/* The first entry readable, the second on an unmapped page. */
	page = mmap(NULL, 2 * getpagesize(), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, munmap((char *)page + getpagesize(), getpagesize()));
	r.rules = (uintptr_t)page + getpagesize() - r.rule_size;
	memset((char *)page + getpagesize() - r.rule_size, 0, r.rule_size);
	((struct kb_rule_desc *)(uintptr_t)r.rules)->nr = SYS_getppid;
	((struct kb_rule_desc *)(uintptr_t)r.rules)->tier = KB_TIER_STUBBED;
	((struct kb_rule_desc *)(uintptr_t)r.rules)->action = KB_ACTION_FAKE;
	r.count = 2;
	ASSERT_EQ(-1, ioctl(self->fd, KB_IOC_SET_RULES, &r));
	EXPECT_EQ(EFAULT, errno);
	munmap(page, getpagesize());
}

/* Entries of a newer ABI: accepted with a zero tail, E2BIG otherwise. */
TEST_F(rules, rule_size_larger)
{
	struct big_desc {
		struct kb_rule_desc d;
		uint64_t tail;
	} b[2] = {
		{ { .nr = SYS_getpid, .tier = KB_TIER_STUBBED, .action = KB_ACTION_FAKE, .value = 5 }, 0 },
		{ { .nr = SYS_getppid, .tier = KB_TIER_STUBBED, .action = KB_ACTION_FAKE, .value = 9 }, 0 },
	};
	struct kb_set_rules r = {
		.size = sizeof(r), .count = 2,
		.rule_size = sizeof(b[0]), .rules = (uintptr_t)b,
	};
	struct kb_syscall sc;

	b[1].tail = 1;
	ASSERT_EQ(-1, ioctl(self->fd, KB_IOC_SET_RULES, &r));
	EXPECT_EQ(E2BIG, errno);
	ASSERT_EQ(0, kb_call(self->fd, SYS_getpid, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);

	b[1].tail = 0;
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_SET_RULES, &r));
	ASSERT_EQ(0, kb_call(self->fd, SYS_getpid, &sc));
	EXPECT_EQ(5, sc.result);
	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, &sc));
	EXPECT_EQ(9, sc.result);
}

struct flip_reader {
	int fd;
	atomic_bool stop;
	atomic_ulong calls, stubbed, passed, bad;
};

static void *flip_reader_run(void *arg)
{
	struct flip_reader *r = arg;
	struct kb_syscall sc;

	while (!atomic_load(&r->stop)) {
		atomic_fetch_add(&r->calls, 1);
		if (kb_call(r->fd, SYS_getppid, &sc))
			atomic_fetch_add(&r->bad, 1);
		else if (sc.verdict == KB_VERDICT_RESULT &&
			 sc.tier == KB_TIER_STUBBED &&
			 sc.action == KB_ACTION_STUB && sc.result == -ENOSYS)
			atomic_fetch_add(&r->stubbed, 1);
		else if (sc.verdict == KB_VERDICT_EXECUTE &&
			 sc.tier == KB_TIER_FULL &&
			 sc.action == KB_ACTION_PASS && sc.result == 0)
			atomic_fetch_add(&r->passed, 1);
		else
			atomic_fetch_add(&r->bad, 1);
	}
	return NULL;
}

/* A thread created after the join is a member and sees each rule whole. */
TEST_F(rules, live_update)
{
	struct flip_reader r = { .fd = self->fd };
	pthread_t t;
	int i;

	ASSERT_EQ(0, pthread_create(&t, NULL, flip_reader_run, &r));
	for (i = 0; i < 1000; i++) {
		bool stub = !(i % 2);

		ASSERT_EQ(0, kb_set_rule(self->fd, SYS_getppid,
					 stub ? KB_TIER_STUBBED : KB_TIER_FULL,
					 stub ? KB_ACTION_STUB : KB_ACTION_PASS,
					 0));
		/* Let the reader see this rule at least sometimes. */
		if (!(i % 100))
			usleep(1000);
	}
	atomic_store(&r.stop, true);
	ASSERT_EQ(0, pthread_join(t, NULL));
	TH_LOG("%lu calls: %lu stubbed, %lu passed", atomic_load(&r.calls),
	       atomic_load(&r.stubbed), atomic_load(&r.passed));
	EXPECT_EQ(0UL, atomic_load(&r.bad));
	EXPECT_LT(0UL, atomic_load(&r.calls));
	EXPECT_EQ(atomic_load(&r.calls),
		  atomic_load(&r.stubbed) + atomic_load(&r.passed));
}

/* Rules need a session, but not membership: the fd is enough. */
FIXTURE(nomember) {
	int fd;
};

FIXTURE_SETUP(nomember)
{
	self->fd = -1;
	OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN(nomember)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(nomember, without_session)
{
	ASSERT_EQ(-1, kb_set_rule(self->fd, SYS_getppid, KB_TIER_STUBBED,
				  KB_ACTION_STUB, 0));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(nomember, set_before_join)
{
	struct kb_syscall sc;

	ASSERT_EQ(0, kb_create(self->fd, NULL));
	ASSERT_EQ(0, kb_set_rule(self->fd, SYS_getppid, KB_TIER_STUBBED,
				 KB_ACTION_FAKE, -1));
	/* Not a member yet: the syscall path still refuses. */
	ASSERT_EQ(-1, kb_call(self->fd, SYS_getppid, &sc));
	EXPECT_EQ(EPERM, errno);
	ASSERT_EQ(1, kb_join(self->fd));
	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_RESULT, sc.verdict);
	EXPECT_EQ(-1, sc.result);
}

TEST_HARNESS_MAIN
