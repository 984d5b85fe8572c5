// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge tier 2 (partial rules) on the KB_IOC_SYSCALL path, and
 * KB_IOC_GET_RULES: each KB_MATCH_* kind decides the calls it should and
 * only those, the first matching condition wins, the rule's own action
 * takes the rest; bad entries are refused with nothing applied; a
 * KB_MATCH_NONE entry replaces a syscall's whole rule; GET_RULES returns
 * what was set with exact per-entry hit counts; a rule swapped while
 * other threads send frames is only ever seen whole.
 *
 * Expectations the header leaves open, fixed here (see the report):
 *  - every decision of a partial rule, fallback included, reports
 *    KB_TIER_PARTIAL;
 *  - a KB_MATCH_PATH condition whose string cannot be read (bad pointer,
 *    no NUL before an unmapped page, longer than PATH_MAX) does not match,
 *    and KB_IOC_SYSCALL still succeeds;
 *  - rules come back from GET_RULES ordered by syscall number (the tests
 *    set them in that order, so set order and number order agree).
 *
 * Each test runs in its own process with its own fd and session. Needs
 * /dev/kbridge (SKIP otherwise) and root to open it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "kbridge_test.h"

#define MAX_RULES	64
#define MAX_STRINGS	(2 * (KB_PATH_MAX + 1) + 4096)

/* What one KB_IOC_SYSCALL frame came back with. */
struct decision {
	int ret;
	int err;
	struct kb_syscall sc;
};

static struct decision decide(int fd, unsigned int nr, uint64_t a0,
			      uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t args[6] = { a0, a1, a2, a3, 0x5555, 0x6666 };
	struct decision d;

	d.ret = kb_call_args(fd, nr, args, &d.sc);
	d.err = errno;
	return d;
}

/*
 * Check a decision: @action with, for a stub, the errno it must fail
 * with (the frame carries -errno), for a fake the value; a pass must
 * hand back the arguments unchanged.
 */
#define EXPECT_DECIDED(d, t, a, v) do {					\
	const struct decision d_ = (d);				\
	ASSERT_EQ(0, d_.ret) {						\
		TH_LOG("KB_IOC_SYSCALL: %s", strerror(d_.err));	\
	}								\
	EXPECT_EQ((t), d_.sc.tier);					\
	EXPECT_EQ((a), d_.sc.action);					\
	if ((a) == KB_ACTION_PASS) {					\
		EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, d_.sc.verdict);	\
		EXPECT_EQ(0x5555ULL, d_.sc.args[4]);			\
		EXPECT_EQ(0x6666ULL, d_.sc.args[5]);			\
	} else {							\
		EXPECT_EQ((__u32)KB_VERDICT_RESULT, d_.sc.verdict);	\
		EXPECT_EQ((a) == KB_ACTION_STUB ? -(int64_t)(v) :	\
			  (int64_t)(v), d_.sc.result);			\
	}								\
} while (0)

#define EXPECT_PARTIAL(d, a, v)	EXPECT_DECIDED(d, KB_TIER_PARTIAL, a, v)

/* One whole GET_RULES answer, @path made relative to @strings. */
struct snap {
	unsigned int count;
	unsigned int strings_size;
	struct kb_rule_desc rules[MAX_RULES];
	uint64_t hits[MAX_RULES];
	char strings[MAX_STRINGS];
};

static int snapshot(int fd, struct snap *s)
{
	unsigned int i;
	int ret;

	memset(s, 0, sizeof(*s));
	s->count = MAX_RULES;
	s->strings_size = sizeof(s->strings);
	ret = kb_rules_get(fd, s->rules, s->hits, &s->count, s->strings,
			   &s->strings_size);
	if (ret)
		return ret;
	for (i = 0; i < s->count && i < MAX_RULES; i++)
		if (s->rules[i].path)
			s->rules[i].path -= (uintptr_t)s->strings;
	return 0;
}

static bool snap_equal(const struct snap *a, const struct snap *b)
{
	return a->count == b->count && a->strings_size == b->strings_size &&
	       !memcmp(a->rules, b->rules, a->count * sizeof(a->rules[0])) &&
	       !memcmp(a->hits, b->hits, a->count * sizeof(a->hits[0])) &&
	       !memcmp(a->strings, b->strings, a->strings_size);
}

static bool all_bytes(const void *p, size_t n, unsigned char c)
{
	const unsigned char *b = p;

	while (n--)
		if (*b++ != c)
			return false;
	return true;
}

/* A page that is mapped, followed by one that is not. */
static char *page_before_hole(void)
{
	long pg = getpagesize();
	char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (munmap(p + pg, pg))
		return NULL;
	return p;
}

FIXTURE(partial) {
	int fd;
};

FIXTURE_SETUP(partial)
{
	self->fd = -1;
	OPEN_OR_SKIP(self->fd);
	ASSERT_EQ(0, kb_create(self->fd, NULL));
	ASSERT_EQ(1, kb_join(self->fd));
}

FIXTURE_TEARDOWN(partial)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(partial, feature_bits)
{
	struct kb_version v;

	ASSERT_EQ(0, kb_version(self->fd, &v));
	EXPECT_NE(0ULL, v.features & KB_FEATURE_PARTIAL);
	EXPECT_NE(0ULL, v.features & KB_FEATURE_GET_RULES);
}

/*
 * ioctl(2) decided by its command (argument 1): pass, stub and fake per
 * command, the rule's stub for the others; only the int's 32 bits count.
 */
TEST_F(partial, eq_ioctl_cmd)
{
	struct kb_rule_desc d[] = {
		kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_STUB, ENOTTY),
		kb_cond_eq(SYS_ioctl, 1, 0xffffffff, TCGETS, KB_ACTION_PASS, 0),
		kb_cond_eq(SYS_ioctl, 1, 0xffffffff, TIOCGWINSZ,
			   KB_ACTION_FAKE, 0),
		kb_cond_eq(SYS_ioctl, 1, 0xffffffff, FIONREAD,
			   KB_ACTION_STUB, EPERM),
	};
	const uint64_t hi = 0xdeadbeef00000000ULL;
	int fd = self->fd;

	ASSERT_EQ(0, kb_rules_set(fd, d, 4));
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, TCGETS, 0, 0),
		       KB_ACTION_PASS, 0);
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, TIOCGWINSZ, 0, 0),
		       KB_ACTION_FAKE, 0);
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, FIONREAD, 0, 0),
		       KB_ACTION_STUB, EPERM);
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 0x1234, 0, 0),
		       KB_ACTION_STUB, ENOTTY);
	/* The register's upper half is outside the mask. */
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, hi | TCGETS, 0, 0),
		       KB_ACTION_PASS, 0);
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, hi | FIONREAD, 0, 0),
		       KB_ACTION_STUB, EPERM);
	/* The condition reads argument 1, not another one. */
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, TCGETS, 0, TCGETS, TCGETS),
		       KB_ACTION_STUB, ENOTTY);
	/* A pass hands the arguments back as they came. */
	{
		struct decision r = decide(fd, SYS_ioctl, 7, hi | TCGETS, 9, 0);

		EXPECT_EQ(7ULL, r.sc.args[0]);
		EXPECT_EQ(hi | TCGETS, r.sc.args[1]);
		EXPECT_EQ(9ULL, r.sc.args[2]);
	}
	/* Other syscalls keep the initial pass. */
	EXPECT_DECIDED(decide(fd, SYS_getppid, 0, 0, 0, 0), KB_TIER_FULL,
		       KB_ACTION_PASS, 0);
}

