// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge ioctl bounds: for every command, the module reads and writes no
 * user memory but the bytes the caller described.
 *
 * Why: each command copies a struct of the caller's size in and back out,
 * and several write arrays through pointers inside it, in an entry size
 * the caller chooses. An off-by-one there (the module's size used instead
 * of the caller's, one entry too many, a glob's NUL read past its length)
 * silently corrupts or reads the caller's neighbouring memory, and no
 * functional test notices as long as that memory happens to be mapped.
 * Here every buffer ends exactly where a PROT_NONE page begins, so one
 * byte too many is EFAULT, and the bytes before it hold a canary, so a
 * write before the buffer shows too.
 *
 *  - FIXTURE(args), a variant per command: the argument struct at every
 *    size from 0 to sizeof + 64 (a valid template, cut to that size,
 *    zeros past the module's struct), ending at the guard page. A size
 *    field cut by the guard is EFAULT, a size below the first version
 *    EINVAL, any other size gets the result the same call gets in
 *    ordinary memory, never EFAULT. Nothing before the struct, nor past
 *    the module's struct in the caller's tail, is written, and a failed
 *    call (ENOSPC aside) leaves the struct as it was.
 *  - FIXTURE(arrays): the arrays the module writes (SESSION_STATS counts,
 *    GET_RULES rules, hits and strings, EXEC_RULE_LIST and TASK_LIST
 *    entries), ending at a guard page, in every entry size from the first
 *    version to sizeof + 64: exact room succeeds with the right contents,
 *    one entry short is ENOSPC with nothing written, and room that ends
 *    one byte inside the guard page is EFAULT.
 *  - FIXTURE(reads): the buffers the module reads (SET_RULES entries and
 *    globs, SET_FASTPATH's trap bitmap, EXEC_RULE_ADD's pattern, policy
 *    and command), ending at a guard page: exact lengths work, lengths
 *    one byte into the guard page are EFAULT and change nothing.
 *
 * The harness forks each test: a test that joins a session keeps its
 * membership to itself. Exec rules the tests add match no file and are
 * deleted again. Needs /dev/kbridge (SKIP otherwise) and root.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kbridge_test.h"

/* Sizes past the module's struct (or entry) tried, with a zero tail. */
#define EXTRA		64
/* Room for any argument struct plus EXTRA. */
#define MAX_ARG		256
/* The first version of struct kb_rule_desc. */
#define RULE_MIN	KB_RULE_DESC_SIZE_VER0
/* Failures logged per test; the rest are only counted. */
#define MAX_LOGGED	40

static size_t page;
static unsigned int nchecks, nfails;

/*
 * One check: counted, and on failure the test fails with @fmt, which
 * says which command, size and entry, and what happened.
 */
#define CHECK(cond, fmt, ...) ({					\
	bool __ok = (cond);						\
	nchecks++;							\
	if (!__ok && nfails++ < MAX_LOGGED) {				\
		EXPECT_TRUE(__ok) {					\
			TH_LOG(fmt, ##__VA_ARGS__);			\
		}							\
	}								\
	__ok;								\
})

/* What a call returned, for the logs: "0" or "-1 ENAME". */
static const char *res(int ret, int err)
{
	static char buf[4][40];
	static unsigned int at;
	const char *name;
	char *b;

	if (!ret)
		return "0";
	b = buf[at++ % 4];
	name = strerrorname_np(err);
	snprintf(b, sizeof(buf[0]), "-1 %s", name ? name : "(unknown errno)");
	return b;
}

/* Did the call end as @want says: 0, or -1 with errno @want? */
static bool ended(int ret, int err, int want)
{
	return want ? ret == -1 && err == want : ret == 0;
}

/* Guard pages and patterns */

/* @len readable bytes, then a PROT_NONE page. */
struct region {
	unsigned char *map;
	size_t len;
	unsigned char *canary;	/* what the readable bytes hold */
};

/* Canary before a buffer, and the fill of an array not to be written. */
static unsigned char canary_at(size_t off)
{
	return 0x81 + off % 127;
}

static unsigned char fill_at(size_t off)
{
	return 0x21 + off % 89;
}

static int region_map(struct region *r, size_t bytes)
{
	size_t i;

	r->len = bytes ? (bytes + page - 1) / page * page : page;
	r->map = mmap(NULL, r->len + page, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return -1;
	}
	r->canary = malloc(r->len);
	if (!r->canary || mprotect(r->map + r->len, page, PROT_NONE))
		return -1;
	for (i = 0; i < r->len; i++)
		r->canary[i] = canary_at(i);
	return 0;
}

static void region_unmap(struct region *r)
{
	if (r->map)
		munmap(r->map, r->len + page);
	free(r->canary);
	memset(r, 0, sizeof(*r));
}

/*
 * Where @n bytes that end at the guard page begin; every readable byte
 * before them holds the canary. Any @n above the region's length is a
 * test bug.
 */
static unsigned char *region_put(struct region *r, size_t n)
{
	if (n > r->len)
		abort();
	memcpy(r->map, r->canary, r->len - n);
	return r->map + r->len - n;
}

/* Offset of the first canary byte before @p that changed, or -1. */
static long region_check(const struct region *r, const void *p)
{
	size_t n = (const unsigned char *)p - r->map, i;

	if (!memcmp(r->map, r->canary, n))
		return -1;
	for (i = 0; i < n; i++)
		if (r->map[i] != r->canary[i])
			return i;
	return -1;
}

static void fill_array(unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = fill_at(i);
}

/* The first offset in [@from, @to) of a filled array that changed, or -1. */
static long array_changed(const unsigned char *p, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		if (p[i] != fill_at(i))
			return i;
	return -1;
}

static long first_nonzero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return i;
	return -1;
}

static long first_diff(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	size_t i;

	for (i = 0; i < n; i++)
		if (x[i] != y[i])
			return i;
	return -1;
}

/* Exec rules that match no file */

static bool fastpath_armed;

static const char no_file[] = "/nonexistent/kbridge-bounds/*";
/* The command of a KB_EXEC_RUNTIME rule, its last NUL included. */
static const char runtime_cmd[] = "/bin/sh";

/*
 * A valid rule for @pattern with no policy (a passthrough); where the
 * fast path is not armed, path rules with a policy are EOPNOTSUPP, and a
 * KB_EXEC_RUNTIME rule (which runs /bin/sh for files that do not exist)
 * takes their place.
 */
static void exec_template(struct kb_exec_rule_add *a, const char *pattern)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->match = KB_EXEC_MATCH_PATH;
	a->pattern = (uintptr_t)pattern;
	a->pattern_len = strlen(pattern);
	strcpy(a->name, "bounds");
	if (!fastpath_armed) {
		a->flags = KB_EXEC_RUNTIME;
		a->runtime = (uintptr_t)runtime_cmd;
		a->runtime_len = sizeof(runtime_cmd);
	}
}

/* Add the rule exec_template() makes; its id, or 0. */
static uint64_t exec_add(int fd, const char *pattern)
{
	struct kb_exec_rule_add a;

	exec_template(&a, pattern);
	if (ioctl(fd, KB_IOC_EXEC_RULE_ADD, &a))
		return 0;
	return a.id;
}

static int exec_del(int fd, uint64_t id)
{
	struct kb_exec_rule_del d = { .size = sizeof(d), .id = id };

	return ioctl(fd, KB_IOC_EXEC_RULE_DEL, &d);
}

/*
 * Delete every rule these tests add (they all match under no_file's
 * directory), those that a call which failed after adding them left
 * behind included.
 */
static void exec_cleanup(int fd)
{
	static struct kb_exec_rule_info infos[256];
	struct kb_exec_rule_list l = {
		.size = sizeof(l), .count = ARRAY_SIZE(infos),
		.info_size = sizeof(infos[0]), .rules = (uintptr_t)infos,
	};
	unsigned int i;

	if (ioctl(fd, KB_IOC_EXEC_RULE_LIST, &l))
		return;
	for (i = 0; i < l.count; i++)
		if (!strncmp(infos[i].pattern, no_file, sizeof(no_file) - 2))
			exec_del(fd, infos[i].id);
}

/* Open the device, SKIP without it, and learn whether the fast path is on. */
#define OPEN_DEVICE(fd) do {						\
	struct kb_version __v;						\
									\
	page = sysconf(_SC_PAGESIZE);					\
	nchecks = 0;							\
	nfails = 0;							\
	OPEN_OR_SKIP(fd);						\
	ASSERT_EQ(0, kb_version((fd), &__v));				\
	fastpath_armed = __v.status & KB_STATUS_FASTPATH;		\
	if (!(__v.features & KB_FEATURE_TASK_LIST))			\
		SKIP(_exit(255), "module without KB_FEATURE_TASK_LIST"); \
} while (0)

#define REPORT_CHECKS()							\
	TH_LOG("%u checks, %u failed", nchecks, nfails)

/*
 * FIXTURE(args): the argument struct of every command at every size.
 */

