/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One wrapper per kbridge ioctl, for the tests: the kselftests (through
 * kbridge_test.h) and the plain helper programs alike.
 */
#ifndef KBRIDGE_IOCTLS_H
#define KBRIDGE_IOCTLS_H

#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kbridge.h>

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

/* KB_IOC_SET_RULES with @count entries of the current struct. */
static inline int kb_rules_set(int fd, const struct kb_rule_desc *d,
			       unsigned int count)
{
	struct kb_set_rules r = {
		.size = sizeof(r),
		.count = count,
		.rule_size = sizeof(*d),
		.rules = (uintptr_t)d,
	};

	return ioctl(fd, KB_IOC_SET_RULES, &r);
}

/*
 * Entry builders for kb_rules_set(): a syscall's rule (KB_MATCH_NONE) and
 * the three kinds of tier 2 conditions that may follow a partial one.
 */
static inline struct kb_rule_desc kb_rule(unsigned int nr, unsigned int tier,
					  unsigned int action, int64_t value)
{
	struct kb_rule_desc d = {
		.nr = nr, .tier = tier, .action = action, .value = value,
	};

	return d;
}

static inline struct kb_rule_desc kb_cond_eq(unsigned int nr, unsigned int arg,
					     uint64_t mask, uint64_t operand,
					     unsigned int action, int64_t value)
{
	struct kb_rule_desc d = {
		.nr = nr, .tier = KB_TIER_PARTIAL, .action = action,
		.value = value, .match = KB_MATCH_EQ, .arg = arg,
		.mask = mask, .operand = operand,
	};

	return d;
}

static inline struct kb_rule_desc kb_cond_any(unsigned int nr, unsigned int arg,
					      uint64_t mask, unsigned int action,
					      int64_t value)
{
	struct kb_rule_desc d = {
		.nr = nr, .tier = KB_TIER_PARTIAL, .action = action,
		.value = value, .match = KB_MATCH_ANY_BIT, .arg = arg,
		.mask = mask,
	};

	return d;
}

static inline struct kb_rule_desc kb_cond_path(unsigned int nr, unsigned int arg,
					       const char *glob,
					       unsigned int action,
					       int64_t value)
{
	struct kb_rule_desc d = {
		.nr = nr, .tier = KB_TIER_PARTIAL, .action = action,
		.value = value, .match = KB_MATCH_PATH, .arg = arg,
		.path_len = strlen(glob), .path = (uintptr_t)glob,
	};

	return d;
}

/*
 * KB_IOC_GET_RULES into caller buffers; @count and @strings_size are in
 * (capacity) and out (needed), as in the struct.
 */
static inline int kb_rules_get(int fd, struct kb_rule_desc *rules,
			       uint64_t *hits, unsigned int *count,
			       char *strings, unsigned int *strings_size)
{
	struct kb_get_rules g = {
		.size = sizeof(g),
		.count = *count,
		.rule_size = sizeof(*rules),
		.rules = (uintptr_t)rules,
		.hits = (uintptr_t)hits,
		.strings = (uintptr_t)strings,
		.strings_size = *strings_size,
	};
	int ret = ioctl(fd, KB_IOC_GET_RULES, &g);

	*count = g.count;
	*strings_size = g.strings_size;
	return ret;
}

/* KB_IOC_SYSCALL for @nr with the six argument registers @args. */
static inline int kb_call_args(int fd, unsigned int nr, const uint64_t *args,
			       struct kb_syscall *out)
{
	struct kb_syscall sc = { .size = sizeof(sc), .nr = nr };
	int ret;

	memcpy(sc.args, args, sizeof(sc.args));
	ret = ioctl(fd, KB_IOC_SYSCALL, &sc);
	if (out)
		*out = sc;
	return ret;
}

/* KB_IOC_GET_VERSION into @v. */
static inline int kb_version(int fd, struct kb_version *v)
{
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	return ioctl(fd, KB_IOC_GET_VERSION, v);
}

#define KB_TRAP_WORDS	(KB_NR_SYSCALLS / (8 * sizeof(unsigned long)))

/* KB_IOC_SET_FASTPATH with a full-size @trap bitmap; @armed is out. */
static inline int kb_fastpath(int fd, unsigned int enable,
			      const unsigned long *trap, unsigned int *armed)
{
	struct kb_set_fastpath f = {
		.size = sizeof(f),
		.enable = enable,
		.nr_bits = KB_NR_SYSCALLS,
		.trap = (uintptr_t)trap,
	};
	int ret = ioctl(fd, KB_IOC_SET_FASTPATH, &f);

	if (!ret && armed)
		*armed = f.armed;
	return ret;
}

#endif /* KBRIDGE_IOCTLS_H */