/* The mask picks the bits compared, the full 64 bits when asked. */
TEST_F(partial, eq_mask)
{
	struct kb_rule_desc d[] = {
		kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		kb_cond_eq(SYS_ioctl, 1, 0xff00, 0x5400, KB_ACTION_FAKE, 1),
		kb_cond_eq(SYS_prctl, 0, 0xffffffff, 0, KB_ACTION_FAKE, 0),
	};
	struct kb_rule_desc w[] = {
		kb_rule(SYS_prctl, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		kb_cond_eq(SYS_prctl, 2, ~0ULL, 0x8000000000000001ULL,
			   KB_ACTION_FAKE, 2),
	};
	int fd = self->fd;

	/* A condition of prctl cannot follow ioctl's rule. */
	ASSERT_EQ(-1, kb_rules_set(fd, d, 3));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, kb_rules_set(fd, d, 2));
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 0x5401, 0, 0),
		       KB_ACTION_FAKE, 1);
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 0x54ff, 0, 0),
		       KB_ACTION_FAKE, 1);
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 0x5501, 0, 0),
		       KB_ACTION_PASS, 0);

	ASSERT_EQ(0, kb_rules_set(fd, w, 2));
	EXPECT_PARTIAL(decide(fd, SYS_prctl, 0, 0, 0x8000000000000001ULL, 0),
		       KB_ACTION_FAKE, 2);
	EXPECT_PARTIAL(decide(fd, SYS_prctl, 0, 0, 0x0000000000000001ULL, 0),
		       KB_ACTION_PASS, 0);
	EXPECT_PARTIAL(decide(fd, SYS_prctl, 0, 0, 0x8000000100000001ULL, 0),
		       KB_ACTION_PASS, 0);
}

/* mmap(2) refused for anonymous mappings: any of the mask's bits set. */
TEST_F(partial, any_bit_mmap_flags)
{
	struct kb_rule_desc d[] = {
		kb_rule(SYS_mmap, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		kb_cond_any(SYS_mmap, 3, MAP_ANONYMOUS | MAP_HUGETLB,
			    KB_ACTION_STUB, ENOMEM),
	};
	int fd = self->fd;

	ASSERT_EQ(0, kb_rules_set(fd, d, 2));
	EXPECT_PARTIAL(decide(fd, SYS_mmap, 0, 4096, PROT_READ,
			      MAP_PRIVATE | MAP_ANONYMOUS),
		       KB_ACTION_STUB, ENOMEM);
	EXPECT_PARTIAL(decide(fd, SYS_mmap, 0, 4096, PROT_READ,
			      MAP_SHARED | MAP_HUGETLB),
		       KB_ACTION_STUB, ENOMEM);
	EXPECT_PARTIAL(decide(fd, SYS_mmap, 0, 4096, PROT_READ,
			      MAP_ANONYMOUS | MAP_HUGETLB),
		       KB_ACTION_STUB, ENOMEM);
	EXPECT_PARTIAL(decide(fd, SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE),
		       KB_ACTION_PASS, 0);
	EXPECT_PARTIAL(decide(fd, SYS_mmap, 0, 4096, PROT_READ, 0),
		       KB_ACTION_PASS, 0);
	/* A bit outside the mask, and the mask's bits in another argument. */
	EXPECT_PARTIAL(decide(fd, SYS_mmap, 0, 4096, PROT_READ,
			      MAP_PRIVATE | (1ULL << 40)),
		       KB_ACTION_PASS, 0);
	EXPECT_PARTIAL(decide(fd, SYS_mmap, MAP_ANONYMOUS, MAP_ANONYMOUS,
			      MAP_ANONYMOUS, MAP_PRIVATE),
		       KB_ACTION_PASS, 0);
}

/* A string of @len bytes: @prefix then 'a's, NUL-terminated. */
static char *long_path(const char *prefix, size_t len)
{
	char *s = malloc(len + 1);
	size_t n = strlen(prefix);

	if (!s)
		return NULL;
	memcpy(s, prefix, n);
	memset(s + n, 'a', len - n);
	s[len] = '\0';
	return s;
}

#define OPENAT(fd, path) \
	decide(fd, SYS_openat, (uint64_t)AT_FDCWD, (uintptr_t)(path), O_RDONLY, 0)

/* openat(2) decided by the path the program passed (argument 1). */
TEST_F(partial, path_globs)
{
	struct kb_rule_desc d[] = {
		kb_rule(SYS_openat, KB_TIER_PARTIAL, KB_ACTION_STUB, EACCES),
		kb_cond_path(SYS_openat, 1, "/proc/*", KB_ACTION_FAKE, 101),
		kb_cond_path(SYS_openat, 1, "/dev/random", KB_ACTION_FAKE, 102),
		kb_cond_path(SYS_openat, 1, "/tmp/kb?.txt", KB_ACTION_FAKE, 103),
		kb_cond_path(SYS_openat, 1, "/dev/tty[0-9]", KB_ACTION_FAKE, 104),
		kb_cond_path(SYS_openat, 1, "/etc/[!p]asswd", KB_ACTION_FAKE,
			     105),
		kb_cond_path(SYS_openat, 1, "/dev/null", KB_ACTION_PASS, 0),
	};
	static const struct {
		const char *path;
		int64_t fake;	/* 0: the rule's stub */
	} probes[] = {
		{ "/proc/cpuinfo", 101 },
		{ "/proc/", 101 },
		{ "/proc/self/status", 101 },	/* '*' crosses '/' */
		{ "/proc", 0 },
		{ "/procs/x", 0 },
		{ "proc/cpuinfo", 0 },
		{ "//proc/cpuinfo", 0 },	/* unresolved: no match */
		{ "/dev/random", 102 },
		{ "/dev/random2", 0 },
		{ "/dev/urandom", 0 },
		{ "/DEV/RANDOM", 0 },
		{ "/tmp/kb1.txt", 103 },
		{ "/tmp/kbx.txt", 103 },
		{ "/tmp/kb.txt", 0 },
		{ "/tmp/kb12.txt", 0 },
		{ "/tmp/kb1.txts", 0 },
		{ "/dev/tty0", 104 },
		{ "/dev/tty9", 104 },
		{ "/dev/ttyS", 0 },
		{ "/dev/tty", 0 },
		{ "/dev/tty10", 0 },
		{ "/etc/xasswd", 105 },
		{ "/etc/passwd", 0 },
		{ "", 0 },
	};
	int fd = self->fd;
	unsigned int i;

	ASSERT_EQ(0, kb_rules_set(fd, d, sizeof(d) / sizeof(d[0])));
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		struct decision r = OPENAT(fd, probes[i].path);
		int64_t want = probes[i].fake ? probes[i].fake : -EACCES;

		ASSERT_EQ(0, r.ret);
		EXPECT_EQ(KB_TIER_PARTIAL, r.sc.tier);
		EXPECT_EQ((__u32)KB_VERDICT_RESULT, r.sc.verdict);
		EXPECT_EQ(want, r.sc.result) {
			TH_LOG("path \"%s\"", probes[i].path);
		}
	}
	EXPECT_PARTIAL(OPENAT(fd, "/dev/null"), KB_ACTION_PASS, 0);
}

