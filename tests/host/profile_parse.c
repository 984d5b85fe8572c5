// SPDX-License-Identifier: GPL-2.0
/*
 * The profile parser (libkbclient) on the host, no module: the fixtures in
 * tests/profiles/good parse into the kb_rule_desc entries their lines say
 * (numbers checked against the system headers, not against the parser's
 * own tables), 'default' expands to every other syscall libseccomp knows,
 * kb_rule_format() writes entries that parse back identical, every
 * fixture in tests/profiles/bad fails with the "file:line: reason" its
 * "# expect:" line states, generated files (too big, too many lines, NUL
 * byte, too many entries) fail, and every shipped profile in profiles/
 * loads, by path and by name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <asm/prctl.h>

#include "kbridge_test.h"
#include "names.h"
#include "profile.h"

/* TEST() expands to a wrapper with an unused parameter (-Wextra). */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#define W32	0xffffffffULL
#define W64	0xffffffffffffffffULL

/* The repository root: the test runs as <root>/.output/tests/NAME. */
static const char *root(void)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX], up[PATH_MAX + 16];
	ssize_t n;

	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return ".";
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(up, sizeof(up), "%s/../..", exe);
	if (!realpath(up, dir))
		return ".";
	return dir;
}

static struct kb_profile *load_fixture(const char *rel, char *err, size_t errlen)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/tests/profiles/%s", root(), rel);
	return kb_profile_load(path, err, errlen);
}

/* The @i-th entry (0 = the KB_MATCH_NONE one) of syscall @nr, or NULL. */
static const struct kb_rule_desc *entry(const struct kb_profile *p, unsigned int nr,
					unsigned int i)
{
	for (uint32_t k = 0; k < p->count; k++)
		if (p->rules[k].nr == nr && p->rules[k].match == KB_MATCH_NONE)
			return k + i < p->count && p->rules[k + i].nr == nr ?
				&p->rules[k + i] : NULL;
	return NULL;
}

/* Entries of @nr, its KB_MATCH_NONE one included. */
static unsigned int entries_of(const struct kb_profile *p, unsigned int nr)
{
	unsigned int n = 0;

	for (uint32_t k = 0; k < p->count; k++)
		n += p->rules[k].nr == nr;
	return n;
}

/* x86_64 syscall numbers below KB_NR_SYSCALLS that libseccomp names. */
static unsigned int known_syscalls(void)
{
	unsigned int n = 0;

	for (int nr = 0; nr < KB_NR_SYSCALLS; nr++) {
		char *s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);

		n += s != NULL;
		free(s);
	}
	return n;
}

static const char *path_of(const struct kb_rule_desc *d)
{
	return (const char *)(uintptr_t)d->path;
}

#define EXPECT_RULE(d, t, a, v) do {					\
	ASSERT_NE(NULL, (d));						\
	EXPECT_EQ((t), (d)->tier);					\
	EXPECT_EQ((a), (d)->action);					\
	EXPECT_EQ((int64_t)(v), (int64_t)(d)->value);			\
} while (0)

#define EXPECT_COND(d, m, ar, mk, op, a, v) do {			\
	EXPECT_RULE(d, KB_TIER_PARTIAL, a, v);				\
	EXPECT_EQ((m), (d)->match);					\
	EXPECT_EQ((ar), (d)->arg);					\
	EXPECT_EQ((uint64_t)(mk), (uint64_t)(d)->mask);			\
	EXPECT_EQ((uint64_t)(op), (uint64_t)(d)->operand);		\
} while (0)

