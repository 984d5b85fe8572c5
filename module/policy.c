// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: a session's policy, changed with KB_IOC_SET_RULES and read back
 * with KB_IOC_GET_RULES.
 *
 * The policy is a table of one rule (struct kb_ruleset) per syscall
 * number. Rulesets are immutable: an update builds new ones for the
 * numbers it names, copies the table with the other numbers' rulesets
 * shared (one reference per table), and publishes the copy with a single
 * rcu_assign_pointer(). A syscall decided concurrently therefore sees
 * either the old rule or the new one, never a mix; on any error the
 * session's policy is left untouched. The old table drops its references
 * after a grace period, since the fast path reads it under RCU.
 *
 * Writers, and KB_IOC_GET_RULES (which copies to user space and may
 * sleep), are serialised by the session's policy_lock.
 *
 * Any holder of the file may set and read rules: the file is the
 * capability, as for KB_IOC_SESSION_STATS; membership is not required.
 */
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "internal.h"

/* Bounds the work of one call; duplicates are allowed, hence the slack. */
#define KB_SET_RULES_MAX	(KB_NR_SYSCALLS * 4)
/* Bounds the kernel memory one call may pin for globs. */
#define KB_GLOB_BYTES_MAX	(256 * 1024)
/* The first version of struct kb_rule_desc ends with value. */
#define KB_RULE_DESC_MIN	offsetofend(struct kb_rule_desc, value)
/*
 * A stub without an errno answers ENOSYS: "no such syscall" is exactly
 * what the emulated OS says (this is syscall dispatch code, the one place
 * checkpatch's ENOSYS rule allows the name).
 */
#define KB_STUB_DEFAULT_ERRNO	ENOSYS

/* Rulesets alive: must be 0 when the module goes away. */
static atomic_t kb_live_rulesets = ATOMIC_INIT(0);

int kb_policy_live(void)
{
	return atomic_read(&kb_live_rulesets);
}

static struct kb_ruleset *kb_ruleset_alloc(u32 nconds)
{
	struct kb_ruleset *set;

	set = kzalloc(struct_size(set, conds, nconds), GFP_KERNEL_ACCOUNT);
	if (!set)
		return NULL;
	set->hits = __alloc_percpu_gfp((1 + nconds) * sizeof(u64),
				       sizeof(u64), GFP_KERNEL_ACCOUNT);
	if (!set->hits) {
		kfree(set);
		return NULL;
	}
	refcount_set(&set->ref, 1);
	set->nconds = nconds;
	atomic_inc(&kb_live_rulesets);
	return set;
}

/* Called when the last reference goes: no reader can reach @set any more. */
void kb_ruleset_free(struct kb_ruleset *set)
{
	u32 i;

	for (i = 0; i < set->nconds; i++)
		kfree(set->conds[i].glob);
	free_percpu(set->hits);
	kfree(set);
	atomic_dec(&kb_live_rulesets);
}

static void kb_ruleset_put(struct kb_ruleset *set)
{
	if (set && refcount_dec_and_test(&set->ref))
		kb_ruleset_free(set);
}

/* What the fast path does with @nr under @p (see struct kb_fast). */
static void kb_policy_fast(struct kb_policy *p, unsigned int nr)
{
	const struct kb_ruleset *set = p->rules[nr];
	struct kb_fast *f = &p->fast[nr];

	f->ret = 0;
	f->tier = set ? set->tier : KB_TIER_FULL;
	f->action = set ? set->action : KB_ACTION_PASS;
	if (!set || set->tier == KB_TIER_FULL) {
		f->kind = KB_FAST_PASS;
	} else if (set->tier == KB_TIER_PARTIAL) {
		f->kind = KB_FAST_EVAL;
	} else {
		f->kind = KB_FAST_RESULT;
		f->ret = set->action == KB_ACTION_STUB ? -set->value :
							 set->value;
	}
}

/* Every number starts as the initial tier 1 pass: a NULL rule. */
struct kb_policy *kb_policy_alloc(void)
{
	struct kb_policy *p = kvzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	unsigned int nr;

	for (nr = 0; p && nr < KB_NR_SYSCALLS; nr++)
		kb_policy_fast(p, nr);
	return p;
}

/* After a grace period, or when the table was never published. */
void kb_policy_free(struct kb_policy *p)
{
	unsigned int nr;

	if (!p)
		return;
	for (nr = 0; nr < KB_NR_SYSCALLS; nr++)
		kb_ruleset_put(p->rules[nr]);
	kvfree(p);
}