/*
 * Strings the module cannot read whole never match, and the frame is
 * still answered (the rule's action): a NULL or unmapped pointer, a
 * string running into an unmapped page, one longer than PATH_MAX.
 */
TEST_F(partial, path_unreadable)
{
	struct kb_rule_desc d[] = {
		kb_rule(SYS_openat, KB_TIER_PARTIAL, KB_ACTION_FAKE, 7),
		kb_cond_path(SYS_openat, 1, "/proc/*", KB_ACTION_FAKE, 101),
		kb_cond_path(SYS_openat, 1, "*", KB_ACTION_FAKE, 102),
	};
	long pg = getpagesize();
	char *page = page_before_hole();
	char *edge, *longest, *too_long;
	int fd = self->fd;

	ASSERT_NE(NULL, page);
	ASSERT_EQ(0, kb_rules_set(fd, d, 3));

	EXPECT_PARTIAL(OPENAT(fd, NULL), KB_ACTION_FAKE, 7);
	EXPECT_PARTIAL(OPENAT(fd, page + pg), KB_ACTION_FAKE, 7);
	EXPECT_PARTIAL(OPENAT(fd, (char *)-4096L), KB_ACTION_FAKE, 7);
	/* "/proc/abc" with its NUL missing: the page ends first. */
	edge = page + pg - 9;
	memcpy(edge, "/proc/abc", 9);
	EXPECT_PARTIAL(OPENAT(fd, edge), KB_ACTION_FAKE, 7);
	/* The same string, terminated on the last byte of the page. */
	edge = page + pg - 10;
	memcpy(edge, "/proc/abc", 10);
	EXPECT_PARTIAL(OPENAT(fd, edge), KB_ACTION_FAKE, 101);

	/* PATH_MAX counts the NUL, as in getname(). */
	longest = long_path("/proc/", PATH_MAX - 1);
	too_long = long_path("/proc/", 5000);
	ASSERT_NE(NULL, longest);
	ASSERT_NE(NULL, too_long);
	EXPECT_PARTIAL(OPENAT(fd, longest), KB_ACTION_FAKE, 101);
	EXPECT_PARTIAL(OPENAT(fd, too_long), KB_ACTION_FAKE, 7);
	free(longest);
	free(too_long);
	munmap(page, pg);
}

/* Register conditions before a path one decide first; order matters. */
TEST_F(partial, first_match_wins)
{
	struct kb_rule_desc a[] = {
		kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 0x10, KB_ACTION_FAKE, 1),
		kb_cond_any(SYS_ioctl, 1, 0x10, KB_ACTION_FAKE, 2),
	};
	struct kb_rule_desc b[] = {
		kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		kb_cond_any(SYS_ioctl, 1, 0x10, KB_ACTION_FAKE, 2),
		kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 0x10, KB_ACTION_FAKE, 1),
	};
	struct kb_rule_desc p[] = {
		kb_rule(SYS_openat, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		kb_cond_any(SYS_openat, 2, O_CREAT, KB_ACTION_STUB, EROFS),
		kb_cond_path(SYS_openat, 1, "/tmp/*", KB_ACTION_STUB, EACCES),
		kb_cond_eq(SYS_openat, 2, 0xffffffff, O_RDONLY,
			   KB_ACTION_FAKE, 3),
	};
	int fd = self->fd;

	ASSERT_EQ(0, kb_rules_set(fd, a, 3));
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 0x10, 0, 0), KB_ACTION_FAKE, 1);
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 0x11, 0, 0), KB_ACTION_FAKE, 2);
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 0x01, 0, 0), KB_ACTION_PASS, 0);
	ASSERT_EQ(0, kb_rules_set(fd, b, 3));
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 0x10, 0, 0), KB_ACTION_FAKE, 2);

	ASSERT_EQ(0, kb_rules_set(fd, p, 4));
	EXPECT_PARTIAL(decide(fd, SYS_openat, (uint64_t)AT_FDCWD,
			      (uintptr_t)"/tmp/x", O_CREAT | O_WRONLY, 0),
		       KB_ACTION_STUB, EROFS);
	EXPECT_PARTIAL(decide(fd, SYS_openat, (uint64_t)AT_FDCWD,
			      (uintptr_t)"/tmp/x", O_RDONLY, 0),
		       KB_ACTION_STUB, EACCES);
	EXPECT_PARTIAL(decide(fd, SYS_openat, (uint64_t)AT_FDCWD,
			      (uintptr_t)"/etc/x", O_RDONLY, 0),
		       KB_ACTION_FAKE, 3);
	EXPECT_PARTIAL(decide(fd, SYS_openat, (uint64_t)AT_FDCWD,
			      (uintptr_t)"/etc/x", O_WRONLY, 0),
		       KB_ACTION_PASS, 0);
}

/* The rule's own action for calls no condition takes, stub errno too. */
TEST_F(partial, fallback_actions)
{
	struct kb_rule_desc d[2] = {
		{ 0 },
		kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 1, KB_ACTION_FAKE, 9),
	};
	int fd = self->fd;

	d[0] = kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_STUB, 0);
	ASSERT_EQ(0, kb_rules_set(fd, d, 2));
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 2, 0, 0), KB_ACTION_STUB,
		       ENOSYS);
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 1, 0, 0), KB_ACTION_FAKE, 9);

	d[0] = kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_STUB, EIO);
	ASSERT_EQ(0, kb_rules_set(fd, d, 2));
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 2, 0, 0), KB_ACTION_STUB, EIO);

	d[0] = kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_STUB, 4095);
	ASSERT_EQ(0, kb_rules_set(fd, d, 2));
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 2, 0, 0), KB_ACTION_STUB, 4095);

	d[0] = kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_FAKE, -3);
	ASSERT_EQ(0, kb_rules_set(fd, d, 2));
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 2, 0, 0), KB_ACTION_FAKE, -3);

	d[0] = kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_PASS, 0);
	ASSERT_EQ(0, kb_rules_set(fd, d, 2));
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 2, 0, 0), KB_ACTION_PASS, 0);
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 1, 0, 0), KB_ACTION_FAKE, 9);

	/* A condition may stub with the default errno as well. */
	d[0] = kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_PASS, 0);
	d[1] = kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 1, KB_ACTION_STUB, 0);
	ASSERT_EQ(0, kb_rules_set(fd, d, 2));
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 1, 0, 0), KB_ACTION_STUB,
		       ENOSYS);
}