TEST(every_action_form)
{
	char err[512] = "";
	struct kb_profile *p = load_fixture("good/actions.profile", err, sizeof(err));

	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	EXPECT_RULE(entry(p, SYS_read, 0), KB_TIER_FULL, KB_ACTION_PASS, 0);
	EXPECT_RULE(entry(p, SYS_write, 0), KB_TIER_FULL, KB_ACTION_PASS, 0);
	EXPECT_RULE(entry(p, SYS_getpid, 0), KB_TIER_STUBBED, KB_ACTION_FAKE, 42);
	EXPECT_RULE(entry(p, SYS_getppid, 0), KB_TIER_STUBBED, KB_ACTION_FAKE, 0);
	EXPECT_RULE(entry(p, SYS_getuid, 0), KB_TIER_STUBBED, KB_ACTION_FAKE, -1);
	EXPECT_RULE(entry(p, SYS_getgid, 0), KB_TIER_STUBBED, KB_ACTION_FAKE, 16);
	EXPECT_RULE(entry(p, SYS_open, 0), KB_TIER_STUBBED, KB_ACTION_STUB, 0);
	EXPECT_RULE(entry(p, SYS_access, 0), KB_TIER_STUBBED, KB_ACTION_STUB, ENOENT);
	EXPECT_RULE(entry(p, SYS_stat, 0), KB_TIER_STUBBED, KB_ACTION_STUB, 13);
	EXPECT_RULE(entry(p, SYS_umask, 0), KB_TIER_STUBBED, KB_ACTION_STUB, ENOSYS);
	EXPECT_RULE(entry(p, SYS_ioctl, 0), KB_TIER_PARTIAL, KB_ACTION_STUB, ENOTTY);
	EXPECT_RULE(entry(p, SYS_fcntl, 0), KB_TIER_PARTIAL, KB_ACTION_PASS, 0);
	EXPECT_RULE(entry(p, SYS_prctl, 0), KB_TIER_PARTIAL, KB_ACTION_FAKE, 7);
	EXPECT_EQ(1U, entries_of(p, SYS_ioctl));
	/* 'default stub ENOSYS' */
	EXPECT_EQ(KB_TIER_STUBBED, p->default_rule.tier);
	EXPECT_EQ(KB_ACTION_STUB, p->default_rule.action);
	EXPECT_EQ(ENOSYS, p->default_rule.value);
	/* lines: read is on line 6 of the file, getpid on 8 */
	EXPECT_EQ(6U, p->line[entry(p, SYS_read, 0) - p->rules]);
	EXPECT_EQ(8U, p->line[entry(p, SYS_getpid, 0) - p->rules]);
	kb_profile_free(p);
}

TEST(default_expands_to_unlisted)
{
	static const char text[] = "default stub EPERM\nread pass\ngetpid fake 1\n";
	char err[512] = "";
	unsigned int known = known_syscalls();
	struct kb_profile *p;
	const struct kb_rule_desc *d;

	p = kb_profile_parse(text, strlen(text), "mem", 0, err, sizeof(err));
	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	ASSERT_LT(300U, known);
	EXPECT_EQ(known, p->count);
	/* listed syscalls first, in number order, with their lines */
	EXPECT_EQ((unsigned int)SYS_read, p->rules[0].nr);
	EXPECT_EQ(2U, p->line[0]);
	EXPECT_EQ((unsigned int)SYS_getpid, p->rules[1].nr);
	EXPECT_EQ(3U, p->line[1]);
	d = entry(p, SYS_close, 0);
	EXPECT_RULE(d, KB_TIER_STUBBED, KB_ACTION_STUB, EPERM);
	EXPECT_EQ(0U, p->line[d - p->rules]);
	EXPECT_RULE(entry(p, SYS_read, 0), KB_TIER_FULL, KB_ACTION_PASS, 0);
	EXPECT_EQ(1U, entries_of(p, SYS_read));
	/* 335..423 are no x86_64 syscalls: no entry */
	EXPECT_EQ(0U, entries_of(p, 335));
	for (uint32_t k = 0; k < p->count; k++)
		EXPECT_GT(KB_NR_SYSCALLS, (int)p->rules[k].nr);
	kb_profile_free(p);

	/* no 'default', or 'default pass': only the listed syscalls */
	p = kb_profile_parse(text + 19, strlen(text + 19), "mem", 0, err, sizeof(err));
	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	EXPECT_EQ(2U, p->count);
	EXPECT_EQ(KB_ACTION_PASS, p->default_rule.action);
	EXPECT_EQ(KB_TIER_FULL, p->default_rule.tier);
	kb_profile_free(p);
	p = kb_profile_parse("default pass\nread stub\n", 23, "mem", 0, err, sizeof(err));
	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	EXPECT_EQ(1U, p->count);
	kb_profile_free(p);

	/* 'default fake 0' expands too */
	p = kb_profile_parse("default fake\n", 13, "mem", 0, err, sizeof(err));
	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	EXPECT_EQ(known, p->count);
	EXPECT_RULE(entry(p, SYS_read, 0), KB_TIER_STUBBED, KB_ACTION_FAKE, 0);
	kb_profile_free(p);
}