static void kb_policy_free_rcu(struct rcu_head *rcu)
{
	kb_policy_free(container_of(rcu, struct kb_policy, rcu));
}

/* Check an action and its value; store the errno a stub answers with. */
static int kb_check_action(u16 action, s64 value, s64 *out)
{
	switch (action) {
	case KB_ACTION_PASS:
		if (value)
			return -EINVAL;
		*out = 0;
		return 0;
	case KB_ACTION_STUB:
		if (value < 0 || value > MAX_ERRNO)
			return -EINVAL;
		*out = value ? value : KB_STUB_DEFAULT_ERRNO;
		return 0;
	case KB_ACTION_FAKE:
		*out = value;
		return 0;
	}
	return -EINVAL;
}

/* A whole-syscall entry (KB_MATCH_NONE). */
static int kb_check_rule(const struct kb_rule_desc *d)
{
	s64 v;

	if (d->arg || d->path_len || d->mask || d->operand || d->path)
		return -EINVAL;
	switch (d->tier) {
	case KB_TIER_FULL:
		if (d->action != KB_ACTION_PASS)
			return -EINVAL;
		break;
	case KB_TIER_PARTIAL:
		break;
	case KB_TIER_STUBBED:
		if (d->action == KB_ACTION_PASS)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	return kb_check_action(d->action, d->value, &v);
}

/* A condition entry; its glob is read later. */
static int kb_check_cond(const struct kb_rule_desc *d)
{
	s64 v;

	if (d->tier != KB_TIER_PARTIAL || d->arg > 5)
		return -EINVAL;
	switch (d->match) {
	case KB_MATCH_EQ:
		if (d->path_len || d->path || (d->operand & ~d->mask))
			return -EINVAL;
		break;
	case KB_MATCH_ANY_BIT:
		if (d->path_len || d->path || d->operand || !d->mask)
			return -EINVAL;
		break;
	case KB_MATCH_PATH:
		if (d->mask || d->operand || !d->path_len ||
		    d->path_len > KB_PATH_MAX)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	return kb_check_action(d->action, d->value, &v);
}

static char *kb_copy_glob(const struct kb_rule_desc *d)
{
	char *glob;

	glob = memdup_user_nul(u64_to_user_ptr(d->path), d->path_len);
	if (IS_ERR(glob))
		return glob;
	/* The length is the caller's promise: a NUL inside breaks it. */
	if (strlen(glob) != d->path_len) {
		kfree(glob);
		return ERR_PTR(-EINVAL);
	}
	return glob;
}

/**
 * struct kb_rules_build - a KB_IOC_SET_RULES request being checked
 * @desc:  the entries, copied and zero-extended to this module's struct
 * @owner: for each entry, the index of the KB_MATCH_NONE entry it belongs to
 * @cur:   per number, the KB_MATCH_NONE entry that wins (-1: not named)
 * @nconds: per number, conditions that follow @cur
 * @sets:  per number, the ruleset built from @cur's entries
 */
struct kb_rules_build {
	struct kb_rule_desc *desc;
	int *owner;
	int cur[KB_NR_SYSCALLS];
	u32 nconds[KB_NR_SYSCALLS];
	struct kb_ruleset *sets[KB_NR_SYSCALLS];
};

static int kb_rules_read(struct kb_rules_build *b,
			 const struct kb_set_rules *req)
{
	const u8 __user *up = u64_to_user_ptr(req->rules);
	size_t glob_bytes = 0;
	u32 i, nr;
	int ret;

	for (nr = 0; nr < KB_NR_SYSCALLS; nr++)
		b->cur[nr] = -1;

	for (i = 0; i < req->count; i++) {
		struct kb_rule_desc *d = &b->desc[i];

		ret = copy_struct_from_user(d, sizeof(*d),
					    up + (size_t)i * req->rule_size,
					    req->rule_size);
		if (ret)
			return ret;
		if (d->nr >= KB_NR_SYSCALLS)
			return -EINVAL;
		nr = array_index_nospec(d->nr, KB_NR_SYSCALLS);

		if (d->match == KB_MATCH_NONE) {
			ret = kb_check_rule(d);
			if (ret)
				return ret;
			b->cur[nr] = i;
			b->owner[i] = i;
			b->nconds[nr] = 0;
			continue;
		}
		ret = kb_check_cond(d);
		if (ret)
			return ret;
		/* A condition belongs to the partial rule just before it. */
		if (b->cur[nr] < 0 ||
		    b->desc[b->cur[nr]].tier != KB_TIER_PARTIAL)
			return -EINVAL;
		b->owner[i] = b->cur[nr];
		b->nconds[nr]++;
		glob_bytes += d->path_len;
		if (glob_bytes > KB_GLOB_BYTES_MAX)
			return -E2BIG;
	}
	return 0;
}

static int kb_cond_build(const struct kb_rule_desc *d, struct kb_cond *c)
{
	s64 v;

	c->match = d->match;
	c->arg = d->arg;
	c->action = d->action;
	kb_check_action(d->action, d->value, &v);
	c->value = v;
	c->mask = d->mask;
	c->operand = d->operand;
	if (d->match != KB_MATCH_PATH)
		return 0;
	c->glob = kb_copy_glob(d);
	if (IS_ERR(c->glob)) {
		int ret = PTR_ERR(c->glob);

		c->glob = NULL;
		return ret;
	}
	c->path_len = d->path_len;
	return 0;
}

/* Build the ruleset of every number named, from its winning entry on. */
static int kb_rules_build(struct kb_rules_build *b, u32 count)
{
	u32 i, nr;
	int ret;
	s64 v;

	for (nr = 0; nr < KB_NR_SYSCALLS; nr++) {
		const struct kb_rule_desc *r;
		struct kb_ruleset *set;

		if (b->cur[nr] < 0)
			continue;
		r = &b->desc[b->cur[nr]];
		set = kb_ruleset_alloc(b->nconds[nr]);
		if (!set)
			return -ENOMEM;
		b->sets[nr] = set;
		set->tier = r->tier;
		set->action = r->action;
		kb_check_action(r->action, r->value, &v);
		set->value = v;
		/* Counts conditions filled in so far, below. */
		set->nconds = 0;
	}

	for (i = 0; i < count; i++) {
		const struct kb_rule_desc *d = &b->desc[i];
		struct kb_ruleset *set;

		nr = array_index_nospec(d->nr, KB_NR_SYSCALLS);
		if (d->match == KB_MATCH_NONE || b->owner[i] != b->cur[nr])
			continue;
		set = b->sets[nr];
		ret = kb_cond_build(d, &set->conds[set->nconds]);
		set->nconds++;
		if (ret)
			return ret;
		if (d->match == KB_MATCH_PATH)
			set->needs_ctx = true;
	}
	return 0;
}

int kb_ioctl_set_rules(struct file *file, void *arg)
{
	struct kb_session *s = kb_file_session(file);
	struct kb_set_rules *req = arg;
	struct kb_policy *new = NULL, *old;
	struct kb_rules_build *b;
	u32 nr;
	int ret;

	if (!s)
		return -ENOENT;
	if (!req->count)
		return 0;
	if (req->count > KB_SET_RULES_MAX)
		return -E2BIG;
	if (req->rule_size < KB_RULE_DESC_MIN)
		return -EINVAL;
	/* Bound the zero-tail scan of each entry, as for the ioctl args. */
	if (req->rule_size > PAGE_SIZE)
		return -E2BIG;

	b = kvzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	if (!b)
		return -ENOMEM;
	b->desc = kvcalloc(req->count, sizeof(*b->desc), GFP_KERNEL_ACCOUNT);
	b->owner = kvcalloc(req->count, sizeof(*b->owner), GFP_KERNEL_ACCOUNT);
	new = kb_policy_alloc();
	ret = -ENOMEM;
	if (!b->desc || !b->owner || !new)
		goto out;

	ret = kb_rules_read(b, req);
	if (ret)
		goto out;
	ret = kb_rules_build(b, req->count);
	if (ret)
		goto out;

	mutex_lock(&s->policy_lock);
	old = rcu_dereference_protected(s->policy,
					lockdep_is_held(&s->policy_lock));
	for (nr = 0; nr < KB_NR_SYSCALLS; nr++) {
		if (b->sets[nr]) {
			new->rules[nr] = b->sets[nr];
			b->sets[nr] = NULL;
		} else if (old->rules[nr]) {
			refcount_inc(&old->rules[nr]->ref);
			new->rules[nr] = old->rules[nr];
		}
		kb_policy_fast(new, nr);
	}
	rcu_assign_pointer(s->policy, new);
	mutex_unlock(&s->policy_lock);
	call_rcu(&old->rcu, kb_policy_free_rcu);
	new = NULL;
	ret = 0;
out:
	for (nr = 0; nr < KB_NR_SYSCALLS; nr++)
		kb_ruleset_put(b->sets[nr]);
	kb_policy_free(new);
	kvfree(b->owner);
	kvfree(b->desc);
	kvfree(b);
	return ret;
}

static u64 kb_hits_sum(const struct kb_ruleset *set, u32 entry)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(set->hits, cpu)[entry]);
	return sum;
}