/* The policy every validation test starts from and must find unchanged. */
static const char base_glob[] = "/etc/*";

static int set_base(int fd)
{
	struct kb_rule_desc d[] = {
		kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_STUB, ENOTTY),
		kb_cond_eq(SYS_ioctl, 1, 0xffffffff, TCGETS, KB_ACTION_PASS, 0),
		kb_rule(SYS_getppid, KB_TIER_STUBBED, KB_ACTION_STUB, EPERM),
		kb_rule(SYS_openat, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		kb_cond_path(SYS_openat, 1, base_glob, KB_ACTION_STUB, EACCES),
	};

	return kb_rules_set(fd, d, sizeof(d) / sizeof(d[0]));
}

/*
 * One refused batch: a valid entry first (it would change the policy if
 * it were applied), then @bad; the policy must be the base one after.
 */
static int refused(struct __test_metadata *_metadata, int fd,
		   const struct snap *before, struct kb_rule_desc bad,
		   int want_errno, const char *what)
{
	static struct snap after;
	struct kb_rule_desc d[3] = {
		kb_rule(SYS_getppid, KB_TIER_STUBBED, KB_ACTION_FAKE, 1),
		kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		bad,
	};
	int ret = kb_rules_set(fd, d, 3);
	int err = errno;

	EXPECT_EQ(-1, ret) {
		TH_LOG("%s: accepted", what);
	}
	if (ret == -1)
		EXPECT_EQ(want_errno, err) {
			TH_LOG("%s: %s, expected %s", what, strerror(err),
			       strerror(want_errno));
		}
	EXPECT_EQ(0, snapshot(fd, &after));
	EXPECT_TRUE(snap_equal(before, &after)) {
		TH_LOG("%s: policy changed", what);
	}
	return 0;
}

TEST_F(partial, validation)
{
	static struct snap before, after;
	static char big[KB_PATH_MAX + 2];
	struct kb_rule_desc pair[2];
	long pg = getpagesize();
	char *page = page_before_hole();
	struct kb_rule_desc c;
	int fd = self->fd;

	ASSERT_NE(NULL, page);
	memset(big, 'x', sizeof(big) - 1);
	ASSERT_EQ(0, set_base(fd));
	ASSERT_EQ(0, snapshot(fd, &before));
	ASSERT_EQ(5u, before.count);

#define REFUSED(entry, e) refused(_metadata, fd, &before, (entry), (e), #entry)
	/*
	 * Conditions that follow no partial rule of their syscall: alone
	 * (ioctl's partial rule from an earlier call does not count), after
	 * another syscall's rule, after a rule of tier 3 or tier 1.
	 */
	pair[0] = kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 1, KB_ACTION_FAKE, 1);
	EXPECT_EQ(-1, kb_rules_set(fd, pair, 1));
	EXPECT_EQ(EINVAL, errno);
	REFUSED(kb_cond_eq(SYS_openat, 1, 0xffffffff, 1, KB_ACTION_FAKE, 1),
		EINVAL);
	pair[0] = kb_rule(SYS_ioctl, KB_TIER_STUBBED, KB_ACTION_STUB, 0);
	pair[1] = kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 1, KB_ACTION_FAKE, 1);
	EXPECT_EQ(-1, kb_rules_set(fd, pair, 2));
	EXPECT_EQ(EINVAL, errno);
	pair[0] = kb_rule(SYS_ioctl, KB_TIER_FULL, KB_ACTION_PASS, 0);
	EXPECT_EQ(-1, kb_rules_set(fd, pair, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, snapshot(fd, &after));
	EXPECT_TRUE(snap_equal(&before, &after));
	/* A condition with another tier than PARTIAL. */
	c = kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 1, KB_ACTION_PASS, 0);
	c.tier = KB_TIER_FULL;
	REFUSED(c, EINVAL);
	c = kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 1, KB_ACTION_STUB, 0);
	c.tier = KB_TIER_STUBBED;
	REFUSED(c, EINVAL);
	/* Bad argument index, match kind, action, value. */
	REFUSED(kb_cond_eq(SYS_ioctl, 6, 0xffffffff, 1, KB_ACTION_FAKE, 1),
		EINVAL);
	REFUSED(kb_cond_eq(SYS_ioctl, 0xffff, 0xffffffff, 1, KB_ACTION_FAKE, 1),
		EINVAL);
	c = kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 1, KB_ACTION_FAKE, 1);
	c.match = 4;
	REFUSED(c, EINVAL);
	c.match = 0xffff;
	REFUSED(c, EINVAL);
	REFUSED(kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 1, 3, 0), EINVAL);
	REFUSED(kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 1, KB_ACTION_STUB, 4096),
		EINVAL);
	REFUSED(kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 1, KB_ACTION_STUB, -1),
		EINVAL);
	REFUSED(kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 1, KB_ACTION_PASS, 5),
		EINVAL);
	/* Fields another kind of entry uses must be 0. */
	c = kb_cond_any(SYS_ioctl, 1, 0xff, KB_ACTION_FAKE, 1);
	c.operand = 1;
	REFUSED(c, EINVAL);
	c = kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 1, KB_ACTION_FAKE, 1);
	c.path_len = 3;
	REFUSED(c, EINVAL);
	c = kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 1, KB_ACTION_FAKE, 1);
	c.path = (uintptr_t)base_glob;
	REFUSED(c, EINVAL);
	c = kb_cond_path(SYS_ioctl, 1, "/x", KB_ACTION_FAKE, 1);
	c.mask = 0xffffffff;
	REFUSED(c, EINVAL);
	c = kb_cond_path(SYS_ioctl, 1, "/x", KB_ACTION_FAKE, 1);
	c.operand = 1;
	REFUSED(c, EINVAL);
	/* The glob: length 0, too long, a NUL inside, unreadable. */
	c = kb_cond_path(SYS_ioctl, 1, "/x", KB_ACTION_FAKE, 1);
	c.path_len = 0;
	REFUSED(c, EINVAL);
	c = kb_cond_path(SYS_ioctl, 1, big, KB_ACTION_FAKE, 1);
	ASSERT_EQ((__u32)KB_PATH_MAX + 1, c.path_len);
	REFUSED(c, EINVAL);
	c = kb_cond_path(SYS_ioctl, 1, "/x", KB_ACTION_FAKE, 1);
	c.path = (uintptr_t)"/x\0/y";
	c.path_len = 5;
	REFUSED(c, EINVAL);
	c = kb_cond_path(SYS_ioctl, 1, "/x", KB_ACTION_FAKE, 1);
	c.path = (uintptr_t)(page + pg);
	REFUSED(c, EFAULT);
	c.path = (uintptr_t)(page + pg - 1);
	page[pg - 1] = '/';
	REFUSED(c, EFAULT);
	c.path = 0;
	REFUSED(c, EFAULT);
	munmap(page, pg);