TEST(no_default_flag)
{
	char err[512] = "";
	struct kb_profile *p;

	p = kb_profile_parse("read pass\ndefault stub\n", 23, "cmdline",
			     KB_PROFILE_NO_DEFAULT, err, sizeof(err));
	EXPECT_EQ(NULL, p);
	EXPECT_STREQ("cmdline:2: 'default' is not allowed here", err);
	p = kb_profile_parse("read pass\n", 10, "cmdline", KB_PROFILE_NO_DEFAULT,
			     err, sizeof(err));
	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	EXPECT_EQ(1U, p->count);
	EXPECT_STREQ("cmdline", p->origin);
	kb_profile_free(p);
}

TEST(partial_keys_and_constants)
{
	char err[512] = "";
	struct kb_profile *p = load_fixture("good/partial.profile", err, sizeof(err));

	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	/* ioctl: 'when' lines before 'partial'; one entry per value */
	EXPECT_RULE(entry(p, SYS_ioctl, 0), KB_TIER_PARTIAL, KB_ACTION_STUB, ENOTTY);
	EXPECT_EQ(5U, entries_of(p, SYS_ioctl));
	EXPECT_COND(entry(p, SYS_ioctl, 1), KB_MATCH_EQ, 1, W32, TCGETS, KB_ACTION_PASS, 0);
	EXPECT_COND(entry(p, SYS_ioctl, 2), KB_MATCH_EQ, 1, W32, TIOCGWINSZ, KB_ACTION_PASS, 0);
	EXPECT_COND(entry(p, SYS_ioctl, 3), KB_MATCH_EQ, 1, W32, FIONBIO, KB_ACTION_FAKE, 0);
	EXPECT_COND(entry(p, SYS_ioctl, 4), KB_MATCH_EQ, 1, W32, 0x5401, KB_ACTION_STUB, EPERM);
	EXPECT_EQ(7U, p->line[entry(p, SYS_ioctl, 0) - p->rules]);
	EXPECT_EQ(4U, p->line[entry(p, SYS_ioctl, 2) - p->rules]);

	EXPECT_RULE(entry(p, SYS_fcntl, 0), KB_TIER_PARTIAL, KB_ACTION_PASS, 0);
	EXPECT_COND(entry(p, SYS_fcntl, 1), KB_MATCH_EQ, 1, W32, F_SETFD, KB_ACTION_FAKE, 0);
	EXPECT_COND(entry(p, SYS_fcntl, 2), KB_MATCH_EQ, 1, W32, F_SETFL, KB_ACTION_PASS, 0);
	EXPECT_COND(entry(p, SYS_fcntl, 3), KB_MATCH_EQ, 1, W32, F_GETFL, KB_ACTION_PASS, 0);

	/* a 'when' line alone: fallback pass */
	EXPECT_RULE(entry(p, SYS_prctl, 0), KB_TIER_PARTIAL, KB_ACTION_PASS, 0);
	EXPECT_COND(entry(p, SYS_prctl, 1), KB_MATCH_EQ, 0, W32, PR_SET_KEEPCAPS, KB_ACTION_FAKE, 0);
	EXPECT_RULE(entry(p, SYS_arch_prctl, 0), KB_TIER_PARTIAL, KB_ACTION_STUB, EINVAL);
	EXPECT_COND(entry(p, SYS_arch_prctl, 1), KB_MATCH_EQ, 0, W32, ARCH_SET_FS, KB_ACTION_PASS, 0);

	EXPECT_COND(entry(p, SYS_prlimit64, 1), KB_MATCH_EQ, 1, W32, RLIMIT_NOFILE, KB_ACTION_PASS, 0);
	EXPECT_COND(entry(p, SYS_prlimit64, 2), KB_MATCH_EQ, 1, W32, RLIMIT_STACK, KB_ACTION_PASS, 0);
	EXPECT_COND(entry(p, SYS_getrlimit, 1), KB_MATCH_EQ, 0, W32, RLIMIT_CORE, KB_ACTION_STUB, 0);
	EXPECT_COND(entry(p, SYS_setrlimit, 1), KB_MATCH_EQ, 0, W32, RLIMIT_NOFILE, KB_ACTION_FAKE, 0);
	EXPECT_RULE(entry(p, SYS_madvise, 0), KB_TIER_PARTIAL, KB_ACTION_FAKE, 0);
	EXPECT_COND(entry(p, SYS_madvise, 1), KB_MATCH_EQ, 2, W32, MADV_DONTNEED, KB_ACTION_PASS, 0);
	EXPECT_COND(entry(p, SYS_socket, 1), KB_MATCH_EQ, 0, W32, AF_INET, KB_ACTION_PASS, 0);
	EXPECT_COND(entry(p, SYS_socket, 2), KB_MATCH_EQ, 0, W32, AF_INET6, KB_ACTION_PASS, 0);
	EXPECT_RULE(entry(p, SYS_socket, 0), KB_TIER_PARTIAL, KB_ACTION_STUB, EAFNOSUPPORT);
	EXPECT_COND(entry(p, SYS_socketpair, 1), KB_MATCH_EQ, 0, W32, AF_UNIX, KB_ACTION_PASS, 0);

	EXPECT_COND(entry(p, SYS_mmap, 1), KB_MATCH_ANY_BIT, 3, MAP_SHARED, 0, KB_ACTION_STUB, ENODEV);
	EXPECT_COND(entry(p, SYS_mmap, 2), KB_MATCH_EQ, 3, W32, MAP_PRIVATE | MAP_ANONYMOUS,
		    KB_ACTION_PASS, 0);
	EXPECT_COND(entry(p, SYS_mmap, 3), KB_MATCH_ANY_BIT, 2, PROT_EXEC, 0, KB_ACTION_STUB, EACCES);
	EXPECT_COND(entry(p, SYS_mprotect, 1), KB_MATCH_EQ, 2, W32, PROT_READ | PROT_WRITE,
		    KB_ACTION_PASS, 0);
	EXPECT_COND(entry(p, SYS_mprotect, 2), KB_MATCH_ANY_BIT, 2, PROT_EXEC, 0, KB_ACTION_STUB, EACCES);
	/* clone's flags are an unsigned long */
	EXPECT_COND(entry(p, SYS_clone, 1), KB_MATCH_ANY_BIT, 0, CLONE_THREAD | CLONE_VM, 0,
		    KB_ACTION_PASS, 0);
	EXPECT_COND(entry(p, SYS_clone, 2), KB_MATCH_ANY_BIT, 0, CLONE_NEWNS | CLONE_NEWPID, 0,
		    KB_ACTION_STUB, EPERM);

	/* argN: 64 bits, negative numbers as the register holds them */
	EXPECT_COND(entry(p, SYS_write, 1), KB_MATCH_EQ, 0, W64, W64, KB_ACTION_STUB, EBADF);
	EXPECT_COND(entry(p, SYS_write, 2), KB_MATCH_EQ, 2, W64, 0x10000000000ULL,
		    KB_ACTION_STUB, EFBIG);
	EXPECT_COND(entry(p, SYS_kill, 1), KB_MATCH_ANY_BIT, 1, 7, 0, KB_ACTION_FAKE, 0);
	for (uint32_t k = 0; k < p->count; k++) {
		EXPECT_EQ(0U, p->rules[k].path_len);
		EXPECT_EQ(0ULL, (unsigned long long)p->rules[k].path);
	}
	kb_profile_free(p);
}

