// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge ioctl ABI: the argument checks every command shares and the
 * errnos uapi/linux/kbridge.h documents.
 *
 *  - FIXTURE(cmd) runs the same checks for each of the six commands
 *    (FIXTURE_VARIANT): size-1 is EINVAL, size+8 with a non-zero tail is
 *    E2BIG, size+8 with a zero tail succeeds, an unknown flag and a
 *    non-zero __reserved are EINVAL, a NULL, unmapped or kernel pointer is
 *    EFAULT, and the size bits of the command word are ignored.
 *  - FIXTURE(fd) covers the rest: GET_VERSION's answer, unknown commands,
 *    the session errnos (ENOENT, EPERM, EEXIST) and STATS' counts pointer.
 *
 * Each test runs in its own process (the harness forks), with its own fd:
 * a session and its members die with it. Needs /dev/kbridge (SKIP
 * otherwise) and root to open it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kbridge_test.h"

/* A kernel direct-map address: never accessible from user space. */
#define KERNEL_PTR	((void *)0xffff888000000000ULL)
#define TAIL		8

union kb_any {
	struct kb_version version;
	struct kb_session_create create;
	struct kb_session_join join;
	struct kb_syscall syscall;
	struct kb_session_stats stats;
	struct kb_set_rules set_rules;
	struct kb_get_rules get_rules;
	struct kb_set_fastpath set_fastpath;
	struct kb_set_personality set_personality;
	struct kb_set_scope set_scope;
};

/* The struct, then TAIL bytes the tests fill to look like a newer ABI. */
struct kb_arg {
	union kb_any u;
	unsigned char tail[TAIL];
};

/* What must be in place before a valid call of the command succeeds. */
enum kb_prep { PREP_NONE, PREP_SESSION, PREP_MEMBER };

FIXTURE(cmd) {
	int fd;
	struct kb_arg arg;
};

FIXTURE_VARIANT(cmd) {
	unsigned long cmd;
	unsigned int size;
	/* up to the last field of the struct's first version, 0: size */
	unsigned int min_size;
	/* offsetof the __u32 __reserved, 0 when the struct has none */
	unsigned int reserved;
	enum kb_prep prep;
};

FIXTURE_VARIANT_ADD(cmd, get_version) {
	.cmd = KB_IOC_GET_VERSION,
	.size = sizeof(struct kb_version),
	.min_size = KB_VERSION_SIZE_VER0,
	.reserved = offsetof(struct kb_version, __reserved),
	.prep = PREP_NONE,
};

FIXTURE_VARIANT_ADD(cmd, session_create) {
	.cmd = KB_IOC_SESSION_CREATE,
	.size = sizeof(struct kb_session_create),
	.min_size = KB_SESSION_CREATE_SIZE_VER0,
	.prep = PREP_NONE,
};

FIXTURE_VARIANT_ADD(cmd, session_join) {
	.cmd = KB_IOC_SESSION_JOIN,
	.size = sizeof(struct kb_session_join),
	.reserved = offsetof(struct kb_session_join, __reserved),
	.prep = PREP_SESSION,
};

FIXTURE_VARIANT_ADD(cmd, syscall) {
	.cmd = KB_IOC_SYSCALL,
	.size = sizeof(struct kb_syscall),
	.reserved = offsetof(struct kb_syscall, __reserved),
	.prep = PREP_MEMBER,
};

FIXTURE_VARIANT_ADD(cmd, session_stats) {
	.cmd = KB_IOC_SESSION_STATS,
	.size = sizeof(struct kb_session_stats),
	.min_size = KB_SESSION_STATS_SIZE_VER0,
	.reserved = offsetof(struct kb_session_stats, __reserved),
	.prep = PREP_SESSION,
};

/* count 0 is a valid no-op, so the all-zero argument succeeds. */
FIXTURE_VARIANT_ADD(cmd, set_rules) {
	.cmd = KB_IOC_SET_RULES,
	.size = sizeof(struct kb_set_rules),
	.prep = PREP_SESSION,
};

/* All zero is a size query. */
FIXTURE_VARIANT_ADD(cmd, get_rules) {
	.cmd = KB_IOC_GET_RULES,
	.size = sizeof(struct kb_get_rules),
	.reserved = offsetof(struct kb_get_rules, __reserved),
	.prep = PREP_SESSION,
};