#undef REFUSED
}

/* A KB_MATCH_NONE entry's own fields that only conditions use. */
TEST_F(partial, validation_rule_fields)
{
	static struct snap before;
	struct kb_rule_desc d;
	int fd = self->fd;

	ASSERT_EQ(0, set_base(fd));
	ASSERT_EQ(0, snapshot(fd, &before));

	d = kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_PASS, 0);
	d.mask = 0xff;
	refused(_metadata, fd, &before, d, EINVAL, "NONE with a mask");
	d = kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_PASS, 0);
	d.path_len = 1;
	refused(_metadata, fd, &before, d, EINVAL, "NONE with a path_len");
	d = kb_rule(SYS_ioctl, KB_TIER_PARTIAL, 3, 0);
	refused(_metadata, fd, &before, d, EINVAL, "NONE with action 3");
	d = kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_STUB, 4096);
	refused(_metadata, fd, &before, d, EINVAL, "NONE with errno 4096");
	d = kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_PASS, 1);
	refused(_metadata, fd, &before, d, EINVAL, "NONE pass with a value");
}

/* The longest glob is accepted and read back whole; more is E2BIG. */
TEST_F(partial, glob_limits)
{
	static char glob[KB_PATH_MAX + 1];
	static struct snap s;
	struct kb_rule_desc *d;
	unsigned int i, n;
	int fd = self->fd;

	memset(glob, 'g', KB_PATH_MAX);
	glob[0] = '/';
	{
		struct kb_rule_desc one[] = {
			kb_rule(SYS_openat, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
			kb_cond_path(SYS_openat, 1, glob, KB_ACTION_FAKE, 1),
		};

		ASSERT_EQ((__u32)KB_PATH_MAX, one[1].path_len);
		ASSERT_EQ(0, kb_rules_set(fd, one, 2));
	}
	ASSERT_EQ(0, snapshot(fd, &s));
	ASSERT_EQ(2u, s.count);
	EXPECT_EQ((unsigned int)KB_PATH_MAX + 1, s.strings_size);
	EXPECT_EQ((__u32)KB_PATH_MAX, s.rules[1].path_len);
	EXPECT_EQ(0, memcmp(s.strings + s.rules[1].path, glob,
			    KB_PATH_MAX + 1));

	/* 65 globs of KB_PATH_MAX bytes: more than 256 KiB in all. */
	n = 1 + 65;
	d = calloc(n, sizeof(*d));
	ASSERT_NE(NULL, d);
	d[0] = kb_rule(SYS_openat, KB_TIER_PARTIAL, KB_ACTION_STUB, 0);
	for (i = 1; i < n; i++)
		d[i] = kb_cond_path(SYS_openat, 1, glob, KB_ACTION_FAKE, i);
	ASSERT_EQ(-1, kb_rules_set(fd, d, n));
	EXPECT_EQ(E2BIG, errno);
	/* 64 of them fit (262,080 bytes). */
	ASSERT_EQ(0, kb_rules_set(fd, d, n - 1));
	free(d);
}

/* Entries of the first version stop before @match: KB_MATCH_NONE. */
TEST_F(partial, old_rule_size)
{
	const size_t v1 = offsetof(struct kb_rule_desc, match);
	struct kb_rule_desc d[2] = {
		kb_rule(SYS_getppid, KB_TIER_STUBBED, KB_ACTION_FAKE, 3),
		kb_rule(SYS_getpid, KB_TIER_STUBBED, KB_ACTION_STUB, EIO),
	};
	char buf[2 * sizeof(d[0])];
	struct kb_set_rules r = {
		.size = sizeof(r), .count = 2, .rule_size = v1,
		.rules = (uintptr_t)buf,
	};
	static struct snap s;
	int fd = self->fd;
	unsigned int i;

	ASSERT_EQ(16u, v1);
	/* Packed at the old stride; what follows in memory is garbage. */
	memset(buf, 0xa5, sizeof(buf));
	memcpy(buf, &d[0], v1);
	memcpy(buf + v1, &d[1], v1);
	ASSERT_EQ(0, ioctl(fd, KB_IOC_SET_RULES, &r));
	EXPECT_DECIDED(decide(fd, SYS_getppid, 0, 0, 0, 0), KB_TIER_STUBBED,
		       KB_ACTION_FAKE, 3);
	EXPECT_DECIDED(decide(fd, SYS_getpid, 0, 0, 0, 0), KB_TIER_STUBBED,
		       KB_ACTION_STUB, EIO);
	ASSERT_EQ(0, snapshot(fd, &s));
	ASSERT_EQ(2u, s.count);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(KB_MATCH_NONE, s.rules[i].match);
		EXPECT_EQ(0u, s.rules[i].path_len);
		EXPECT_EQ(0ULL, s.rules[i].mask);
	}
}

/* A KB_MATCH_NONE entry replaces the whole rule, conditions included. */
TEST_F(partial, replace_whole_rule)
{
	struct kb_rule_desc stub = kb_rule(SYS_ioctl, KB_TIER_STUBBED,
					   KB_ACTION_STUB, EBADF);
	static struct snap s;
	int fd = self->fd;

	ASSERT_EQ(0, set_base(fd));
	ASSERT_EQ(0, kb_rules_set(fd, &stub, 1));
	EXPECT_DECIDED(decide(fd, SYS_ioctl, 0, TCGETS, 0, 0), KB_TIER_STUBBED,
		       KB_ACTION_STUB, EBADF);
	/* The other syscalls kept theirs. */
	EXPECT_DECIDED(decide(fd, SYS_getppid, 0, 0, 0, 0), KB_TIER_STUBBED,
		       KB_ACTION_STUB, EPERM);
	EXPECT_PARTIAL(OPENAT(fd, "/etc/passwd"), KB_ACTION_STUB, EACCES);
	ASSERT_EQ(0, snapshot(fd, &s));
	ASSERT_EQ(4u, s.count);
	EXPECT_EQ((__u32)SYS_ioctl, s.rules[0].nr);
	EXPECT_EQ(KB_TIER_STUBBED, s.rules[0].tier);
	EXPECT_EQ(KB_MATCH_NONE, s.rules[0].match);
	EXPECT_EQ((__u32)SYS_getppid, s.rules[1].nr);

	/*
	 * Back to tier 1 pass: whether GET_RULES still lists an explicit
	 * pass is open in the header; if it does, as one plain entry.
	 */
	stub = kb_rule(SYS_ioctl, KB_TIER_FULL, KB_ACTION_PASS, 0);
	ASSERT_EQ(0, kb_rules_set(fd, &stub, 1));
	ASSERT_EQ(0, snapshot(fd, &s));
	ASSERT_TRUE(s.count == 3 || s.count == 4) TH_LOG("%u", s.count);
	if (s.count == 4) {
		TH_LOG("an explicit tier 1 pass is listed");
		EXPECT_EQ(0, memcmp(&stub, &s.rules[0], sizeof(stub)));
	}
	EXPECT_EQ((__u32)SYS_getppid, s.rules[s.count - 3].nr);
	EXPECT_DECIDED(decide(fd, SYS_ioctl, 0, TCGETS, 0, 0), KB_TIER_FULL,
		       KB_ACTION_PASS, 0);
}