TEST(path_rules)
{
	char err[512] = "";
	struct kb_profile *p = load_fixture("good/paths.profile", err, sizeof(err));
	const struct kb_rule_desc *d;

	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	d = entry(p, SYS_openat, 1);
	EXPECT_COND(d, KB_MATCH_PATH, 1, 0, 0, KB_ACTION_STUB, ENOENT);
	EXPECT_EQ(strlen("/proc/[0-9]*/maps"), d->path_len);
	EXPECT_STREQ("/proc/[0-9]*/maps", path_of(d));
	d = entry(p, SYS_openat, 2);
	EXPECT_STREQ("/sys/*", path_of(d));
	EXPECT_RULE(entry(p, SYS_openat, 0), KB_TIER_PARTIAL, KB_ACTION_PASS, 0);
	d = entry(p, SYS_open, 1);
	EXPECT_COND(d, KB_MATCH_PATH, 0, 0, 0, KB_ACTION_FAKE, 3);
	EXPECT_STREQ("/etc/passwd", path_of(d));
	EXPECT_COND(entry(p, SYS_stat, 1), KB_MATCH_PATH, 0, 0, 0, KB_ACTION_STUB, ENOENT);
	EXPECT_COND(entry(p, SYS_execve, 1), KB_MATCH_PATH, 0, 0, 0, KB_ACTION_PASS, 0);
	EXPECT_RULE(entry(p, SYS_execve, 0), KB_TIER_PARTIAL, KB_ACTION_STUB, EPERM);
	EXPECT_COND(entry(p, SYS_newfstatat, 1), KB_MATCH_PATH, 1, 0, 0, KB_ACTION_STUB, ENOENT);
	EXPECT_COND(entry(p, SYS_readlink, 1), KB_MATCH_PATH, 0, 0, 0, KB_ACTION_PASS, 0);
	/* the globs live in the profile object itself */
	for (uint32_t k = 0; k < p->count; k++) {
		if (p->rules[k].match != KB_MATCH_PATH)
			continue;
		EXPECT_GT((uintptr_t)path_of(&p->rules[k]), (uintptr_t)p);
		EXPECT_EQ(strlen(path_of(&p->rules[k])), p->rules[k].path_len);
	}
	kb_profile_free(p);
}