/* All zero turns the fast path off, with no trap set. */
FIXTURE_VARIANT_ADD(cmd, set_fastpath) {
	.cmd = KB_IOC_SET_FASTPATH,
	.size = sizeof(struct kb_set_fastpath),
	/* The first version ended at @trap. */
	.min_size = offsetof(struct kb_set_fastpath, fd_floor),
	.reserved = offsetof(struct kb_set_fastpath, __reserved),
	.prep = PREP_SESSION,
};

/* All zero names no personality. */
FIXTURE_VARIANT_ADD(cmd, set_personality) {
	.cmd = KB_IOC_SET_PERSONALITY,
	.size = sizeof(struct kb_set_personality),
	.reserved = offsetof(struct kb_set_personality, __reserved),
	.prep = PREP_SESSION,
};

/* All zero puts the calling (test) process out of scope: harmless here. */
FIXTURE_VARIANT_ADD(cmd, set_scope) {
	.cmd = KB_IOC_SET_SCOPE,
	.size = sizeof(struct kb_set_scope),
	.reserved = offsetof(struct kb_set_scope, __reserved),
	.prep = PREP_MEMBER,
};

FIXTURE_SETUP(cmd)
{
	self->fd = -1;
	OPEN_OR_SKIP(self->fd);
	if (variant->prep >= PREP_SESSION)
		ASSERT_EQ(0, kb_create(self->fd, NULL));
	if (variant->prep >= PREP_MEMBER)
		ASSERT_EQ(1, kb_join(self->fd));
	/* All zero is a valid argument of every command, apart from size. */
	memset(&self->arg, 0, sizeof(self->arg));
	self->arg.u.version.size = variant->size;
	if (variant->cmd == KB_IOC_SYSCALL)
		self->arg.u.syscall.nr = SYS_getppid;
}

FIXTURE_TEARDOWN(cmd)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The argument as it is, for a baseline that must succeed. */
TEST_F(cmd, valid)
{
	ASSERT_EQ(0, ioctl(self->fd, variant->cmd, &self->arg));
	EXPECT_EQ(variant->size, self->arg.u.version.size);
}

/* Shorter than the first version of the struct. */
TEST_F(cmd, size_short)
{
	self->arg.u.version.size = (variant->min_size ?: variant->size) - 1;
	ASSERT_EQ(-1, ioctl(self->fd, variant->cmd, &self->arg));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(cmd, size_zero)
{
	self->arg.u.version.size = 0;
	ASSERT_EQ(-1, ioctl(self->fd, variant->cmd, &self->arg));
	EXPECT_EQ(EINVAL, errno);
}

/* A newer caller asking for a field this module does not have. */
TEST_F(cmd, size_long_garbage_tail)
{
	unsigned char *p = (unsigned char *)&self->arg;

	self->arg.u.version.size = variant->size + TAIL;
	p[variant->size + TAIL - 1] = 0x5a;
	ASSERT_EQ(-1, ioctl(self->fd, variant->cmd, &self->arg));
	EXPECT_EQ(E2BIG, errno);
}

/* A newer caller not using its new fields: accepted, tail untouched. */
TEST_F(cmd, size_long_zero_tail)
{
	unsigned char *p = (unsigned char *)&self->arg;
	unsigned int i;

	self->arg.u.version.size = variant->size + TAIL;
	ASSERT_EQ(0, ioctl(self->fd, variant->cmd, &self->arg)) {
		TH_LOG("ioctl: %s", strerror(errno));
	}
	for (i = 0; i < TAIL; i++)
		EXPECT_EQ(0, p[variant->size + i]);
}

/* A size far beyond any struct is refused, not scanned. */
TEST_F(cmd, size_huge)
{
	self->arg.u.version.size = 0xffffffffu;
	ASSERT_EQ(-1, ioctl(self->fd, variant->cmd, &self->arg));
	EXPECT_EQ(E2BIG, errno);
}

/* No command takes bits 3 and up (KB_SESSION_* are bits 0 to 2). */
TEST_F(cmd, unknown_flag)
{
	self->arg.u.version.flags = 1U << 3;
	ASSERT_EQ(-1, ioctl(self->fd, variant->cmd, &self->arg));
	EXPECT_EQ(EINVAL, errno);
	self->arg.u.version.flags = 0x80000000u;
	ASSERT_EQ(-1, ioctl(self->fd, variant->cmd, &self->arg));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(cmd, reserved_nonzero)
{
	uint32_t one = 1;

	if (!variant->reserved)
		SKIP(return, "this struct has no __reserved field");
	memcpy((char *)&self->arg + variant->reserved, &one, sizeof(one));
	ASSERT_EQ(-1, ioctl(self->fd, variant->cmd, &self->arg));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(cmd, null_pointer)
{
	ASSERT_EQ(-1, ioctl(self->fd, variant->cmd, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(cmd, unmapped_pointer)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, page));
	ASSERT_EQ(-1, ioctl(self->fd, variant->cmd, p));
	EXPECT_EQ(EFAULT, errno);
}

/* The struct starts in a readable page but runs into an unmapped one. */
TEST_F(cmd, pointer_straddles_unmapped_page)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *arg;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + page, page));
	arg = p + page - 8;
	memcpy(arg, &self->arg, 8);
	ASSERT_EQ(-1, ioctl(self->fd, variant->cmd, arg));
	EXPECT_EQ(EFAULT, errno);
	munmap(p, page);
}