struct cmd_info {
	const char *name;
	unsigned long cmd;
	unsigned int size;	/* sizeof the struct this test knows */
	unsigned int min_size;	/* up to the last field of its first version */
	bool list;		/* ENOSPC is an answer, not a failure */
};

/* Sizes from the uapi: _IOC_SIZE() of the command and its struct's VER0. */
#define CMD(_ioc, _ver0, _list)						\
	[_IOC_NR(_ioc)] = {						\
		.name = #_ioc + 7,					\
		.cmd = _ioc,						\
		.size = _IOC_SIZE(_ioc),				\
		.min_size = _ver0,					\
		.list = _list,						\
	}

static const struct cmd_info cmds[] = {
	CMD(KB_IOC_GET_VERSION, KB_VERSION_SIZE_VER0, false),
	CMD(KB_IOC_SESSION_CREATE, KB_SESSION_CREATE_SIZE_VER0, false),
	CMD(KB_IOC_SESSION_JOIN, KB_SESSION_JOIN_SIZE_VER0, false),
	CMD(KB_IOC_SYSCALL, KB_SYSCALL_SIZE_VER0, false),
	CMD(KB_IOC_SESSION_STATS, KB_SESSION_STATS_SIZE_VER0, false),
	CMD(KB_IOC_SET_RULES, KB_SET_RULES_SIZE_VER0, false),
	CMD(KB_IOC_GET_RULES, KB_GET_RULES_SIZE_VER0, false),
	CMD(KB_IOC_SET_FASTPATH, KB_SET_FASTPATH_SIZE_VER0, false),
	CMD(KB_IOC_SET_PERSONALITY, KB_SET_PERSONALITY_SIZE_VER0, false),
	CMD(KB_IOC_SET_SCOPE, KB_SET_SCOPE_SIZE_VER0, false),
	CMD(KB_IOC_EXEC_RULE_ADD, KB_EXEC_RULE_ADD_SIZE_VER0, false),
	CMD(KB_IOC_EXEC_RULE_DEL, KB_EXEC_RULE_DEL_SIZE_VER0, false),
	CMD(KB_IOC_EXEC_RULE_LIST, KB_EXEC_RULE_LIST_SIZE_VER0, true),
	CMD(KB_IOC_TASK_LIST, KB_TASK_LIST_SIZE_VER0, true),
};

/* What must be in place before the command's template succeeds. */
enum need { NEED_NONE, NEED_SESSION, NEED_MEMBER };

/* The buffers the templates point to (ordinary memory). */
#define LIST_CAP	16
static uint64_t tmpl_counts[KB_NR_SYSCALLS];
static struct kb_rule_desc tmpl_rules[8];
static uint64_t tmpl_hits[8];
static char tmpl_strings[256];
static unsigned long tmpl_trap[KB_TRAP_WORDS];
static struct kb_exec_rule_info tmpl_infos[LIST_CAP];
static struct kb_task_info tmpl_tasks[LIST_CAP];
static const char tmpl_glob[] = "/etc/kbridge-bounds/*";