TEST(comments_blanks_crlf)
{
	char err[512] = "";
	struct kb_profile *p = load_fixture("good/comments.profile", err, sizeof(err));

	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	EXPECT_EQ(4U, p->count);
	EXPECT_RULE(entry(p, SYS_getpid, 0), KB_TIER_FULL, KB_ACTION_PASS, 0);
	EXPECT_EQ(8U, p->line[entry(p, SYS_getpid, 0) - p->rules]);
	kb_profile_free(p);
}

TEST(personality_module)
{
	char err[512] = "";
	struct kb_profile *p = load_fixture("good/personality.profile", err, sizeof(err));

	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	EXPECT_STREQ("demo_os-2", p->personality);
	EXPECT_EQ(3U, p->personality_line);
	/* "personality" alone is still the syscall. */
	EXPECT_EQ(2U, p->count);
	EXPECT_RULE(entry(p, SYS_personality, 0), KB_TIER_STUBBED, KB_ACTION_STUB,
		    EPERM);
	kb_profile_free(p);
	p = load_fixture("good/comments.profile", err, sizeof(err));
	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	EXPECT_STREQ("", p->personality);
	EXPECT_EQ(0U, p->personality_line);
	kb_profile_free(p);
}

/* Format every entry, parse the text again: the same entries. */
static int round_trip(struct __test_metadata *_metadata, const struct kb_profile *p)
{
	size_t cap = 1 << 20, len = 0;
	char *text = malloc(cap), err[512] = "", line[8192];
	struct kb_profile *q;
	int bad = 0;

	if (!text)
		return -1;
	if (p->default_rule.action != KB_ACTION_PASS) {
		/* "read stub EPERM" -> "default stub EPERM" */
		kb_rule_format(&p->default_rule, NULL, line, sizeof(line));
		len += snprintf(text + len, cap - len, "default %s\n", strchr(line, ' ') + 1);
	}
	for (uint32_t k = 0; k < p->count; k++) {
		int n;

		if (!p->line[k])
			continue;
		n = kb_rule_format(&p->rules[k], path_of(&p->rules[k]), line, sizeof(line));
		EXPECT_EQ((int)strlen(line), n);
		len += snprintf(text + len, cap - len, "%s\n", line);
	}
	q = kb_profile_parse(text, len, "formatted", 0, err, sizeof(err));
	EXPECT_NE(NULL, q) TH_LOG("%s", err);
	if (!q) {
		free(text);
		return -1;
	}
	EXPECT_EQ(p->count, q->count);
	for (uint32_t k = 0; k < p->count && k < q->count; k++) {
		struct kb_rule_desc a = p->rules[k], b = q->rules[k];

		if (a.match == KB_MATCH_PATH && b.match == KB_MATCH_PATH &&
		    !strcmp(path_of(&a), path_of(&b)))
			a.path = b.path = 0;
		if (memcmp(&a, &b, sizeof(a))) {
			kb_rule_format(&p->rules[k], path_of(&p->rules[k]), line, sizeof(line));
			TH_LOG("entry %u differs after formatting: %s", k, line);
			bad++;
		}
	}
	EXPECT_EQ(0, bad);
	kb_profile_free(q);
	free(text);
	return bad;
}