TEST_F(cmd, kernel_pointer)
{
	ASSERT_EQ(-1, ioctl(self->fd, variant->cmd, KERNEL_PTR));
	EXPECT_EQ(EFAULT, errno);
}

/* Only type and number select the command; the size bits mean nothing. */
TEST_F(cmd, command_size_bits_ignored)
{
	unsigned long cmd = _IOC(_IOC_READ | _IOC_WRITE, KB_IOC_MAGIC,
				 _IOC_NR(variant->cmd), 8);

	ASSERT_EQ(0, ioctl(self->fd, cmd, &self->arg)) {
		TH_LOG("ioctl: %s", strerror(errno));
	}
}

FIXTURE(fd) {
	int fd;
};

FIXTURE_SETUP(fd)
{
	self->fd = -1;
	OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN(fd)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(fd, version)
{
	struct kb_version v = { .size = sizeof(v) };
	char sysfs[64] = "";
	FILE *f;

	memset(v.release, 0x5a, sizeof(v.release));
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_GET_VERSION, &v));
	EXPECT_EQ((__u32)KB_API_VERSION, v.api_version);
	EXPECT_EQ((__u32)KB_NR_SYSCALLS, v.nr_syscalls);
	EXPECT_EQ(KB_FEATURE_SESSIONS | KB_FEATURE_SYSCALL |
		  KB_FEATURE_FOLLOW_FORK | KB_FEATURE_STATS |
		  KB_FEATURE_RULES | KB_FEATURE_PARTIAL |
		  KB_FEATURE_GET_RULES | KB_FEATURE_FASTPATH |
		  KB_FEATURE_PERSONALITY | KB_FEATURE_SCOPE |
		  KB_FEATURE_TRAP_ARGS | KB_FEATURE_LOCK |
		  KB_FEATURE_EXEC_RULES | KB_FEATURE_TASK_LIST |
		  KB_FEATURE_URING_OPS | KB_FEATURE_SYSCALL_RUN |
		  KB_FEATURE_NO_RUNTIME, v.features);
	EXPECT_EQ(0u, v.status & ~(__u32)(KB_STATUS_FASTPATH |
					  KB_STATUS_HOOK_DIRECT |
					  KB_STATUS_HOOK_KPROBE |
					  KB_STATUS_SYSCALL_RUN));
	ASSERT_NE(NULL, memchr(v.release, 0, sizeof(v.release)));
	EXPECT_NE(0, v.release[0]);

	/* The release the ioctl reports is the module's MODULE_VERSION. */
	f = fopen("/sys/module/kbridge/version", "r");
	if (!f)
		SKIP(return, "no /sys/module/kbridge/version");
	ASSERT_NE(NULL, fgets(sysfs, sizeof(sysfs), f));
	fclose(f);
	sysfs[strcspn(sysfs, "\n")] = 0;
	EXPECT_STREQ(sysfs, v.release);
}

/* GET_VERSION needs no session, and works on a file that has one. */
TEST_F(fd, version_with_session)
{
	struct kb_version v = { .size = sizeof(v) };

	ASSERT_EQ(0, kb_create(self->fd, NULL));
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_GET_VERSION, &v));
	EXPECT_EQ((__u32)KB_API_VERSION, v.api_version);
}

TEST_F(fd, unknown_command_number)
{
	struct kb_arg arg = { .u.version.size = sizeof(struct kb_version) };

	/* The first number after the last command, and the last number. */
	ASSERT_EQ(-1, ioctl(self->fd, _IOWR(KB_IOC_MAGIC,
					    KB_CMD_TASK_LIST + 1,
					    struct kb_version), &arg));
	EXPECT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(self->fd, _IOWR(KB_IOC_MAGIC, 0xff,
					    struct kb_version), &arg));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(fd, other_magic)
{
	struct kb_arg arg = { .u.version.size = sizeof(struct kb_version) };