/* The policy the GET_RULES template reads back: 3 entries, one glob. */
static int set_three_rules(int fd)
{
	struct kb_rule_desc d[3] = {
		kb_rule(SYS_getppid, KB_TIER_STUBBED, KB_ACTION_STUB, EPERM),
		kb_rule(SYS_openat, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		kb_cond_path(SYS_openat, 1, tmpl_glob, KB_ACTION_STUB, EACCES),
	};

	return kb_rules_set(fd, d, 3);
}

FIXTURE(args) {
	int fd;
	struct region g;
	uint64_t list_id;	/* EXEC_RULE_LIST: so that the list has one */
	uint64_t del_id;	/* EXEC_RULE_DEL: the rule of the current call */
};

FIXTURE_VARIANT(args) {
	unsigned int nr;
	enum need need;
	bool one_rule;		/* SET_RULES: a real entry, not count 0 */
};

FIXTURE_VARIANT_ADD(args, get_version) {
	.nr = KB_CMD_GET_VERSION,
};

/* Each call on a file of its own. */
FIXTURE_VARIANT_ADD(args, session_create) {
	.nr = KB_CMD_SESSION_CREATE,
};

/* The first success joins, the others are no-ops. */
FIXTURE_VARIANT_ADD(args, session_join) {
	.nr = KB_CMD_SESSION_JOIN, .need = NEED_SESSION,
};

FIXTURE_VARIANT_ADD(args, syscall) {
	.nr = KB_CMD_SYSCALL, .need = NEED_MEMBER,
};

FIXTURE_VARIANT_ADD(args, session_stats) {
	.nr = KB_CMD_SESSION_STATS, .need = NEED_SESSION,
};

FIXTURE_VARIANT_ADD(args, set_rules_none) {
	.nr = KB_CMD_SET_RULES, .need = NEED_SESSION,
};

FIXTURE_VARIANT_ADD(args, set_rules_one) {
	.nr = KB_CMD_SET_RULES, .need = NEED_SESSION, .one_rule = true,
};

FIXTURE_VARIANT_ADD(args, get_rules) {
	.nr = KB_CMD_GET_RULES, .need = NEED_SESSION,
};

FIXTURE_VARIANT_ADD(args, set_fastpath) {
	.nr = KB_CMD_SET_FASTPATH, .need = NEED_SESSION,
};

FIXTURE_VARIANT_ADD(args, set_personality) {
	.nr = KB_CMD_SET_PERSONALITY, .need = NEED_SESSION,
};

FIXTURE_VARIANT_ADD(args, set_scope) {
	.nr = KB_CMD_SET_SCOPE, .need = NEED_MEMBER,
};

/* Each rule added is deleted again. */
FIXTURE_VARIANT_ADD(args, exec_rule_add) {
	.nr = KB_CMD_EXEC_RULE_ADD,
};

/* Each call deletes a rule added for it. */
FIXTURE_VARIANT_ADD(args, exec_rule_del) {
	.nr = KB_CMD_EXEC_RULE_DEL,
};

FIXTURE_VARIANT_ADD(args, exec_rule_list) {
	.nr = KB_CMD_EXEC_RULE_LIST,
};

/* The test process is a member, so the list is not empty. */
FIXTURE_VARIANT_ADD(args, task_list) {
	.nr = KB_CMD_TASK_LIST, .need = NEED_MEMBER,
};

FIXTURE_SETUP(args)
{
	self->fd = -1;
	self->list_id = 0;
	OPEN_DEVICE(self->fd);
	if (variant->need >= NEED_SESSION)
		ASSERT_EQ(0, kb_create(self->fd, NULL));
	if (variant->need >= NEED_MEMBER)
		ASSERT_EQ(1, kb_join(self->fd));
	if (variant->nr == KB_CMD_GET_RULES)
		ASSERT_EQ(0, set_three_rules(self->fd));
	if (variant->nr == KB_CMD_EXEC_RULE_LIST) {
		self->list_id = exec_add(self->fd, no_file);
		ASSERT_NE(0u, self->list_id) {
			TH_LOG("EXEC_RULE_ADD: %s", strerror(errno));
		}
	}
	ASSERT_EQ(0, region_map(&self->g, page));
	ASSERT_GE((unsigned int)MAX_ARG, cmds[variant->nr].size + EXTRA);
}

FIXTURE_TEARDOWN(args)
{
	region_unmap(&self->g);
	if (self->fd >= 0) {
		exec_cleanup(self->fd);
		close(self->fd);
	}
	REPORT_CHECKS();
}

/* The command's valid argument, at full size, into the zeroed @buf. */
static void fill_template(struct _test_data_args *self,
			  const struct _fixture_variant_args *variant,
			  void *buf)
{
	union {
		struct kb_session_create create;
		struct kb_syscall syscall;
		struct kb_session_stats stats;
		struct kb_set_rules set_rules;
		struct kb_get_rules get_rules;
		struct kb_set_fastpath fastpath;
		struct kb_set_scope scope;
		struct kb_exec_rule_add add;
		struct kb_exec_rule_del del;
		struct kb_exec_rule_list list;
		struct kb_task_list tasks;
	} *u = buf;
	static struct kb_rule_desc one;

	switch (variant->nr) {
	case KB_CMD_SESSION_CREATE:
		strcpy(u->create.name, "bounds-session");
		break;
	case KB_CMD_SYSCALL:
		u->syscall.nr = SYS_getppid;
		break;
	case KB_CMD_SESSION_STATS:
		u->stats.nr_counts = KB_NR_SYSCALLS;
		u->stats.counts = (uintptr_t)tmpl_counts;
		break;
	case KB_CMD_SET_RULES:
		if (!variant->one_rule)
			break;
		one = kb_rule(SYS_getppid, KB_TIER_STUBBED, KB_ACTION_FAKE, 7);
		u->set_rules.count = 1;
		u->set_rules.rule_size = sizeof(one);
		u->set_rules.rules = (uintptr_t)&one;
		break;
	case KB_CMD_GET_RULES:
		u->get_rules.count = 8;
		u->get_rules.rule_size = sizeof(tmpl_rules[0]);
		u->get_rules.rules = (uintptr_t)tmpl_rules;
		u->get_rules.hits = (uintptr_t)tmpl_hits;
		u->get_rules.strings = (uintptr_t)tmpl_strings;
		u->get_rules.strings_size = sizeof(tmpl_strings);
		break;
	case KB_CMD_SET_FASTPATH:
		tmpl_trap[0] = 1UL << SYS_close;
		u->fastpath.enable = 1;
		u->fastpath.nr_bits = KB_NR_SYSCALLS;
		u->fastpath.trap = (uintptr_t)tmpl_trap;
		u->fastpath.fd_floor = 100;
		u->fastpath.path_prefix_len = 4;
		memcpy(u->fastpath.path_prefix, "/kb/", 4);
		break;
	case KB_CMD_SET_SCOPE:
		u->scope.in_scope = 1;
		break;
	case KB_CMD_EXEC_RULE_ADD:
		exec_template(&u->add, no_file);
		break;
	case KB_CMD_EXEC_RULE_DEL:
		u->del.id = self->del_id;
		break;
	case KB_CMD_EXEC_RULE_LIST:
		u->list.count = LIST_CAP;
		u->list.info_size = sizeof(tmpl_infos[0]);
		u->list.rules = (uintptr_t)tmpl_infos;
		break;
	case KB_CMD_TASK_LIST:
		u->tasks.count = LIST_CAP;
		u->tasks.info_size = sizeof(tmpl_tasks[0]);
		u->tasks.tasks = (uintptr_t)tmpl_tasks;
		break;
	}
}

/* Before each call: the file it goes to (and what it needs), or -1. */
static int prep_call(struct _test_data_args *self,
		     const struct _fixture_variant_args *variant)
{
	switch (variant->nr) {
	case KB_CMD_SESSION_CREATE:
		return open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	case KB_CMD_EXEC_RULE_DEL:
		self->del_id = exec_add(self->fd, no_file);
		return self->del_id ? self->fd : -1;
	}
	return self->fd;
}

/* After each call: undo what it did, so that the next starts the same. */
static void done_call(struct __test_metadata *_metadata,
		      struct _test_data_args *self,
		      const struct _fixture_variant_args *variant, int fd,
		      const void *arg, unsigned int usize, int ret)
{
	const char *name = cmds[variant->nr].name;
	uint64_t id;

	switch (variant->nr) {
	case KB_CMD_SESSION_CREATE:
		close(fd);
		break;
	case KB_CMD_EXEC_RULE_ADD:
		if (ret)
			break;
		memcpy(&id, (const char *)arg +
		       offsetof(struct kb_exec_rule_add, id), sizeof(id));
		CHECK(id && !exec_del(self->fd, id),
		      "%s usize %u: cannot delete the rule it added (id %llu): %s",
		      name, usize, (unsigned long long)id, strerror(errno));
		break;
	case KB_CMD_EXEC_RULE_DEL:
		/* Deleted: gone. Not deleted: still there, and deleted now. */
		if (ret)
			CHECK(!exec_del(self->fd, self->del_id),
			      "%s usize %u failed (%s), yet rule %llu is gone",
			      name, usize, strerror(errno),
			      (unsigned long long)self->del_id);
		else
			CHECK(exec_del(self->fd, self->del_id) &&
			      errno == ENOENT,
			      "%s usize %u succeeded, yet rule %llu is still there",
			      name, usize, (unsigned long long)self->del_id);
		break;
	}
}

/* The answer of a call that succeeded, as far as the caller's size goes. */
static void verify_ok(struct __test_metadata *_metadata,
		      const struct _fixture_variant_args *variant,
		      const void *arg, unsigned int usize)
{
	const struct cmd_info *c = &cmds[variant->nr];
	const union {
		struct kb_version version;
		struct kb_session_create create;
		struct kb_session_join join;
		struct kb_syscall syscall;
		struct kb_session_stats stats;
		struct kb_get_rules get_rules;
		struct kb_set_fastpath fastpath;
		struct kb_set_personality pers;
		struct kb_exec_rule_add add;
		struct kb_exec_rule_list list;
		struct kb_task_list tasks;
	} *u = arg;

	/* Every field looked at is in the first version of its struct. */
	switch (variant->nr) {
	case KB_CMD_GET_VERSION:
		CHECK(u->version.api_version == KB_API_VERSION &&
		      u->version.nr_syscalls == KB_NR_SYSCALLS &&
		      memchr(u->version.release, 0, KB_VERSION_LEN),
		      "%s usize %u: api %u, nr_syscalls %u, release not NUL-terminated or wrong",
		      c->name, usize, u->version.api_version,
		      u->version.nr_syscalls);
		break;
	case KB_CMD_SESSION_CREATE:
		CHECK(u->create.session_id, "%s usize %u: session id 0",
		      c->name, usize);
		break;
	case KB_CMD_SESSION_JOIN:
		CHECK(u->join.members == 1, "%s usize %u: members %u, want 1",
		      c->name, usize, u->join.members);
		break;
	case KB_CMD_SYSCALL:
		CHECK(u->syscall.verdict == KB_VERDICT_EXECUTE &&
		      u->syscall.tier == KB_TIER_FULL &&
		      u->syscall.action == KB_ACTION_PASS,
		      "%s usize %u: verdict %u tier %u action %u, want a pass",
		      c->name, usize, u->syscall.verdict, u->syscall.tier,
		      u->syscall.action);
		break;
	case KB_CMD_SESSION_STATS:
		CHECK(u->stats.nr_counts == KB_NR_SYSCALLS,
		      "%s usize %u: nr_counts %u", c->name, usize,
		      u->stats.nr_counts);
		break;
	case KB_CMD_GET_RULES:
		CHECK(u->get_rules.count == 3 &&
		      u->get_rules.strings_size == sizeof(tmpl_glob),
		      "%s usize %u: count %u strings_size %u, want 3 and %zu",
		      c->name, usize, u->get_rules.count,
		      u->get_rules.strings_size, sizeof(tmpl_glob));
		break;
	case KB_CMD_SET_FASTPATH:
		CHECK(u->fastpath.armed == fastpath_armed,
		      "%s usize %u: armed %u, GET_VERSION says %u", c->name,
		      usize, u->fastpath.armed, fastpath_armed);
		break;
	case KB_CMD_EXEC_RULE_ADD:
		CHECK(u->add.id, "%s usize %u: rule id 0", c->name, usize);
		break;
	case KB_CMD_EXEC_RULE_LIST:
		CHECK(u->list.count >= 1, "%s usize %u: count %u, want >= 1",
		      c->name, usize, u->list.count);
		break;
	case KB_CMD_TASK_LIST:
		CHECK(u->tasks.count >= 1, "%s usize %u: count %u, want >= 1",
		      c->name, usize, u->tasks.count);
		break;
	}
}

/* The template cut to @usize (zeros past it), its size field @usize. */
static void build_arg(struct _test_data_args *self,
		      const struct _fixture_variant_args *variant,
		      unsigned char *tmpl, unsigned int usize)
{
	uint32_t size = usize;

	memset(tmpl, 0, MAX_ARG);
	fill_template(self, variant, tmpl);
	memcpy(tmpl, &size, sizeof(size));
	memset(tmpl + usize, 0, MAX_ARG - usize);
}

/*
 * The same call in ordinary memory, between two canaries: the result the
 * guarded call must give at this size. Returns false if it could not be
 * made.
 */
static bool reference_call(struct __test_metadata *_metadata,
			   struct _test_data_args *self,
			   const struct _fixture_variant_args *variant,
			   unsigned int usize, int *ret, int *err)
{
	const struct cmd_info *c = &cmds[variant->nr];
	unsigned char tmpl[MAX_ARG], buf[EXTRA + MAX_ARG + EXTRA];
	unsigned char *arg = buf + EXTRA;
	unsigned int i;
	int fd;

	fd = prep_call(self, variant);
	if (!CHECK(fd >= 0, "%s usize %u: cannot prepare the reference call: %s",
		   c->name, usize, strerror(errno)))
		return false;
	build_arg(self, variant, tmpl, usize);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = canary_at(i);
	memcpy(arg, tmpl, usize);
	*ret = ioctl(fd, c->cmd, arg);
	*err = *ret ? errno : 0;
	done_call(_metadata, self, variant, fd, arg, usize, *ret);

	for (i = 0; i < EXTRA; i++)
		if (buf[i] != canary_at(i))
			break;
	CHECK(i == EXTRA, "%s usize %u in ordinary memory: byte %d before the struct overwritten",
	      c->name, usize, (int)i - EXTRA);
	for (i = EXTRA + usize; i < sizeof(buf); i++)
		if (buf[i] != canary_at(i))
			break;
	CHECK(i == sizeof(buf), "%s usize %u in ordinary memory: byte %u past the struct overwritten",
	      c->name, usize, i - EXTRA);
	CHECK(!(*ret && *err == EFAULT),
	      "%s usize %u in ordinary memory: EFAULT (the template is broken)",
	      c->name, usize);
	return true;
}

TEST_F(args, every_size)
{
	const struct cmd_info *c = &cmds[variant->nr];
	unsigned char tmpl[MAX_ARG], *arg;
	unsigned int usize, kept;
	int ret, err, rret = 0, rerr = 0, fd;
	uint32_t size;
	long off;

	for (usize = 0; usize <= c->size + EXTRA; usize++) {
		bool have_ref = usize >= c->min_size;

		if (have_ref &&
		    !reference_call(_metadata, self, variant, usize, &rret,
				    &rerr))
			continue;

		fd = prep_call(self, variant);
		if (!CHECK(fd >= 0, "%s usize %u: cannot prepare the call: %s",
			   c->name, usize, strerror(errno)))
			continue;
		build_arg(self, variant, tmpl, usize);
		arg = region_put(&self->g, usize);
		memcpy(arg, tmpl, usize);
		ret = ioctl(fd, c->cmd, arg);
		err = ret ? errno : 0;
		done_call(_metadata, self, variant, fd, arg, usize, ret);

		if (usize < sizeof(size))
			CHECK(ended(ret, err, EFAULT),
			      "%s usize %u: %s, want EFAULT (the size field runs into the guard page)",
			      c->name, usize, res(ret, err));
		else if (usize < c->min_size)
			CHECK(ended(ret, err, EINVAL),
			      "%s usize %u: %s, want EINVAL (below the first version, %u)",
			      c->name, usize, res(ret, err), c->min_size);
		else if (CHECK(!(ret && err == EFAULT),
			       "%s usize %u: EFAULT, though the struct lies in readable memory (ordinary memory: %s)",
			       c->name, usize, res(rret, rerr)))
			CHECK(ret == rret && err == rerr,
			      "%s usize %u: %s at the guard page, %s in ordinary memory",
			      c->name, usize, res(ret, err), res(rret, rerr));
		/* A valid argument of any later size works as well. */
		if (usize >= c->size)
			CHECK(!ret || (c->list && err == ENOSPC),
			      "%s usize %u (zero tail): %s, want success",
			      c->name, usize, res(ret, err));

		off = region_check(&self->g, arg);
		CHECK(off < 0, "%s usize %u: %s, canary byte at offset %ld from the struct overwritten",
		      c->name, usize, res(ret, err),
		      off - (long)(self->g.len - usize));
		kept = usize < c->size ? usize : c->size;
		off = first_nonzero(arg + kept, usize - kept);
		CHECK(off < 0, "%s usize %u: %s, byte %ld of the tail past the module's %u-byte struct written",
		      c->name, usize, res(ret, err), kept + off, c->size);
		if (ret && err != ENOSPC) {
			off = first_diff(arg, tmpl, usize);
			CHECK(off < 0, "%s usize %u: failed (%s) but changed byte %ld of the struct",
			      c->name, usize, res(ret, err), off);
			continue;
		}
		memcpy(&size, arg, sizeof(size));
		CHECK(size == usize, "%s usize %u: %s, the size field now says %u",
		      c->name, usize, res(ret, err), size);
		if (!ret)
			verify_ok(_metadata, variant, arg, usize);
	}
}

/*
 * FIXTURE(arrays): the arrays the module writes through the pointers of
 * SESSION_STATS, GET_RULES, EXEC_RULE_LIST and TASK_LIST.
 */

FIXTURE(arrays) {
	int fd;
	struct region a, b, c;
	uint64_t ids[4];
	unsigned int nids;
};

FIXTURE_SETUP(arrays)
{
	self->fd = -1;
	self->nids = 0;
	memset(&self->a, 0, sizeof(self->a));
	memset(&self->b, 0, sizeof(self->b));
	memset(&self->c, 0, sizeof(self->c));
	OPEN_DEVICE(self->fd);
}

FIXTURE_TEARDOWN(arrays)
{
	region_unmap(&self->a);
	region_unmap(&self->b);
	region_unmap(&self->c);
	if (self->fd >= 0) {
		exec_cleanup(self->fd);
		close(self->fd);
	}
	REPORT_CHECKS();
}

/* SESSION_STATS with @n counts claimed and @room bytes before the guard. */
static void stats_case(struct __test_metadata *_metadata, int fd,
		       struct region *r, const uint64_t *want,
		       unsigned int n, size_t room, int expect)
{
	unsigned int w = n < KB_NR_SYSCALLS ? n : KB_NR_SYSCALLS;
	unsigned char *p = region_put(r, room);
	struct kb_session_stats st = {
		.size = sizeof(st), .nr_counts = n, .counts = (uintptr_t)p,
	};
	int ret, err;
	long off;

	fill_array(p, room);
	ret = ioctl(fd, KB_IOC_SESSION_STATS, &st);
	err = ret ? errno : 0;
	CHECK(ended(ret, err, expect),
	      "SESSION_STATS nr_counts %u, %zu bytes before the guard: %s, want %s",
	      n, room, res(ret, err), res(expect ? -1 : 0, expect));
	off = region_check(r, p);
	CHECK(off < 0, "SESSION_STATS nr_counts %u, room %zu: canary byte %ld before counts overwritten",
	      n, room, off);
	if (expect)
		return;
	CHECK(st.nr_counts == KB_NR_SYSCALLS,
	      "SESSION_STATS nr_counts %u: reports %u", n, st.nr_counts);
	off = first_diff(p, want, (size_t)w * sizeof(*want));
	CHECK(off < 0, "SESSION_STATS nr_counts %u: counts[%ld] wrong",
	      n, off / (long)sizeof(*want));
	off = array_changed(p, (size_t)w * sizeof(*want), room);
	CHECK(off < 0, "SESSION_STATS nr_counts %u: byte %ld past the %u counts the module has written",
	      n, off, w);
}

TEST_F(arrays, stats_counts)
{
	static const struct { unsigned int nr, times; } calls[] = {
		{ 0, 1 }, { 1, 2 }, { SYS_getpid, 3 },
		{ KB_NR_SYSCALLS - 1, 1 }, { KB_NR_SYSCALLS + 100, 1 },
	};
	static uint64_t want[KB_NR_SYSCALLS];
	struct kb_session_stats st;
	unsigned int i, j, n;

	ASSERT_EQ(0, kb_create(self->fd, NULL));
	ASSERT_EQ(1, kb_join(self->fd));
	for (i = 0; i < ARRAY_SIZE(calls); i++)
		for (j = 0; j < calls[i].times; j++)
			ASSERT_EQ(0, kb_call(self->fd, calls[i].nr, NULL));
	ASSERT_EQ(0, kb_stats(self->fd, &st, want));
	ASSERT_EQ(8u, st.total);
	ASSERT_EQ(1u, want[0]);
	ASSERT_EQ(2u, want[1]);
	ASSERT_EQ(3u, want[SYS_getpid]);
	ASSERT_EQ(1u, want[KB_NR_SYSCALLS - 1]);
	ASSERT_EQ(0, region_map(&self->a, (KB_NR_SYSCALLS + 8) * 8));

	/* Exact room for every count; past nr_syscalls nothing is written. */
	for (n = 0; n <= KB_NR_SYSCALLS + 8; n++)
		stats_case(_metadata, self->fd, &self->a, want, n,
			   (size_t)n * 8, 0);
	/* Claims past nr_syscalls need room for nr_syscalls only. */
	stats_case(_metadata, self->fd, &self->a, want, KB_NR_SYSCALLS + 8,
		   KB_NR_SYSCALLS * 8, 0);
	stats_case(_metadata, self->fd, &self->a, want, 0xffffffffu,
		   KB_NR_SYSCALLS * 8, 0);
	/* The last count claimed runs one byte into the guard page. */
	for (n = 1; n <= KB_NR_SYSCALLS + 8; n += n < 4 ? 1 : 127)
		stats_case(_metadata, self->fd, &self->a, want, n,
			   (size_t)(n < KB_NR_SYSCALLS ? n : KB_NR_SYSCALLS) *
			   8 - 1, EFAULT);
	/* Still there afterwards. */
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
}

/* GET_RULES: the policy as read in ordinary memory. */
struct rules_ref {
	struct kb_rule_desc rules[8];
	uint64_t hits[8];
	char strings[256];
	unsigned int count, strings_size;
};

/* One GET_RULES call; each array has its room before its guard page. */
struct rules_case {
	unsigned int rule_size, count, strings_size;
	size_t rules_room, hits_room, strings_room;
	bool no_hits;
	int expect;		/* 0, ENOSPC or EFAULT */
};

static void rules_case(struct __test_metadata *_metadata, int fd,
		       struct region *ra, struct region *rh,
		       struct region *rs, const struct rules_ref *ref,
		       const struct rules_case *k)
{
	unsigned char *rp = region_put(ra, k->rules_room);
	unsigned char *hp = region_put(rh, k->hits_room);
	unsigned char *sp = region_put(rs, k->strings_room);
	unsigned int usize = k->rule_size, i;
	size_t cut = usize < sizeof(struct kb_rule_desc) ?
		     usize : sizeof(struct kb_rule_desc);
	struct kb_get_rules g = {
		.size = sizeof(g), .count = k->count, .rule_size = usize,
		.rules = (uintptr_t)rp, .hits = k->no_hits ? 0 : (uintptr_t)hp,
		.strings = (uintptr_t)sp, .strings_size = k->strings_size,
	};
	char what[160];
	int ret, err;
	long off;

	snprintf(what, sizeof(what),
		 "GET_RULES rule_size %u count %u strings_size %u%s (room: rules %zu, hits %zu, strings %zu)",
		 usize, k->count, k->strings_size,
		 k->no_hits ? " no hits" : "", k->rules_room, k->hits_room,
		 k->strings_room);
	fill_array(rp, k->rules_room);
	fill_array(hp, k->hits_room);
	fill_array(sp, k->strings_room);
	ret = ioctl(fd, KB_IOC_GET_RULES, &g);
	err = ret ? errno : 0;

	CHECK(ended(ret, err, k->expect), "%s: %s, want %s", what,
	      res(ret, err), res(k->expect ? -1 : 0, k->expect));
	off = region_check(ra, rp);
	CHECK(off < 0, "%s: canary byte %ld before rules overwritten", what,
	      off);
	off = region_check(rh, hp);
	CHECK(off < 0, "%s: canary byte %ld before hits overwritten", what,
	      off);
	off = region_check(rs, sp);
	CHECK(off < 0, "%s: canary byte %ld before strings overwritten",
	      what, off);
	if (k->expect == EFAULT)
		return;
	CHECK(g.count == ref->count && g.strings_size == ref->strings_size,
	      "%s: count %u strings_size %u back, want %u and %u", what,
	      g.count, g.strings_size, ref->count, ref->strings_size);
	if (k->expect == ENOSPC || k->no_hits || !k->count) {
		off = array_changed(hp, 0, k->hits_room);
		CHECK(off < 0, "%s: hits byte %ld written", what, off);
	}
	/* ENOSPC, or a size query: no array is written. */
	if (k->expect == ENOSPC || (!k->count && !k->strings_size)) {
		off = array_changed(rp, 0, k->rules_room);
		CHECK(off < 0, "%s: rules byte %ld (entry %ld) written", what,
		      off, off / (long)usize);
		off = array_changed(sp, 0, k->strings_room);
		CHECK(off < 0, "%s: strings byte %ld written", what, off);
		return;
	}

	for (i = 0; i < ref->count; i++) {
		struct kb_rule_desc want = ref->rules[i];
		const unsigned char *e = rp + (size_t)i * usize;

		/* @path points into the caller's strings, at the same offset. */
		if (want.path)
			want.path = (uintptr_t)sp +
				    (want.path - (uintptr_t)ref->strings);
		off = first_diff(e, &want, cut);
		CHECK(off < 0, "%s: entry %u byte %ld differs from the policy",
		      what, i, off);
		off = first_nonzero(e + cut, usize - cut);
		CHECK(off < 0, "%s: entry %u byte %ld of the zero tail is not 0",
		      what, i, (long)cut + off);
	}
	if (!k->no_hits) {
		off = first_diff(hp, ref->hits, ref->count * sizeof(uint64_t));
		CHECK(off < 0, "%s: hits[%ld] wrong", what, off / 8);
	}
	off = first_diff(sp, ref->strings, ref->strings_size);
	CHECK(off < 0, "%s: strings byte %ld wrong", what, off);
}

TEST_F(arrays, get_rules)
{
	static const char glob1[] = "/etc/*";
	static const char glob2[] = "/var/kbridge-bounds/[a-z]?/*";
	struct kb_rule_desc set[4] = {
		kb_rule(SYS_getppid, KB_TIER_STUBBED, KB_ACTION_STUB, EPERM),
		kb_rule(SYS_openat, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		kb_cond_path(SYS_openat, 1, glob1, KB_ACTION_STUB, EACCES),
		kb_cond_path(SYS_openat, 1, glob2, KB_ACTION_FAKE, 7),
	};
	const unsigned int max = sizeof(struct kb_rule_desc) + EXTRA;
	static struct rules_ref ref;
	struct rules_case k;
	unsigned int n, s, rsz;

	ASSERT_EQ(0, kb_create(self->fd, NULL));
	ASSERT_EQ(1, kb_join(self->fd));
	ASSERT_EQ(0, kb_rules_set(self->fd, set, 4));
	/* Two stubbed calls: the first entry's hits. */
	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, NULL));
	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, NULL));
	ref.count = ARRAY_SIZE(ref.rules);
	ref.strings_size = sizeof(ref.strings);
	ASSERT_EQ(0, kb_rules_get(self->fd, ref.rules, ref.hits, &ref.count,
				  ref.strings, &ref.strings_size));
	n = ref.count;
	s = ref.strings_size;
	ASSERT_EQ(4u, n);
	ASSERT_EQ(sizeof(glob1) + sizeof(glob2), s);
	ASSERT_EQ((__u32)SYS_getppid, ref.rules[0].nr);
	ASSERT_EQ(2u, ref.hits[0]);
	ASSERT_EQ(KB_MATCH_PATH, ref.rules[3].match);
	ASSERT_EQ(0, region_map(&self->a, n * max));
	ASSERT_EQ(0, region_map(&self->b, n * 8));
	ASSERT_EQ(0, region_map(&self->c, s));

	for (rsz = RULE_MIN; rsz <= max; rsz++) {
		/* Exact room everywhere. */
		k = (struct rules_case){
			.rule_size = rsz, .count = n, .strings_size = s,
			.rules_room = (size_t)n * rsz, .hits_room = n * 8,
			.strings_room = s,
		};
		rules_case(_metadata, self->fd, &self->a, &self->b, &self->c,
			   &ref, &k);
		/* Without hits. */
		k.no_hits = true;
		rules_case(_metadata, self->fd, &self->a, &self->b, &self->c,
			   &ref, &k);
		k.no_hits = false;
		/* One entry short: nothing written. */
		k.count = n - 1;
		k.rules_room = (size_t)(n - 1) * rsz;
		k.hits_room = (n - 1) * 8;
		k.expect = ENOSPC;
		rules_case(_metadata, self->fd, &self->a, &self->b, &self->c,
			   &ref, &k);
		/* One string byte short: nothing written. */
		k.count = n;
		k.rules_room = (size_t)n * rsz;
		k.hits_room = n * 8;
		k.strings_size = s - 1;
		k.strings_room = s - 1;
		rules_case(_metadata, self->fd, &self->a, &self->b, &self->c,
			   &ref, &k);
		/* Each array in turn ends one byte inside its guard page. */
		k.expect = EFAULT;
		k.strings_size = s;
		k.rules_room = (size_t)n * rsz - 1;
		rules_case(_metadata, self->fd, &self->a, &self->b, &self->c,
			   &ref, &k);
		k.rules_room = (size_t)n * rsz;
		k.hits_room = n * 8 - 1;
		rules_case(_metadata, self->fd, &self->a, &self->b, &self->c,
			   &ref, &k);
		k.hits_room = n * 8;
		k.strings_room = s - 1;
		rules_case(_metadata, self->fd, &self->a, &self->b, &self->c,
			   &ref, &k);
	}
	/* A size query touches no array; the policy is intact. */
	k = (struct rules_case){ .rule_size = 0 };
	rules_case(_metadata, self->fd, &self->a, &self->b, &self->c, &ref,
		   &k);
}