/* Several KB_MATCH_NONE entries for one number: the last and its own. */
TEST_F(partial, last_rule_wins)
{
	struct kb_rule_desc d[] = {
		kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 1, KB_ACTION_FAKE, 1),
		kb_rule(SYS_getpid, KB_TIER_STUBBED, KB_ACTION_FAKE, 4),
		kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_STUB, EIO),
		kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 2, KB_ACTION_FAKE, 2),
	};
	struct kb_rule_desc e[] = {
		kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 1, KB_ACTION_FAKE, 1),
		kb_rule(SYS_ioctl, KB_TIER_STUBBED, KB_ACTION_FAKE, 5),
	};
	static struct snap s;
	int fd = self->fd;

	ASSERT_EQ(0, kb_rules_set(fd, d, 5));
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 1, 0, 0), KB_ACTION_STUB, EIO);
	EXPECT_PARTIAL(decide(fd, SYS_ioctl, 0, 2, 0, 0), KB_ACTION_FAKE, 2);
	EXPECT_DECIDED(decide(fd, SYS_getpid, 0, 0, 0, 0), KB_TIER_STUBBED,
		       KB_ACTION_FAKE, 4);
	ASSERT_EQ(0, snapshot(fd, &s));
	ASSERT_EQ(3u, s.count);
	EXPECT_EQ((__u32)SYS_ioctl, s.rules[0].nr);
	EXPECT_EQ(2ULL, s.rules[1].operand);

	ASSERT_EQ(0, kb_rules_set(fd, e, 3));
	EXPECT_DECIDED(decide(fd, SYS_ioctl, 0, 1, 0, 0), KB_TIER_STUBBED,
		       KB_ACTION_FAKE, 5);
	ASSERT_EQ(0, snapshot(fd, &s));
	ASSERT_EQ(2u, s.count);
	EXPECT_EQ(KB_TIER_STUBBED, s.rules[0].tier);
	EXPECT_EQ((__u32)SYS_getpid, s.rules[1].nr);
}

/* Globs used by the GET_RULES tests; numbers in ascending order. */
static const char glob_a[] = "/proc/*/maps";
static const char glob_b[] = "/dev/tty[0-9]";

static unsigned int set_mixed(int fd, struct kb_rule_desc *d)
{
	unsigned int n = 0;

	d[n++] = kb_rule(SYS_mmap, KB_TIER_PARTIAL, KB_ACTION_PASS, 0);
	d[n++] = kb_cond_any(SYS_mmap, 3, MAP_HUGETLB, KB_ACTION_STUB, ENOMEM);
	d[n++] = kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_STUB, ENOTTY);
	d[n++] = kb_cond_eq(SYS_ioctl, 1, 0xffffffff, TCGETS, KB_ACTION_PASS, 0);
	d[n++] = kb_cond_eq(SYS_ioctl, 1, 0xff00, 0x5400, KB_ACTION_FAKE, -2);
	d[n++] = kb_rule(SYS_unlink, KB_TIER_STUBBED, KB_ACTION_STUB, EPERM);
	d[n++] = kb_rule(SYS_getppid, KB_TIER_STUBBED, KB_ACTION_FAKE, 77);
	d[n++] = kb_rule(SYS_openat, KB_TIER_PARTIAL, KB_ACTION_FAKE, 3);
	d[n++] = kb_cond_path(SYS_openat, 1, glob_a, KB_ACTION_STUB, EACCES);
	d[n++] = kb_cond_eq(SYS_openat, 2, O_ACCMODE, O_RDWR, KB_ACTION_PASS, 0);
	d[n++] = kb_cond_path(SYS_openat, 1, glob_b, KB_ACTION_FAKE, 4);
	return kb_rules_set(fd, d, n) ? 0 : n;
}

TEST_F(partial, get_rules_sizes)
{
	struct kb_rule_desc d[16], out[16];
	char strings[64];
	uint64_t hits[16];
	unsigned int n, count, ssize;
	int fd = self->fd;

	/* The initial policy has nothing to report. */
	count = 0;
	ssize = 0;
	ASSERT_EQ(0, kb_rules_get(fd, NULL, NULL, &count, NULL, &ssize));
	EXPECT_EQ(0u, count);
	EXPECT_EQ(0u, ssize);

	n = set_mixed(fd, d);
	ASSERT_EQ(11u, n);
	count = 0;
	ssize = 0;
	ASSERT_EQ(0, kb_rules_get(fd, NULL, NULL, &count, NULL, &ssize));
	EXPECT_EQ(n, count);
	EXPECT_EQ(sizeof(glob_a) + sizeof(glob_b), ssize);

	/* Too small for either: ENOSPC, sizes set, nothing written. */
	memset(out, 0xa5, sizeof(out));
	memset(hits, 0xa5, sizeof(hits));
	memset(strings, 0xa5, sizeof(strings));
	count = n - 1;
	ssize = sizeof(strings);
	ASSERT_EQ(-1, kb_rules_get(fd, out, hits, &count, strings, &ssize));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(n, count);
	EXPECT_EQ(sizeof(glob_a) + sizeof(glob_b), ssize);
	count = n;
	ssize = sizeof(glob_a) + sizeof(glob_b) - 1;
	ASSERT_EQ(-1, kb_rules_get(fd, out, hits, &count, strings, &ssize));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(n, count);
	EXPECT_EQ(sizeof(glob_a) + sizeof(glob_b), ssize);
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0xa5));
	EXPECT_TRUE(all_bytes(hits, sizeof(hits), 0xa5));
	EXPECT_TRUE(all_bytes(strings, sizeof(strings), 0xa5));

	/* Exactly enough, and more than enough: both answer, sizes exact. */
	count = n;
	ssize = sizeof(glob_a) + sizeof(glob_b);
	ASSERT_EQ(0, kb_rules_get(fd, out, hits, &count, strings, &ssize));
	EXPECT_EQ(n, count);
	count = 16;
	ssize = sizeof(strings);
	ASSERT_EQ(0, kb_rules_get(fd, out, NULL, &count, strings, &ssize));
	EXPECT_EQ(n, count);
	EXPECT_EQ(sizeof(glob_a) + sizeof(glob_b), ssize);
}