/* Turn back into the entry that set it; @path is the user copy's address. */
static void kb_desc_of(u32 nr, const struct kb_ruleset *set, int cond,
		       u64 path, struct kb_rule_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->nr = nr;
	d->tier = set->tier;
	if (cond < 0) {
		d->action = set->action;
		d->value = set->action == KB_ACTION_PASS ? 0 : set->value;
		return;
	}
	d->action = set->conds[cond].action;
	d->value = set->conds[cond].value;
	d->match = set->conds[cond].match;
	d->arg = set->conds[cond].arg;
	d->mask = set->conds[cond].mask;
	d->operand = set->conds[cond].operand;
	if (d->match == KB_MATCH_PATH) {
		d->path_len = set->conds[cond].path_len;
		d->path = path;
	}
}

int kb_ioctl_get_rules(struct file *file, void *arg)
{
	struct kb_session *s = kb_file_session(file);
	struct kb_get_rules *req = arg;
	u32 count = 0, strings = 0, i, nr, at = 0, sat = 0;
	u8 __user *urules = u64_to_user_ptr(req->rules);
	u64 __user *uhits = u64_to_user_ptr(req->hits);
	char __user *ustr = u64_to_user_ptr(req->strings);
	const struct kb_policy *p;
	struct kb_rule_desc d;
	int ret = 0;

	if (!s)
		return -ENOENT;
	if ((req->count && req->rule_size < KB_RULE_DESC_MIN) ||
	    req->rule_size > PAGE_SIZE)
		return -EINVAL;

	mutex_lock(&s->policy_lock);
	p = rcu_dereference_protected(s->policy,
				      lockdep_is_held(&s->policy_lock));
	for (nr = 0; nr < KB_NR_SYSCALLS; nr++) {
		const struct kb_ruleset *set = p->rules[nr];

		if (!set)
			continue;
		count += 1 + set->nconds;
		for (i = 0; i < set->nconds; i++)
			if (set->conds[i].glob)
				strings += set->conds[i].path_len + 1;
	}
	if (req->count < count || req->strings_size < strings) {
		/* A size query is not an error. */
		if (req->count || req->strings_size)
			ret = -ENOSPC;
		goto out;
	}

	for (nr = 0; nr < KB_NR_SYSCALLS && count; nr++) {
		const struct kb_ruleset *set = p->rules[nr];
		int c;

		if (!set)
			continue;
		for (c = -1; c < (int)set->nconds; c++) {
			const char *glob = c < 0 ? NULL : set->conds[c].glob;
			u64 upath = 0;

			if (glob) {
				upath = req->strings + sat;
				if (copy_to_user(ustr + sat, glob,
						 set->conds[c].path_len + 1))
					goto fault;
				sat += set->conds[c].path_len + 1;
			}
			kb_desc_of(nr, set, c, upath, &d);
			/* The caller's version of the struct, cut or padded */
			if (req->rule_size <= sizeof(d)) {
				if (copy_to_user(urules +
						 (size_t)at * req->rule_size,
						 &d, req->rule_size))
					goto fault;
			} else {
				u8 __user *dst = urules +
						 (size_t)at * req->rule_size;

				if (copy_to_user(dst, &d, sizeof(d)) ||
				    clear_user(dst + sizeof(d),
					       req->rule_size - sizeof(d)))
					goto fault;
			}
			if (uhits && put_user(kb_hits_sum(set, c + 1),
					      uhits + at))
				goto fault;
			at++;
		}
	}
	goto out;
fault:
	ret = -EFAULT;
out:
	req->count = count;
	req->strings_size = strings;
	mutex_unlock(&s->policy_lock);
	/* ENOSPC must still report the sizes: the ioctl copies back on 0 only */
	return ret;
}