TEST(format_round_trip)
{
	static const char *const fixtures[] = {
		"good/actions.profile", "good/partial.profile",
		"good/paths.profile", "good/comments.profile",
	};
	char err[512] = "";

	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		struct kb_profile *p = load_fixture(fixtures[i], err, sizeof(err));

		ASSERT_NE(NULL, p) TH_LOG("%s", err);
		EXPECT_EQ(0, round_trip(_metadata, p)) TH_LOG("%s", fixtures[i]);
		kb_profile_free(p);
	}
}

TEST(format_text)
{
	char buf[256];
	struct kb_rule_desc d = {
		.nr = SYS_openat, .tier = KB_TIER_PARTIAL, .action = KB_ACTION_STUB,
		.value = ENOENT, .match = KB_MATCH_PATH, .arg = 1, .path_len = 7,
	};
	int n;

	kb_rule_format(&d, "/proc/*", buf, sizeof(buf));
	EXPECT_STREQ("openat when path=/proc/* stub ENOENT", buf);
	d = (struct kb_rule_desc){ .nr = SYS_getpid, .tier = KB_TIER_STUBBED,
				   .action = KB_ACTION_FAKE, .value = 42 };
	kb_rule_format(&d, NULL, buf, sizeof(buf));
	EXPECT_STREQ("getpid fake 42", buf);
	d = (struct kb_rule_desc){ .nr = SYS_ioctl, .tier = KB_TIER_PARTIAL,
				   .action = KB_ACTION_STUB, .value = ENOTTY };
	kb_rule_format(&d, NULL, buf, sizeof(buf));
	EXPECT_STREQ("ioctl partial stub ENOTTY", buf);
	d = (struct kb_rule_desc){ .nr = SYS_ioctl, .tier = KB_TIER_PARTIAL,
				   .match = KB_MATCH_EQ, .arg = 1, .mask = W32,
				   .operand = TIOCGWINSZ };
	kb_rule_format(&d, NULL, buf, sizeof(buf));
	EXPECT_STREQ("ioctl when cmd=TIOCGWINSZ pass", buf);
	d.operand = 0x12345;
	kb_rule_format(&d, NULL, buf, sizeof(buf));
	EXPECT_STREQ("ioctl when cmd=0x12345 pass", buf);
	d = (struct kb_rule_desc){ .nr = SYS_mmap, .tier = KB_TIER_PARTIAL,
				   .action = KB_ACTION_STUB, .match = KB_MATCH_ANY_BIT,
				   .arg = 3, .mask = MAP_SHARED | MAP_FIXED | 0x40000000 };
	kb_rule_format(&d, NULL, buf, sizeof(buf));
	EXPECT_STREQ("mmap when flags&MAP_SHARED|MAP_FIXED|0x40000000 stub", buf);
	d = (struct kb_rule_desc){ .nr = SYS_read, .tier = KB_TIER_STUBBED,
				   .action = KB_ACTION_STUB, .value = 38 };
	kb_rule_format(&d, NULL, buf, sizeof(buf));
	EXPECT_STREQ("read stub ENOSYS", buf);
	/* snprintf-style: the full length, even when cut */
	n = kb_rule_format(&d, NULL, buf, 5);
	EXPECT_EQ((int)strlen("read stub ENOSYS"), n);
	EXPECT_STREQ("read", buf);
	EXPECT_EQ(n, kb_rule_format(&d, NULL, NULL, 0));

	EXPECT_STREQ("pass", kb_action_name(KB_ACTION_PASS));
	EXPECT_STREQ("stub", kb_action_name(KB_ACTION_STUB));
	EXPECT_STREQ("fake", kb_action_name(KB_ACTION_FAKE));
	EXPECT_STREQ("full", kb_tier_name(KB_TIER_FULL));
	EXPECT_STREQ("partial", kb_tier_name(KB_TIER_PARTIAL));
	EXPECT_STREQ("stubbed", kb_tier_name(KB_TIER_STUBBED));
}