/*
 * EXEC_RULE_LIST and TASK_LIST take the same struct: a count, an entry
 * size and a pointer.
 */
_Static_assert(sizeof(struct kb_exec_rule_list) ==
	       sizeof(struct kb_task_list) &&
	       offsetof(struct kb_exec_rule_list, count) ==
	       offsetof(struct kb_task_list, count) &&
	       offsetof(struct kb_exec_rule_list, info_size) ==
	       offsetof(struct kb_task_list, info_size) &&
	       offsetof(struct kb_exec_rule_list, rules) ==
	       offsetof(struct kb_task_list, tasks),
	       "the two list commands differ");

struct list_kind {
	const char *name;
	unsigned long cmd;
	unsigned int size;	/* sizeof the entry */
	unsigned int min_size;	/* its first version */
	void (*mask)(void *entry); /* zero what may change between calls */
};

static void mask_exec_info(void *entry)
{
	struct kb_exec_rule_info *r = entry;

	r->members = 0;
	r->calls = 0;
	r->execs = 0;
}

static const struct list_kind exec_list = {
	.name = "EXEC_RULE_LIST", .cmd = KB_IOC_EXEC_RULE_LIST,
	.size = sizeof(struct kb_exec_rule_info),
	.min_size = KB_EXEC_RULE_INFO_SIZE_VER0,
	.mask = mask_exec_info,
};