/* Entries come back as they were set: order, every field, the globs. */
TEST_F(partial, get_rules_round_trip)
{
	struct kb_rule_desc d[16], out[16];
	char strings[64];
	unsigned int n, i, count = 16, ssize = sizeof(strings);
	int fd = self->fd;

	n = set_mixed(fd, d);
	ASSERT_EQ(11u, n);
	memset(out, 0xa5, sizeof(out));
	ASSERT_EQ(0, kb_rules_get(fd, out, NULL, &count, strings, &ssize));
	ASSERT_EQ(n, count);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(d[i].nr, out[i].nr) TH_LOG("entry %u", i);
		EXPECT_EQ(d[i].tier, out[i].tier) TH_LOG("entry %u", i);
		EXPECT_EQ(d[i].action, out[i].action) TH_LOG("entry %u", i);
		EXPECT_EQ(d[i].value, out[i].value) TH_LOG("entry %u", i);
		EXPECT_EQ(d[i].match, out[i].match) TH_LOG("entry %u", i);
		EXPECT_EQ(d[i].arg, out[i].arg) TH_LOG("entry %u", i);
		EXPECT_EQ(d[i].path_len, out[i].path_len) TH_LOG("entry %u", i);
		EXPECT_EQ(d[i].mask, out[i].mask) TH_LOG("entry %u", i);
		EXPECT_EQ(d[i].operand, out[i].operand) TH_LOG("entry %u", i);
		if (d[i].match != KB_MATCH_PATH) {
			EXPECT_EQ(0ULL, out[i].path) TH_LOG("entry %u", i);
			continue;
		}
		ASSERT_LE((uintptr_t)strings, out[i].path);
		ASSERT_GT((uintptr_t)strings + ssize, out[i].path +
			  out[i].path_len);
		EXPECT_STREQ((const char *)(uintptr_t)d[i].path,
			     (const char *)(uintptr_t)out[i].path);
	}

	/* What GET_RULES gave is a valid SET_RULES batch, same policy. */
	{
		struct kb_rule_desc again[16];
		char s2[64];
		unsigned int c2 = 16, ss2 = sizeof(s2);

		ASSERT_EQ(0, kb_rules_set(fd, out, count));
		ASSERT_EQ(0, kb_rules_get(fd, again, NULL, &c2, s2, &ss2));
		ASSERT_EQ(count, c2);
		for (i = 0; i < c2; i++) {
			if (again[i].path)
				again[i].path += (uintptr_t)strings -
						 (uintptr_t)s2;
			EXPECT_EQ(0, memcmp(&again[i], &out[i], sizeof(out[i])))
				TH_LOG("entry %u", i);
		}
	}
}

/* A stub set with errno 0 means ENOSYS; reading it back says so. */
TEST_F(partial, get_rules_default_errno)
{
	struct kb_rule_desc d = kb_rule(SYS_getppid, KB_TIER_STUBBED,
					KB_ACTION_STUB, 0), out;
	unsigned int count = 1, ssize = 0;

	ASSERT_EQ(0, kb_rules_set(self->fd, &d, 1));
	ASSERT_EQ(0, kb_rules_get(self->fd, &out, NULL, &count, NULL, &ssize));
	ASSERT_EQ(1u, count);
	EXPECT_TRUE(out.value == 0 || out.value == ENOSYS) {
		TH_LOG("value %lld", (long long)out.value);
	}
}

TEST_F(partial, get_rules_errors)
{
	struct kb_rule_desc d[16];
	struct kb_get_rules g = { .size = sizeof(g) };
	unsigned int count = 0, ssize = 0;
	int fd = self->fd, fd2;

	ASSERT_EQ(11u, set_mixed(fd, d));
	g.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, KB_IOC_GET_RULES, &g));
	EXPECT_EQ(EINVAL, errno);
	g.flags = 0;
	g.__reserved = 1;
	EXPECT_EQ(-1, ioctl(fd, KB_IOC_GET_RULES, &g));
	EXPECT_EQ(EINVAL, errno);
	g.__reserved = 0;
	g.size = offsetof(struct kb_get_rules, hits);
	EXPECT_EQ(-1, ioctl(fd, KB_IOC_GET_RULES, &g));
	EXPECT_EQ(EINVAL, errno);
	/* Room enough, but the rules pointer is not writable. */
	g.size = sizeof(g);
	g.count = 16;
	g.rule_size = sizeof(d[0]);
	g.rules = 0;
	g.strings = (uintptr_t)d;
	g.strings_size = sizeof(d);
	EXPECT_EQ(-1, ioctl(fd, KB_IOC_GET_RULES, &g));
	EXPECT_EQ(EFAULT, errno);
	g.count = 16;
	g.rules = (uintptr_t)d;
	g.rule_size = offsetof(struct kb_rule_desc, match) - 1;
	EXPECT_EQ(-1, ioctl(fd, KB_IOC_GET_RULES, &g));
	EXPECT_EQ(EINVAL, errno);

	/* No session on a fresh file. */
	fd2 = open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-1, kb_rules_get(fd2, NULL, NULL, &count, NULL, &ssize));
	EXPECT_EQ(ENOENT, errno);
	close(fd2);
}

/*
 * Entry i of set_mixed() decides calls[i] calls; each call below is
 * built to be taken by exactly that entry.
 */
static void call_entry(int fd, unsigned int entry)
{
	switch (entry) {
	case 0:
		decide(fd, SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE);
		break;
	case 1:
		decide(fd, SYS_mmap, 0, 4096, PROT_READ, MAP_HUGETLB);
		break;
	case 2:
		decide(fd, SYS_ioctl, 0, 0x1234, 0, 0);
		break;
	case 3:
		decide(fd, SYS_ioctl, 0, TCGETS, 0, 0);
		break;
	case 4:
		decide(fd, SYS_ioctl, 0, TIOCGWINSZ, 0, 0);
		break;
	case 5:
		decide(fd, SYS_unlink, (uintptr_t)"/x", 0, 0, 0);
		break;
	case 6:
		decide(fd, SYS_getppid, 0, 0, 0, 0);
		break;
	case 7:	/* no condition: O_RDONLY, an unrelated path */
		OPENAT(fd, "/etc/hostname");
		break;
	case 8:
		OPENAT(fd, "/proc/1/maps");
		break;
	case 9:
		decide(fd, SYS_openat, (uint64_t)AT_FDCWD,
		       (uintptr_t)"/etc/hostname", O_RDWR, 0);
		break;
	case 10:
		OPENAT(fd, "/dev/tty3");
		break;
	}
}