/* Each tests/profiles/bad/X.profile says "# expect: LINE: reason". */
TEST(bad_fixtures)
{
	char dir[PATH_MAX], path[PATH_MAX + 256], want[PATH_MAX + 300], err[512];
	char line[512];
	struct dirent *de;
	unsigned int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/profiles/bad", root());
	d = opendir(dir);
	ASSERT_NE(NULL, d) TH_LOG("%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		struct kb_profile *p;
		unsigned int lineno = 0;
		char *reason = NULL;
		FILE *f;

		if (!strstr(de->d_name, ".profile"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "r");
		ASSERT_NE(NULL, f);
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "# expect: %u:", &lineno) == 1) {
				reason = strchr(strchr(line, ':') + 1, ':') + 2;
				reason[strcspn(reason, "\n")] = '\0';
				break;
			}
		}
		fclose(f);
		ASSERT_NE(NULL, reason) TH_LOG("%s has no '# expect:' line", path);

		err[0] = '\0';
		p = kb_profile_load(path, err, sizeof(err));
		EXPECT_EQ(NULL, p) TH_LOG("%s parsed", de->d_name);
		kb_profile_free(p);
		snprintf(want, sizeof(want), "%s:%u: ", path, lineno);
		EXPECT_EQ(0, strncmp(err, want, strlen(want)))
			TH_LOG("%s: got '%s', want prefix '%s'", de->d_name, err, want);
		EXPECT_NE(NULL, strstr(err, reason))
			TH_LOG("%s: got '%s', want '%s'", de->d_name, err, reason);
		n++;
	}
	closedir(d);
	EXPECT_LT(20U, n);
}

/* Write @len bytes of @text to a new temp file; its path into @path. */
static int write_temp(char *path, size_t pathlen, const char *text, size_t len)
{
	int fd;

	snprintf(path, pathlen, "/tmp/kb-profile-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

static void expect_file_error(struct __test_metadata *_metadata, const char *text,
			      size_t len, const char *suffix)
{
	char path[64], err[512] = "", want[600];
	struct kb_profile *p;

	ASSERT_EQ(0, write_temp(path, sizeof(path), text, len));
	p = kb_profile_load(path, err, sizeof(err));
	unlink(path);
	EXPECT_EQ(NULL, p);
	kb_profile_free(p);
	snprintf(want, sizeof(want), "%s%s", path, suffix);
	EXPECT_STREQ(want, err);
}

TEST(huge_files)
{
	size_t big = (1u << 20) + 1, n;
	char *text = malloc(2 * big);
	char err[512] = "";
	struct kb_profile *p;

	ASSERT_NE(NULL, text);
	/* 1 MiB of comments and one byte more */
	memset(text, '#', big);
	for (size_t i = 80; i < big; i += 81)
		text[i] = '\n';
	expect_file_error(_metadata, text, big, ": too big");
	/* exactly 1 MiB is fine */
	text[big - 2] = '\n';
	p = NULL;
	{
		char path[64];

		ASSERT_EQ(0, write_temp(path, sizeof(path), text, big - 1));
		p = kb_profile_load(path, err, sizeof(err));
		unlink(path);
	}
	EXPECT_NE(NULL, p) TH_LOG("%s", err);
	kb_profile_free(p);
	/* 65537 lines, far below 1 MiB */
	memset(text, '\n', 65537);
	expect_file_error(_metadata, text, 65537, ": too big");
	p = kb_profile_parse(text, 65536, "mem", 0, err, sizeof(err));
	EXPECT_NE(NULL, p) TH_LOG("%s", err);
	kb_profile_free(p);
	/* a line of 4097 bytes; 4096 is fine */
	n = snprintf(text, big, "read pass\n#");
	memset(text + n, 'x', 4096);
	text[n + 4096] = '\n';
	expect_file_error(_metadata, text, n + 4097, ":2: line too long (more than 4096 bytes)");
	p = kb_profile_parse(text, n + 4095, "mem", 0, err, sizeof(err));
	EXPECT_NE(NULL, p) TH_LOG("%s", err);
	kb_profile_free(p);
	free(text);
}

TEST(nul_byte)
{
	static const char text[] = "read pass\nwrite pass\0\nclose pass\n";

	expect_file_error(_metadata, text, sizeof(text) - 1, ":2: file contains a NUL byte");
}

TEST(too_many_entries)
{
	size_t cap = 1 << 20, len = 0;
	char *text = malloc(cap), err[512] = "";
	struct kb_profile *p;

	ASSERT_NE(NULL, text);
	/* ioctl's own entry and 2047 conditions: 2048, the most allowed */
	for (int i = 0; i < 2047; i++)
		len += snprintf(text + len, cap - len, "ioctl when cmd=%d stub\n", i);
	p = kb_profile_parse(text, len, "many", 0, err, sizeof(err));
	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	EXPECT_EQ(2048U, p->count);
	kb_profile_free(p);
	len += snprintf(text + len, cap - len, "ioctl when cmd=2047 stub\n");
	p = kb_profile_parse(text, len, "many", 0, err, sizeof(err));
	EXPECT_EQ(NULL, p);
	EXPECT_STREQ("many:2048: too many rules: more than 2048 kernel entries", err);

	/* 1900 entries, then 'default' would add every other syscall */
	len = snprintf(text, cap, "default stub\n");
	for (int i = 0; i < 1899; i++)
		len += snprintf(text + len, cap - len, "ioctl when cmd=%d stub\n", i);
	p = kb_profile_parse(text, len, "many", 0, err, sizeof(err));
	EXPECT_EQ(NULL, p);
	EXPECT_EQ(0, strncmp(err, "many:1: too many rules: 'default' adds", 38))
		TH_LOG("%s", err);
	free(text);
}

TEST(load_errors)
{
	char err[512] = "";

	EXPECT_EQ(NULL, kb_profile_load("no-such-profile-here", err, sizeof(err)));
	EXPECT_EQ(0, strncmp(err, "no-such-profile-here: no such profile", 37)) TH_LOG("%s", err);
	EXPECT_EQ(NULL, kb_profile_load("/nonexistent/x.profile", err, sizeof(err)));
	EXPECT_STREQ("/nonexistent/x.profile: No such file or directory", err);
	EXPECT_EQ(NULL, kb_profile_load("/tmp/", err, sizeof(err)));
	EXPECT_STREQ("/tmp/: not a regular file", err);
}

TEST(search_path)
{
	char dir[PATH_MAX], err[512] = "";
	struct kb_profile *p;

	/* $KB_PROFILE_PATH wins, NAME.profile found from NAME */
	snprintf(dir, sizeof(dir), "/nonexistent:%s/tests/profiles/good", root());
	ASSERT_EQ(0, setenv("KB_PROFILE_PATH", dir, 1));
	p = kb_profile_load("paths", err, sizeof(err));
	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(p->origin, "/tests/profiles/good/paths.profile"));
	kb_profile_free(p);
	p = kb_profile_load("paths.profile", err, sizeof(err));
	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	kb_profile_free(p);
	unsetenv("KB_PROFILE_PATH");
	/* <exe dir>/../../profiles: the shipped ones */
	p = kb_profile_load("passthrough", err, sizeof(err));
	ASSERT_NE(NULL, p) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(p->origin, "/profiles/passthrough.profile"));
	kb_profile_free(p);
}