static const struct list_kind task_list = {
	.name = "TASK_LIST", .cmd = KB_IOC_TASK_LIST,
	.size = sizeof(struct kb_task_info),
	.min_size = KB_TASK_INFO_SIZE_VER0,
};

/* The whole list in ordinary memory, full-size entries: how many, or -1. */
static int list_snapshot(int fd, const struct list_kind *kind, void *buf,
			 unsigned int cap)
{
	struct kb_task_list l = {
		.size = sizeof(l), .count = cap, .info_size = kind->size,
		.tasks = (uintptr_t)buf,
	};

	if (ioctl(fd, kind->cmd, &l))
		return -1;
	return l.count;
}

/*
 * One list call of @count entries of @isize bytes, with @room bytes
 * before the guard page; @ref holds the @n entries there are.
 */
static void list_case(struct __test_metadata *_metadata, int fd,
		      const struct list_kind *kind, struct region *r,
		      const unsigned char *ref, unsigned int n,
		      unsigned int isize, unsigned int count, size_t room,
		      int expect)
{
	unsigned char *p = region_put(r, room);
	size_t cut = isize < kind->size ? isize : kind->size;
	struct kb_task_list l = {
		.size = sizeof(l), .count = count, .info_size = isize,
		.tasks = (uintptr_t)p,
	};
	unsigned char got[1024], want[1024];
	unsigned int i;
	int ret, err;
	long off;

	fill_array(p, room);
	ret = ioctl(fd, kind->cmd, &l);
	err = ret ? errno : 0;
	CHECK(ended(ret, err, expect),
	      "%s info_size %u count %u (%u listed, room %zu): %s, want %s",
	      kind->name, isize, count, n, room, res(ret, err),
	      res(expect ? -1 : 0, expect));
	off = region_check(r, p);
	CHECK(off < 0, "%s info_size %u count %u: canary byte %ld before the array overwritten",
	      kind->name, isize, count, off);
	if (expect == EFAULT)
		return;
	CHECK(l.count == n, "%s info_size %u count %u: count %u back, want %u",
	      kind->name, isize, count, l.count, n);
	if (expect == ENOSPC) {
		off = array_changed(p, 0, room);
		CHECK(off < 0, "%s info_size %u count %u: ENOSPC, yet byte %ld (entry %ld) written",
		      kind->name, isize, count, off, off / (long)isize);
		return;
	}
	for (i = 0; i < n && i < count; i++) {
		const unsigned char *e = p + (size_t)i * isize;

		memset(got, 0, sizeof(got));
		memcpy(got, e, cut);
		memcpy(want, ref + (size_t)i * kind->size, kind->size);
		if (kind->mask) {
			kind->mask(got);
			kind->mask(want);
		}
		off = first_diff(got, want, cut);
		CHECK(off < 0, "%s info_size %u: entry %u byte %ld differs from the list in ordinary memory",
		      kind->name, isize, i, off);
		off = first_nonzero(e + cut, isize - cut);
		CHECK(off < 0, "%s info_size %u: entry %u byte %ld of the zero tail is not 0",
		      kind->name, isize, i, (long)cut + off);
	}
	off = array_changed(p, (size_t)n * isize, room);
	CHECK(off < 0, "%s info_size %u count %u: byte %ld past the %u entries written",
	      kind->name, isize, count, off, n);
}

