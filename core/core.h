/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbridge tier core: a policy table built from kb_rule_desc entries, the
 * three tiers' decisions, and rule hit counters. One source set, built
 * into kbridge.ko (module/Kbuild) and into libkbridge and the in-process
 * runtime (userland/). It reaches its host only through struct kb_ops and
 * the few host functions declared at the end of this file, which each
 * host implements (module/core_host.c, userland/libkbridge/host_linux.c).
 *
 * Not a public header: its types change with the core.
 */
#ifndef _KB_CORE_H
#define _KB_CORE_H

#ifdef __KERNEL__
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/stddef.h>
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/errno.h>
#include <linux/types.h>
#endif

#include "kbridge.h"

#ifdef __KERNEL__
#include <linux/nospec.h>
#include <linux/string.h>
#define kb_memzero(p, n)	memset(p, 0, n)
struct kb_ref {
	refcount_t n;
};

#define kb_ref_init(r)		refcount_set(&(r)->n, 1)
#define kb_ref_get(r)		refcount_inc(&(r)->n)
#define kb_ref_get_unless_zero(r) refcount_inc_not_zero(&(r)->n)
#define kb_ref_put(r)		refcount_dec_and_test(&(r)->n)
#else
/* The kernel's, so that u64 and __u64 are one type everywhere. */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;
struct kb_ref {
	int n;
};

/* Laid out as the kernel's rcu_head, for a host's deferred free. */
struct kb_defer {
	struct kb_defer *next;
	void (*func)(struct kb_defer *head);
};

#define MAX_ERRNO	4095
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* Only the kernel's decisions run next to a speculating attacker. */
#define array_index_nospec(i, n)	(i)
#ifndef offsetofend
#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))
#endif
/* A loop, not memset(): the in-process runtime links no libc. */
static inline void kb_memzero(void *p, size_t n)
{
	unsigned char *b = p;

	while (n--)
		*b++ = 0;
}

static inline void kb_ref_init(struct kb_ref *r)
{
	__atomic_store_n(&r->n, 1, __ATOMIC_RELAXED);
}

static inline void kb_ref_get(struct kb_ref *r)
{
	__atomic_fetch_add(&r->n, 1, __ATOMIC_RELAXED);
}