/* Every profiles/X.profile parses, by path and by name, and round-trips. */
TEST(shipped_profiles)
{
	char dir[PATH_MAX], path[PATH_MAX + 256], name[256], err[512];
	struct dirent *de;
	unsigned int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/profiles", root());
	d = opendir(dir);
	ASSERT_NE(NULL, d) TH_LOG("%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		struct kb_profile *p, *q;
		size_t l = strlen(de->d_name);

		if (l < 9 || strcmp(de->d_name + l - 8, ".profile"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		err[0] = '\0';
		p = kb_profile_load(path, err, sizeof(err));
		EXPECT_NE(NULL, p) TH_LOG("%s", err);
		if (!p)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(l - 8), de->d_name);
		q = kb_profile_load(name, err, sizeof(err));
		EXPECT_NE(NULL, q) TH_LOG("%s: %s", name, err);
		if (q) {
			EXPECT_EQ(p->count, q->count);
			kb_profile_free(q);
		}
		/* the runtime needs these to end threads and signal handlers */
		for (uint32_t k = 0; k < p->count; k++) {
			const struct kb_rule_desc *r = &p->rules[k];

			if (r->nr == SYS_rt_sigreturn || r->nr == SYS_exit ||
			    r->nr == SYS_exit_group)
				EXPECT_EQ(KB_ACTION_PASS, r->action)
					TH_LOG("%s stubs syscall %u", name, r->nr);
		}
		EXPECT_EQ(0, round_trip(_metadata, p)) TH_LOG("%s", name);
		kb_profile_free(p);
		n++;
	}
	closedir(d);
	EXPECT_LE(5U, n);
}

TEST_HARNESS_MAIN