/* Every entry size, each with exact room, one entry short, one byte short. */
static void list_sizes(struct __test_metadata *_metadata, int fd,
		       const struct list_kind *kind, struct region *r,
		       unsigned char *ref, unsigned int cap)
{
	unsigned int isize, n;
	int got;

	for (isize = kind->min_size; isize <= kind->size + EXTRA; isize++) {
		/* Afresh each time: the list must not change meanwhile. */
		got = list_snapshot(fd, kind, ref, cap);
		if (!CHECK(got >= 0, "%s: cannot list in ordinary memory: %s",
			   kind->name, strerror(errno)))
			return;
		n = got;
		list_case(_metadata, fd, kind, r, ref, n, isize, n,
			  (size_t)n * isize, 0);
		if (!n)
			continue;
		list_case(_metadata, fd, kind, r, ref, n, isize, n - 1,
			  (size_t)(n - 1) * isize, ENOSPC);
		/* Too little room, too: still ENOSPC, still nothing written. */
		if (n > 1)
			list_case(_metadata, fd, kind, r, ref, n, isize, n - 1,
				  (size_t)(n - 2) * isize + 1, ENOSPC);
		if (isize == kind->min_size || isize == kind->size ||
		    isize == kind->size + EXTRA)
			list_case(_metadata, fd, kind, r, ref, n, isize, n,
				  (size_t)n * isize - 1, EFAULT);
	}
}

TEST_F(arrays, exec_rule_list)
{
	static struct kb_exec_rule_info ref[64];
	static const unsigned int present[] = { 0, 1, 3 };
	char pattern[3][64];
	unsigned int i, j, found, n;
	int got;

	got = list_snapshot(self->fd, &exec_list, ref, ARRAY_SIZE(ref));
	ASSERT_LE(0, got) {
		TH_LOG("EXEC_RULE_LIST: %s", strerror(errno));
	}
	ASSERT_GE(ARRAY_SIZE(ref) - 3, (unsigned int)got);
	ASSERT_EQ(0, region_map(&self->a, (got + 3) *
				(sizeof(ref[0]) + EXTRA)));
	for (i = 0; i < ARRAY_SIZE(present); i++) {
		while (self->nids < present[i]) {
			j = self->nids;
			snprintf(pattern[j], sizeof(pattern[j]),
				 "/nonexistent/kbridge-bounds/%u/*", j);
			self->ids[j] = exec_add(self->fd, pattern[j]);
			ASSERT_NE(0u, self->ids[j]) {
				TH_LOG("EXEC_RULE_ADD: %s", strerror(errno));
			}
			self->nids++;
		}
		got = list_snapshot(self->fd, &exec_list, ref, ARRAY_SIZE(ref));
		ASSERT_LE(0, got);
		n = got;
		/* Ours are listed, as added. */
		for (j = 0, found = 0; j < n; j++) {
			if (!memcmp(ref[j].name, "bounds", 7) &&
			    !strncmp(ref[j].pattern, "/nonexistent/kbridge-bounds/", 28))
				found++;
		}
		EXPECT_EQ(self->nids, found);
		list_sizes(_metadata, self->fd, &exec_list, &self->a,
			   (unsigned char *)ref, ARRAY_SIZE(ref));
	}
}

/* A thread that tells its id and waits for the pipe to close. */
struct waiter {
	pthread_t th;
	int fd;
	pid_t tid;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	char c;

	__atomic_store_n(&w->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	while (read(w->fd, &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

TEST_F(arrays, task_list)
{
	static struct kb_task_info ref[256];
	struct waiter w[2];
	pid_t want[4], child;
	uint64_t sid;
	unsigned int i, j, ours = 0, matched = 0;
	int p[2], got, status;
	char c;

	ASSERT_EQ(0, kb_create(self->fd, &sid));
	ASSERT_EQ(1, kb_join(self->fd));
	ASSERT_EQ(0, pipe(p));
	/* Two threads and a child join by being created. */
	for (i = 0; i < 2; i++) {
		w[i].fd = p[0];
		w[i].tid = 0;
		ASSERT_EQ(0, pthread_create(&w[i].th, NULL, wait_thread, &w[i]));
	}
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) < 0);
	}
	for (i = 0; i < 2; i++)
		while (!__atomic_load_n(&w[i].tid, __ATOMIC_ACQUIRE))
			usleep(1000);
	want[0] = getpid();
	want[1] = w[0].tid;
	want[2] = w[1].tid;
	want[3] = child;

	got = list_snapshot(self->fd, &task_list, ref, ARRAY_SIZE(ref));
	ASSERT_LE(0, got) {
		TH_LOG("TASK_LIST: %s", strerror(errno));
	}
	ASSERT_GT(ARRAY_SIZE(ref), (unsigned int)got);
	/* Ours are the four tasks, each once, with their process's id. */
	for (i = 0; i < (unsigned int)got; i++) {
		if (ref[i].session != sid)
			continue;
		ours++;
		for (j = 0; j < 4; j++)
			if (ref[i].pid == (uint32_t)want[j] &&
			    ref[i].tgid == (uint32_t)(j == 3 ? child : want[0]))
				matched |= 1U << j;
		EXPECT_EQ(0u, ref[i].rule);
		EXPECT_EQ(0u, ref[i].flags);
	}
	EXPECT_EQ(4u, ours);
	EXPECT_EQ(0xfu, matched);

	ASSERT_EQ(0, region_map(&self->a, (got + 1) *
				(sizeof(ref[0]) + EXTRA)));
	list_sizes(_metadata, self->fd, &task_list, &self->a,
		   (unsigned char *)ref, ARRAY_SIZE(ref));

	close(p[1]);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_join(w[i].th, NULL));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, status);
	close(p[0]);
}