static inline bool kb_ref_get_unless_zero(struct kb_ref *r)
{
	int n = __atomic_load_n(&r->n, __ATOMIC_RELAXED);

	while (n)
		if (__atomic_compare_exchange_n(&r->n, &n, n + 1, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

static inline bool kb_ref_put(struct kb_ref *r)
{
	return __atomic_sub_fetch(&r->n, 1, __ATOMIC_ACQ_REL) == 0;
}
#endif

/*
 * A stub without an errno answers ENOSYS: "no such syscall" is exactly
 * what the emulated OS says.
 */
#define KB_STUB_DEFAULT_ERRNO	ENOSYS

/**
 * struct kb_cond - one tier 2 condition of a rule (a KB_MATCH_* entry)
 * @match:    KB_MATCH_EQ, KB_MATCH_ANY_BIT or KB_MATCH_PATH
 * @arg:      argument the condition reads, 0..5
 * @action:   KB_ACTION_* taken when the call matches
 * @value:    errno of a stub (1..MAX_ERRNO), result of a fake
 * @mask:     bits of the argument compared
 * @operand:  KB_MATCH_EQ: the value they must equal
 * @glob:     KB_MATCH_PATH: NUL-terminated pattern (kb_glob_match())
 * @path_len: strlen(@glob)
 */
struct kb_cond {
	u16 match;
	u16 arg;
	u16 action;
	s64 value;
	u64 mask;
	u64 operand;
	char *glob;
	u32 path_len;
};

/**
 * struct kb_ruleset - the rule of one syscall number, immutable once built
 * @ref:       one per policy table that points to it, plus one per
 *             decision that may sleep while it holds it
 * @tier:      KB_TIER_*
 * @action:    KB_ACTION_* for every call (tiers 1, 3) or for calls that
 *             match no condition (tier 2)
 * @value:     errno of a stub (1..MAX_ERRNO), result of a fake
 * @needs_ctx: a condition reads the program's memory: some calls can only
 *             be decided where that memory can be read (process context)
 * @nconds:    entries in @conds
 * @hits:      decisions, [0] by the rule itself, [1 + i] by @conds[i]
 *             (kb_hits_*(); per CPU in the kernel)
 * @conds:     tier 2 conditions, first match wins
 */
struct kb_ruleset {
	struct kb_ref ref;
	u16 tier;
	u16 action;
	s64 value;
	bool needs_ctx;
	u32 nconds;
	void *hits;
	struct kb_cond conds[];
};

/* kb_fast.kind: what a decision that sees only registers does */
enum kb_fast_kind {
	KB_FAST_PASS,		/* run it natively (unless the runtime traps it) */
	KB_FAST_RESULT,		/* return kb_fast.ret without running it */
	KB_FAST_EVAL,		/* tier 2: try the conditions on the registers */
};

/**
 * struct kb_fast - a rule precomputed for decisions at syscall entry
 * @kind:   enum kb_fast_kind
 * @tier:   KB_TIER_* of the rule
 * @action: KB_FAST_PASS, KB_FAST_RESULT: the KB_ACTION_* taken
 * @ret:    KB_FAST_RESULT: the syscall's return value (-errno for a stub)
 *
 * Whole-syscall rules are resolved when the policy is built, so that a
 * decision reads one entry.
 */
struct kb_fast {
	u16 kind;
	u16 tier;
	u16 action;
	s64 ret;
};

/**
 * struct kb_policy - one rule per syscall number (NULL: the initial tier
 * 1 pass) and its precomputed summary
 * @defer: for the host, to free the table once no reader can see it
 * @rules: per number, a reference to its ruleset
 * @fast:  per number, kb_policy_fast() of @rules
 *
 * Immutable once published: an update builds a new table.
 */
struct kb_policy {
#ifdef __KERNEL__
	struct rcu_head defer;
#else
	struct kb_defer defer;
#endif
	struct kb_ruleset *rules[KB_NR_SYSCALLS];
	struct kb_fast fast[KB_NR_SYSCALLS];
};

/**
 * struct kb_decision - what a rule decided for one call
 * @tier:   KB_TIER_* of the rule
 * @action: KB_ACTION_*
 * @value:  errno of a stub (positive), result of a fake
 * @entry:  index in the ruleset's hits: 0 the rule, 1 + i condition i
 */
struct kb_decision {
	u16 tier;
	u16 action;
	s64 value;
	u32 entry;
};

/**
 * struct kb_tier_ops - one tier of the KernelBridge model
 * @decide: fill @d for a call with @args under rule @set. @path is NULL
 *          where program memory cannot be read (atomic context): a tier
 *          that needs it returns -EAGAIN instead. Otherwise @path is a
 *          KB_PATH_MAX + 1 byte buffer. 0 or -errno.
 */
struct kb_tier_ops {
	int (*decide)(const struct kb_ops *ops, const struct kb_ruleset *set,
		      const u64 *args, char *path, struct kb_decision *d);
};

extern const struct kb_tier_ops kb_tier_full_ops;
extern const struct kb_tier_ops kb_tier_partial_ops;
extern const struct kb_tier_ops kb_tier_stub_ops;

/*
 * Does register argument value @a meet condition @c (KB_MATCH_EQ or
 * KB_MATCH_ANY_BIT)? The one test of tier 2 on registers, shared by the
 * tier and by the kernel's decisions at syscall entry.
 */
static inline bool kb_cond_match_reg(const struct kb_cond *c, u64 a)
{
	a &= c->mask;
	return c->match == KB_MATCH_EQ ? a == c->operand : a != 0;
}

/*
 * A personality's name as kb_module.name and KB_IOC_SET_PERSONALITY take
 * it: 1 to KB_PERSONALITY_NAME_MAX of [a-z0-9_-], its NUL within @max
 * bytes.
 */
static inline bool kb_personality_name_ok(const char *name, size_t max)
{
	size_t i;

	for (i = 0; i < max && name[i]; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '_' || name[i] == '-'))
			return false;
	return i > 0 && i < max && i <= KB_PERSONALITY_NAME_MAX;
}

/* glob.c: does all of @str match @pat ('*', '?', '[...]', '\\')? */
bool kb_glob_match(const char *pat, const char *str);

/* decide.c: decide a call under rule @set (NULL: the initial tier 1 pass) */
int kb_decide(const struct kb_ops *ops, const struct kb_ruleset *set,
	      const u64 *args, char *path, struct kb_decision *d);

/* The result a decision gives the program, when it does not pass. */
static inline s64 kb_decision_result(const struct kb_decision *d)
{
	return d->action == KB_ACTION_STUB ? -d->value : d->value;
}

/* policy.c */
/* A table where every number is the initial tier 1 pass, or NULL. */
struct kb_policy *kb_policy_alloc(const struct kb_ops *ops);
/* Drop @p's references to its rulesets and free it; NULL is fine. */
void kb_policy_free(const struct kb_ops *ops, struct kb_policy *p);
/* Drop a reference to @set, freeing it with the last; NULL is fine. */
void kb_ruleset_put(const struct kb_ops *ops, struct kb_ruleset *set);
/*
 * A new table: @old with the rules @req names replaced (KB_IOC_SET_RULES;
 * its pointers are program memory). All or nothing: 0 with *@out set, or
 * -errno and nothing changed. The caller publishes *@out.
 */
int kb_policy_build(const struct kb_ops *ops, const struct kb_policy *old,
		    const struct kb_set_rules *req, struct kb_policy **out);
/* KB_IOC_GET_RULES of @p into @req's program-memory buffers. */
int kb_policy_get_rules(const struct kb_ops *ops, const struct kb_policy *p,
			struct kb_get_rules *req);

/* Host functions: counters, per CPU in the kernel. */
/* @n zeroed counters for a ruleset's hits, or NULL. */
void *kb_hits_alloc(const struct kb_ops *ops, u32 n);
void kb_hits_free(const struct kb_ops *ops, void *hits, u32 n);
/* One more decision by entry @i. */
void kb_hits_inc(void *hits, u32 i);
/* Decisions by entry @i so far. */
u64 kb_hits_read(const void *hits, u32 i);

#endif /* _KB_CORE_H */