	ASSERT_EQ(-1, ioctl(self->fd, _IOWR(KB_IOC_MAGIC - 1,
					    KB_CMD_GET_VERSION,
					    struct kb_version), &arg));
	EXPECT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(self->fd, _IOWR(KB_IOC_MAGIC + 1,
					    KB_CMD_GET_VERSION,
					    struct kb_version), &arg));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(fd, syscall_without_session)
{
	struct kb_syscall sc = { .size = sizeof(sc), .nr = SYS_getppid };

	ASSERT_EQ(-1, ioctl(self->fd, KB_IOC_SYSCALL, &sc));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(fd, join_without_session)
{
	ASSERT_EQ(-1, kb_join(self->fd));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(fd, stats_without_session)
{
	struct kb_session_stats st = { .size = sizeof(st) };

	ASSERT_EQ(-1, ioctl(self->fd, KB_IOC_SESSION_STATS, &st));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(fd, syscall_not_member)
{
	struct kb_syscall sc = { .size = sizeof(sc), .nr = SYS_getppid };

	ASSERT_EQ(0, kb_create(self->fd, NULL));
	ASSERT_EQ(-1, ioctl(self->fd, KB_IOC_SYSCALL, &sc));
	EXPECT_EQ(EPERM, errno);
}

TEST_F(fd, create_twice)
{
	struct kb_session_create c1 = { .size = sizeof(c1) };
	struct kb_session_create c2 = { .size = sizeof(c2) };

	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_SESSION_CREATE, &c1));
	EXPECT_NE(0u, c1.session_id);
	ASSERT_EQ(-1, ioctl(self->fd, KB_IOC_SESSION_CREATE, &c2));
	EXPECT_EQ(EEXIST, errno);
}

TEST_F(fd, session_ids_differ)
{
	struct kb_session_create c1 = { .size = sizeof(c1) };
	struct kb_session_create c2 = { .size = sizeof(c2) };
	int fd2 = open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_SESSION_CREATE, &c1));
	ASSERT_EQ(0, ioctl(fd2, KB_IOC_SESSION_CREATE, &c2));
	EXPECT_NE(c1.session_id, c2.session_id);
	close(fd2);
}

TEST_F(fd, stats_bad_counts_pointer)
{
	struct kb_session_stats st = {
		.size = sizeof(st),
		.nr_counts = KB_NR_SYSCALLS,
		.counts = (uintptr_t)KERNEL_PTR,
	};

	ASSERT_EQ(0, kb_create(self->fd, NULL));
	ASSERT_EQ(-1, ioctl(self->fd, KB_IOC_SESSION_STATS, &st));
	EXPECT_EQ(EFAULT, errno);
	st.counts = 8;
	ASSERT_EQ(-1, ioctl(self->fd, KB_IOC_SESSION_STATS, &st));
	EXPECT_EQ(EFAULT, errno);
}

/* counts == 0 skips the array; nr_counts says how many the module has. */
TEST_F(fd, stats_no_counts)
{
	struct kb_session_stats st = { .size = sizeof(st), .nr_counts = 7 };

	ASSERT_EQ(0, kb_create(self->fd, NULL));
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_SESSION_STATS, &st));
	EXPECT_EQ((__u32)KB_NR_SYSCALLS, st.nr_counts);
	EXPECT_EQ(0u, st.total);
	EXPECT_EQ(0u, st.members);
	EXPECT_EQ(0u, st.joined);
}

/* A short array gets only its own entries, not one more. */
TEST_F(fd, stats_short_counts_array)
{
	uint64_t counts[4] = { 0, 0, 0, 0x1234 };
	struct kb_session_stats st = {
		.size = sizeof(st),
		.nr_counts = 3,
		.counts = (uintptr_t)counts,
	};
	struct kb_syscall sc = { .size = sizeof(sc), .nr = 1 };

	ASSERT_EQ(0, kb_create(self->fd, NULL));
	ASSERT_EQ(1, kb_join(self->fd));
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_SYSCALL, &sc));
	sc.nr = 3;
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_SYSCALL, &sc));
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_SESSION_STATS, &st));
	EXPECT_EQ((__u32)KB_NR_SYSCALLS, st.nr_counts);
	EXPECT_EQ(0u, counts[0]);
	EXPECT_EQ(1u, counts[1]);
	EXPECT_EQ(0u, counts[2]);
	EXPECT_EQ(0x1234u, counts[3]);
	EXPECT_EQ(2u, st.total);
}

TEST_HARNESS_MAIN