/*
 * FIXTURE(reads): the buffers the module reads through the pointers of
 * SET_RULES, SET_FASTPATH and EXEC_RULE_ADD end at a guard page.
 */

FIXTURE(reads) {
	int fd;
	struct region a, b;
};

FIXTURE_SETUP(reads)
{
	self->fd = -1;
	memset(&self->a, 0, sizeof(self->a));
	memset(&self->b, 0, sizeof(self->b));
	OPEN_DEVICE(self->fd);
	ASSERT_EQ(0, region_map(&self->a, 2 * page));
	ASSERT_EQ(0, region_map(&self->b, KB_PATH_MAX + 1));
}

FIXTURE_TEARDOWN(reads)
{
	region_unmap(&self->a);
	region_unmap(&self->b);
	if (self->fd >= 0) {
		exec_cleanup(self->fd);
		close(self->fd);
	}
	REPORT_CHECKS();
}

/* The FAKE value of @nr's rule in the session's policy, or -1. */
static int64_t fake_value(int fd, unsigned int nr)
{
	struct kb_rule_desc d[8];
	unsigned int count = ARRAY_SIZE(d), ssize = 0, i;

	if (kb_rules_get(fd, d, NULL, &count, NULL, &ssize))
		return -1;
	for (i = 0; i < count; i++)
		if (d[i].nr == nr && d[i].action == KB_ACTION_FAKE)
			return d[i].value;
	return -1;
}

/*
 * SET_RULES with @room bytes of two entries of @rsz bytes each before the
 * guard page (the getppid one fakes @value).
 */
static void set_rules_case(struct __test_metadata *_metadata, int fd,
			   struct region *r, unsigned int rsz, int64_t value,
			   size_t room, int expect)
{
	struct kb_rule_desc d[2] = {
		kb_rule(SYS_getppid, KB_TIER_STUBBED, KB_ACTION_FAKE, value),
		kb_rule(SYS_getpid, KB_TIER_STUBBED, KB_ACTION_STUB, EPERM),
	};
	size_t cut = rsz < sizeof(d[0]) ? rsz : sizeof(d[0]);
	unsigned char buf[2 * (sizeof(d[0]) + EXTRA)] = { 0 };
	unsigned char *p = region_put(r, room);
	struct kb_set_rules s = {
		.size = sizeof(s), .count = 2, .rule_size = rsz,
		.rules = (uintptr_t)p,
	};
	int ret, err;
	long off;

	memcpy(buf, &d[0], cut);
	memcpy(buf + rsz, &d[1], cut);
	memcpy(p, buf, room);
	ret = ioctl(fd, KB_IOC_SET_RULES, &s);
	err = ret ? errno : 0;
	CHECK(ended(ret, err, expect),
	      "SET_RULES rule_size %u count 2, %zu bytes before the guard: %s, want %s",
	      rsz, room, res(ret, err), res(expect ? -1 : 0, expect));
	off = region_check(r, p);
	CHECK(off < 0, "SET_RULES rule_size %u: canary byte %ld before the entries overwritten",
	      rsz, off);
	off = first_diff(p, buf, room);
	CHECK(off < 0, "SET_RULES rule_size %u: the module wrote to its input (byte %ld)",
	      rsz, off);
}

TEST_F(reads, set_rules)
{
	const unsigned int max = sizeof(struct kb_rule_desc) + EXTRA;
	struct kb_rule_desc d[2];
	unsigned int rsz, len;
	unsigned char *glob;
	int64_t v;
	int ret;

	ASSERT_EQ(0, kb_create(self->fd, NULL));
	for (rsz = RULE_MIN; rsz <= max; rsz++) {
		set_rules_case(_metadata, self->fd, &self->a, rsz, rsz,
			       2 * rsz, 0);
		v = fake_value(self->fd, SYS_getppid);
		CHECK(v == rsz, "SET_RULES rule_size %u: getppid fakes %lld, want %u",
		      rsz, (long long)v, rsz);
		/* The second entry's last byte is in the guard page. */
		set_rules_case(_metadata, self->fd, &self->a, rsz, rsz + 1000,
			       2 * rsz - 1, EFAULT);
		v = fake_value(self->fd, SYS_getppid);
		CHECK(v == rsz, "SET_RULES rule_size %u: EFAULT, yet the policy changed (getppid fakes %lld)",
		      rsz, (long long)v);
	}

	/* A glob whose last byte is the last readable one, with no NUL. */
	for (len = 1; len <= KB_PATH_MAX; len = len < 8 ? len + 1 : len * 4) {
		if (len > KB_PATH_MAX / 4 && len < KB_PATH_MAX)
			len = KB_PATH_MAX;
		glob = region_put(&self->b, len);
		memset(glob, 'g', len);
		glob[0] = '/';
		d[0] = kb_rule(SYS_openat, KB_TIER_PARTIAL, KB_ACTION_PASS, 0);
		d[1] = kb_cond_path(SYS_openat, 1, "", KB_ACTION_STUB, EACCES);
		d[1].path = (uintptr_t)glob;
		d[1].path_len = len;
		ret = kb_rules_set(self->fd, d, 2);
		CHECK(!ret, "SET_RULES glob of %u bytes ending at the guard page: %s, want 0",
		      len, res(ret, errno));
		CHECK(region_check(&self->b, glob) < 0,
		      "SET_RULES glob of %u bytes: canary before it overwritten",
		      len);
		/* One byte more than there is: EFAULT. */
		d[1].path = (uintptr_t)region_put(&self->b, len - 1);
		memset((void *)(uintptr_t)d[1].path, 'h', len - 1);
		ret = kb_rules_set(self->fd, d, 2);
		CHECK(ended(ret, errno, EFAULT),
		      "SET_RULES glob of %u bytes, the last in the guard page: %s, want EFAULT",
		      len, res(ret, errno));
		if (len == KB_PATH_MAX)
			break;
	}
}

TEST_F(reads, set_fastpath_trap)
{
	const size_t bytes = KB_TRAP_WORDS * sizeof(unsigned long);
	struct kb_set_fastpath f = {
		.size = sizeof(f), .nr_bits = KB_NR_SYSCALLS,
	};
	unsigned char *trap;
	int ret;

	ASSERT_EQ(0, kb_create(self->fd, NULL));
	ASSERT_EQ((size_t)KB_NR_SYSCALLS / 8, bytes);
	trap = region_put(&self->a, bytes);
	memset(trap, 0, bytes);
	trap[0] = 1U << 3;
	f.trap = (uintptr_t)trap;
	ret = ioctl(self->fd, KB_IOC_SET_FASTPATH, &f);
	CHECK(!ret, "SET_FASTPATH trap bitmap ending at the guard page: %s, want 0",
	      res(ret, errno));
	CHECK(region_check(&self->a, trap) < 0,
	      "SET_FASTPATH: canary before the trap bitmap overwritten");
	trap = region_put(&self->a, bytes - 1);
	memset(trap, 0, bytes - 1);
	f.trap = (uintptr_t)trap;
	ret = ioctl(self->fd, KB_IOC_SET_FASTPATH, &f);
	CHECK(ended(ret, errno, EFAULT),
	      "SET_FASTPATH trap bitmap one byte into the guard page: %s, want EFAULT",
	      res(ret, errno));
}

/* EXEC_RULE_ADD of @a, deleted again when added; 0 or -1 with errno. */
static int add_del(int fd, struct kb_exec_rule_add *a, char *pattern_back,
		   size_t len)
{
	static struct kb_exec_rule_info infos[64];
	int ret = ioctl(fd, KB_IOC_EXEC_RULE_ADD, a), err = errno, n, i;

	if (ret)
		return ret;
	/* What the module copied of the pattern, as it lists it. */
	n = list_snapshot(fd, &exec_list, infos, ARRAY_SIZE(infos));
	for (i = 0; pattern_back && i < n; i++)
		if (infos[i].id == a->id)
			snprintf(pattern_back, len, "%s", infos[i].pattern);
	exec_del(fd, a->id);
	errno = err;
	return 0;
}