TEST_F(partial, get_rules_hits)
{
	struct kb_rule_desc d[16], out[16];
	uint64_t hits[16];
	char strings[64];
	unsigned int n, i, k, count, ssize;
	int fd = self->fd;

	n = set_mixed(fd, d);
	ASSERT_EQ(11u, n);
	for (i = 0; i < n; i++)
		for (k = 0; k < 2 * i + 1; k++)
			call_entry(fd, i);
	/* Other syscalls decide nothing here. */
	for (k = 0; k < 5; k++)
		decide(fd, SYS_getpid, 0, 0, 0, 0);

	memset(hits, 0xa5, sizeof(hits));
	count = 16;
	ssize = sizeof(strings);
	ASSERT_EQ(0, kb_rules_get(fd, out, hits, &count, strings, &ssize));
	ASSERT_EQ(n, count);
	for (i = 0; i < n; i++)
		EXPECT_EQ(2ULL * i + 1, hits[i]) {
			TH_LOG("entry %u (nr %u match %u)", i, out[i].nr,
			       out[i].match);
		}

	/*
	 * Replacing getppid's rule (same rule again) restarts its count;
	 * the other rules keep theirs.
	 */
	ASSERT_EQ(0, kb_rules_set(fd, &d[6], 1));
	call_entry(fd, 6);
	call_entry(fd, 2);
	count = 16;
	ssize = sizeof(strings);
	ASSERT_EQ(0, kb_rules_get(fd, out, hits, &count, strings, &ssize));
	ASSERT_EQ(n, count);
	for (i = 0; i < n; i++) {
		uint64_t want = 2ULL * i + 1;

		if (i == 6)
			want = 1;
		if (i == 2)
			want++;
		EXPECT_EQ(want, hits[i]) TH_LOG("entry %u", i);
	}

	/* Replacing ioctl's rule restarts all of its entries. */
	ASSERT_EQ(0, kb_rules_set(fd, &d[2], 3));
	count = 16;
	ssize = sizeof(strings);
	ASSERT_EQ(0, kb_rules_get(fd, out, hits, &count, strings, &ssize));
	EXPECT_EQ(0ULL, hits[2]);
	EXPECT_EQ(0ULL, hits[3]);
	EXPECT_EQ(0ULL, hits[4]);
	EXPECT_EQ(1ULL, hits[0]);
	EXPECT_EQ(21ULL, hits[10]);
}

/* Path conditions that cannot be read still count for the fallback. */
TEST_F(partial, hits_unreadable_path)
{
	struct kb_rule_desc d[] = {
		kb_rule(SYS_openat, KB_TIER_PARTIAL, KB_ACTION_FAKE, 1),
		kb_cond_path(SYS_openat, 1, "*", KB_ACTION_FAKE, 2),
	};
	struct kb_rule_desc out[2];
	uint64_t hits[2];
	char strings[8];
	unsigned int count = 2, ssize = sizeof(strings);
	int fd = self->fd;

	ASSERT_EQ(0, kb_rules_set(fd, d, 2));
	EXPECT_PARTIAL(OPENAT(fd, NULL), KB_ACTION_FAKE, 1);
	EXPECT_PARTIAL(OPENAT(fd, "x"), KB_ACTION_FAKE, 2);
	EXPECT_PARTIAL(OPENAT(fd, NULL), KB_ACTION_FAKE, 1);
	ASSERT_EQ(0, kb_rules_get(fd, out, hits, &count, strings, &ssize));
	EXPECT_EQ(2ULL, hits[0]);
	EXPECT_EQ(1ULL, hits[1]);
}

/*
 * Two partial rules for ioctl, swapped while readers call: with each,
 * command 1 and command 2 have distinct answers; any other answer is a
 * reader seeing half of one rule and half of the other.
 *   A: cmd 1 -> stub EPERM, fallback stub EIO
 *   B: cmd 3 -> fake 8, cmd 1 -> fake 9, fallback fake 5
 */
#define READERS	4

struct swap_state {
	int fd;
	atomic_bool stop;
	atomic_ulong calls, a, b, bad;
	int64_t bad_result;
};

static void *swap_reader(void *arg)
{
	struct swap_state *s = arg;
	unsigned long i = 0;

	while (!atomic_load(&s->stop)) {
		uint64_t cmd = 1 + (i++ & 1);
		struct decision d = decide(s->fd, SYS_ioctl, 0, cmd, 0, 0);
		int64_t r = d.sc.result;

		atomic_fetch_add(&s->calls, 1);
		if (d.ret || d.sc.tier != KB_TIER_PARTIAL ||
		    d.sc.verdict != KB_VERDICT_RESULT) {
			atomic_fetch_add(&s->bad, 1);
		} else if (d.sc.action == KB_ACTION_STUB &&
			   r == (cmd == 1 ? -EPERM : -EIO)) {
			atomic_fetch_add(&s->a, 1);
		} else if (d.sc.action == KB_ACTION_FAKE &&
			   r == (cmd == 1 ? 9 : 5)) {
			atomic_fetch_add(&s->b, 1);
		} else {
			s->bad_result = r;
			atomic_fetch_add(&s->bad, 1);
		}
	}
	return NULL;
}

TEST_F(partial, swap_under_load)
{
	struct kb_rule_desc a[] = {
		kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_STUB, EIO),
		kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 1, KB_ACTION_STUB, EPERM),
	};
	struct kb_rule_desc b[] = {
		kb_rule(SYS_ioctl, KB_TIER_PARTIAL, KB_ACTION_FAKE, 5),
		kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 3, KB_ACTION_FAKE, 8),
		kb_cond_eq(SYS_ioctl, 1, 0xffffffff, 1, KB_ACTION_FAKE, 9),
	};
	static uint64_t counts[KB_NR_SYSCALLS];
	struct swap_state s = { .fd = self->fd };
	struct kb_session_stats st;
	struct kb_rule_desc out[4];
	uint64_t hits[4];
	unsigned int count, ssize;
	pthread_t t[READERS];
	int i;

	ASSERT_EQ(0, kb_rules_set(self->fd, a, 2));
	for (i = 0; i < READERS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, swap_reader, &s));
	for (i = 0; i < 2000; i++) {
		ASSERT_EQ(0, i % 2 ? kb_rules_set(self->fd, a, 2) :
				     kb_rules_set(self->fd, b, 3));
		if (!(i % 100))
			usleep(1000);
	}
	atomic_store(&s.stop, true);
	for (i = 0; i < READERS; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	TH_LOG("%lu calls: %lu by A, %lu by B", atomic_load(&s.calls),
	       atomic_load(&s.a), atomic_load(&s.b));
	EXPECT_EQ(0UL, atomic_load(&s.bad)) {
		TH_LOG("last odd result %lld", (long long)s.bad_result);
	}
	EXPECT_LT(0UL, atomic_load(&s.a));
	EXPECT_LT(0UL, atomic_load(&s.b));
	EXPECT_EQ(atomic_load(&s.calls), atomic_load(&s.a) + atomic_load(&s.b));

	ASSERT_EQ(0, kb_stats(self->fd, &st, counts));
	EXPECT_EQ(atomic_load(&s.calls), counts[SYS_ioctl]);
	EXPECT_EQ(atomic_load(&s.calls), st.total);

	/* Readers ran on after the last swap: set A afresh, hits from 0. */
	ASSERT_EQ(0, kb_rules_set(self->fd, a, 2));
	for (i = 0; i < 10; i++)
		decide(self->fd, SYS_ioctl, 0, 1 + (i < 3), 0, 0);
	count = 4;
	ssize = 0;
	ASSERT_EQ(0, kb_rules_get(self->fd, out, hits, &count, NULL, &ssize));
	ASSERT_EQ(2u, count);
	EXPECT_EQ(3ULL, hits[0]);
	EXPECT_EQ(7ULL, hits[1]);
}

TEST_HARNESS_MAIN