TEST_F(reads, exec_rule_add)
{
	static const char cmd[] = "/bin/sh\0-c\0:";
	struct kb_rule_desc rule = kb_rule(SYS_getppid, KB_TIER_STUBBED,
					   KB_ACTION_FAKE, 1);
	const unsigned int max = sizeof(rule) + EXTRA;
	struct kb_exec_rule_add a;
	char back[KB_EXEC_PATTERN_SHOW];
	unsigned char *p;
	unsigned int rsz, len = sizeof(no_file) - 1;
	int ret;

	/* The pattern, its last byte the last readable one, no NUL. */
	exec_template(&a, no_file);
	p = region_put(&self->b, len);
	memcpy(p, no_file, len);
	a.pattern = (uintptr_t)p;
	back[0] = 0;
	ret = add_del(self->fd, &a, back, sizeof(back));
	CHECK(!ret, "EXEC_RULE_ADD pattern of %u bytes ending at the guard page: %s, want 0",
	      len, res(ret, errno));
	CHECK(!ret && !strcmp(back, no_file),
	      "EXEC_RULE_ADD pattern ending at the guard page: listed as '%s'",
	      back);
	a.pattern = (uintptr_t)region_put(&self->b, len - 1);
	ret = add_del(self->fd, &a, NULL, 0);
	CHECK(ended(ret, errno, EFAULT),
	      "EXEC_RULE_ADD pattern one byte into the guard page: %s, want EFAULT",
	      res(ret, errno));

	/* A KB_EXEC_RUNTIME command, its last NUL the last readable byte. */
	exec_template(&a, no_file);
	a.flags = KB_EXEC_RUNTIME;
	a.runtime_len = sizeof(cmd);
	p = region_put(&self->a, sizeof(cmd));
	memcpy(p, cmd, sizeof(cmd));
	a.runtime = (uintptr_t)p;
	ret = add_del(self->fd, &a, NULL, 0);
	CHECK(!ret, "EXEC_RULE_ADD command of %zu bytes ending at the guard page: %s, want 0",
	      sizeof(cmd), res(ret, errno));
	p = region_put(&self->a, sizeof(cmd) - 1);
	memcpy(p, cmd, sizeof(cmd) - 1);
	a.runtime = (uintptr_t)p;
	ret = add_del(self->fd, &a, NULL, 0);
	CHECK(ended(ret, errno, EFAULT),
	      "EXEC_RULE_ADD command one byte into the guard page: %s, want EFAULT",
	      res(ret, errno));

	/* A policy of one entry in every entry size (needs the fast path). */
	if (!fastpath_armed) {
		TH_LOG("fast path not armed: exec rules with a policy not tried");
		return;
	}
	for (rsz = RULE_MIN; rsz <= max; rsz++) {
		exec_template(&a, no_file);
		a.count = 1;
		a.rule_size = rsz;
		p = region_put(&self->a, rsz);
		memset(p, 0, rsz);
		memcpy(p, &rule, rsz < sizeof(rule) ? rsz : sizeof(rule));
		a.rules = (uintptr_t)p;
		ret = add_del(self->fd, &a, NULL, 0);
		CHECK(!ret, "EXEC_RULE_ADD rule_size %u, the entry ending at the guard page: %s, want 0",
		      rsz, res(ret, errno));
		CHECK(region_check(&self->a, p) < 0,
		      "EXEC_RULE_ADD rule_size %u: canary before the entry overwritten",
		      rsz);
		a.rules = (uintptr_t)region_put(&self->a, rsz - 1);
		memset((void *)(uintptr_t)a.rules, 0, rsz - 1);
		memcpy((void *)(uintptr_t)a.rules, &rule,
		       rsz - 1 < sizeof(rule) ? rsz - 1 : sizeof(rule));
		ret = add_del(self->fd, &a, NULL, 0);
		CHECK(ended(ret, errno, EFAULT),
		      "EXEC_RULE_ADD rule_size %u, the entry one byte into the guard page: %s, want EFAULT",
		      rsz, res(ret, errno));
	}
}

/*
 * A command that changes something, given a struct it can read but not
 * write back, is EFAULT and changes nothing: the module checks that the
 * answer can be delivered before it acts. Otherwise the change would be
 * made and unreported: a session the caller does not know it created,
 * an exec rule whose id it never learns.
 */
FIXTURE(changes) {
	int fd;
	unsigned char *ro;	/* a page made read-only for each call */
};

FIXTURE_SETUP(changes)
{
	self->fd = -1;
	self->ro = MAP_FAILED;
	OPEN_DEVICE(self->fd);
	self->ro = mmap(NULL, page, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->ro);
}

FIXTURE_TEARDOWN(changes)
{
	if (self->ro != MAP_FAILED)
		munmap(self->ro, page);
	if (self->fd >= 0)
		close(self->fd);
	REPORT_CHECKS();
}

TEST_F(changes, readonly_struct_changes_nothing)
{
	struct kb_exec_rule_add add;
	struct kb_exec_rule_del del = { .size = sizeof(del) };
	struct kb_session_join join = { .size = sizeof(join) };
	struct kb_set_scope scope = { .size = sizeof(scope), .in_scope = 0 };
	struct kb_session_create create = { .size = sizeof(create) };
	struct kb_set_fastpath fp = { .size = sizeof(fp), .enable = 1 };
	struct kb_set_personality pers = { .size = sizeof(pers) };
	struct kb_rule_desc rule = kb_rule(SYS_getppid, KB_TIER_STUBBED,
					   KB_ACTION_STUB, EPERM);
	struct kb_set_rules set = {
		.size = sizeof(set), .count = 1, .rule_size = sizeof(rule),
		.rules = (uintptr_t)&rule,
	};
	struct kb_session_stats st;
	struct kb_rule_desc got[4];
	unsigned int count, strings;
	unsigned char *ro = self->ro;
	int fd = self->fd, other;
	uint64_t before;

/* Call @cmd with a read-only copy of @arg; EFAULT is what it must give. */
#define RO_CALL(_fd, _cmd, _arg) ({					\
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ | PROT_WRITE));	\
	memcpy(ro, &(_arg), sizeof(_arg));				\
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ));			\
	int __r = ioctl((_fd), (_cmd), ro);				\
	CHECK(__r == -1 && errno == EFAULT, "%s on a read-only struct: %s, want EFAULT", \
	      #_cmd, res(__r, errno));					\
})

	/* SESSION_CREATE: no session; a writable struct then gets one. */
	RO_CALL(fd, KB_IOC_SESSION_CREATE, create);
	CHECK(kb_stats(fd, &st, NULL) == -1 && errno == ENOENT,
	      "after a read-only SESSION_CREATE the file has a session");
	CHECK(kb_create(fd, NULL) == 0,
	      "SESSION_CREATE after the read-only one: %s", strerror(errno));

	/* SET_RULES: the policy stays empty. */
	RO_CALL(fd, KB_IOC_SET_RULES, set);
	count = 0;
	strings = 0;
	CHECK(kb_rules_get(fd, got, NULL, &count, NULL, &strings) == 0 &&
	      count == 0, "after a read-only SET_RULES the policy has %u entries",
	      count);

	/* SET_FASTPATH and SET_PERSONALITY: nothing to see but the errno. */
	RO_CALL(fd, KB_IOC_SET_FASTPATH, fp);
	RO_CALL(fd, KB_IOC_SET_PERSONALITY, pers);

	/* SESSION_JOIN: no member; SET_SCOPE needs one, so after a join. */
	RO_CALL(fd, KB_IOC_SESSION_JOIN, join);
	ASSERT_EQ(0, kb_stats(fd, &st, NULL));
	CHECK(st.members == 0 && st.joined == 0,
	      "after a read-only SESSION_JOIN: %u members, %llu joined",
	      st.members, (unsigned long long)st.joined);

	/* EXEC_RULE_ADD: no rule; EXEC_RULE_DEL: the rule stays. */
	other = open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, other);
	exec_template(&add, no_file);
	before = exec_add(other, no_file);
	ASSERT_NE(0ULL, (unsigned long long)before);
	ASSERT_EQ(0, exec_del(other, before));
	RO_CALL(other, KB_IOC_EXEC_RULE_ADD, add);
	/* Ids only grow: a rule the read-only call added would be next. */
	del.id = before + 1;
	CHECK(exec_del(other, del.id) == -1 && errno == ENOENT,
	      "a read-only EXEC_RULE_ADD left rule %llu behind",
	      (unsigned long long)del.id);
	del.id = exec_add(other, no_file);
	ASSERT_NE(0ULL, (unsigned long long)del.id);
	RO_CALL(other, KB_IOC_EXEC_RULE_DEL, del);
	CHECK(exec_del(other, del.id) == 0,
	      "a read-only EXEC_RULE_DEL deleted rule %llu",
	      (unsigned long long)del.id);
	exec_cleanup(other);
	close(other);

	/* SET_SCOPE 0: the caller's calls are still counted. */
	ASSERT_LE(0, kb_join(fd));
	RO_CALL(fd, KB_IOC_SET_SCOPE, scope);
	ASSERT_EQ(0, kb_stats(fd, &st, NULL));
	before = st.total;
	ASSERT_EQ(0, kb_call(fd, SYS_getppid, NULL));
	ASSERT_EQ(0, kb_stats(fd, &st, NULL));
	CHECK(st.total == before + 1,
	      "a read-only SET_SCOPE 0 put the caller out of scope (%llu calls counted, want %llu)",
	      (unsigned long long)st.total, (unsigned long long)before + 1);
#undef RO_CALL
}

TEST_HARNESS_MAIN
