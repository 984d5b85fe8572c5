// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge tier core: policy tables, built from KB_IOC_SET_RULES entries
 * and read back as KB_IOC_GET_RULES entries.
 *
 * A table holds one rule (struct kb_ruleset) per syscall number.
 * Rulesets are immutable: an update builds new ones for the numbers it
 * names and a new table in which the other numbers' rulesets are shared
 * (one reference per table). The host publishes the new table in one
 * step, so that a decision sees either the old rule or the new one,
 * never a mix, and frees the old table once no decision can see it.
 * Building is all or nothing: on any error nothing is published.
 *
 * The entries' pointers are program memory, read through kb_ops: user
 * space in the kernel, the caller's own memory in libkbridge.
 */
#include "core.h"

/* Bounds the work of one update; duplicates are allowed, hence the slack. */
#define KB_SET_RULES_MAX	(KB_NR_SYSCALLS * 4)
/* Bounds the memory one update may pin for globs. */
#define KB_GLOB_BYTES_MAX	(256 * 1024)
/* Bounds the zero-tail scan of each entry, as for the ioctl arguments. */
#define KB_RULE_SIZE_MAX	4096

static size_t kb_ruleset_size(u32 nconds)
{
	return sizeof(struct kb_ruleset) + nconds * sizeof(struct kb_cond);
}

static struct kb_ruleset *kb_ruleset_alloc(const struct kb_ops *ops,
					   u32 nconds)
{
	struct kb_ruleset *set = ops->alloc(kb_ruleset_size(nconds), 0);

	if (!set)
		return NULL;
	set->hits = kb_hits_alloc(ops, 1 + nconds);
	if (!set->hits) {
		ops->free(set, kb_ruleset_size(nconds), 0);
		return NULL;
	}
	kb_ref_init(&set->ref);
	set->nconds = nconds;
	return set;
}

/* @cap: the conditions it was allocated for (nconds may be fewer). */
static void kb_ruleset_free(const struct kb_ops *ops, struct kb_ruleset *set,
			    u32 cap)
{
	u32 i;

	for (i = 0; i < set->nconds; i++)
		if (set->conds[i].glob)
			ops->free(set->conds[i].glob,
				  set->conds[i].path_len + 1, 0);
	kb_hits_free(ops, set->hits, 1 + cap);
	ops->free(set, kb_ruleset_size(cap), 0);
}

void kb_ruleset_put(const struct kb_ops *ops, struct kb_ruleset *set)
{
	if (set && kb_ref_put(&set->ref))
		kb_ruleset_free(ops, set, set->nconds);
}

/* What a decision at syscall entry does with @nr under @p. */
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

struct kb_policy *kb_policy_alloc(const struct kb_ops *ops)
{
	struct kb_policy *p = ops->alloc(sizeof(*p), 0);
	unsigned int nr;

	for (nr = 0; p && nr < KB_NR_SYSCALLS; nr++)
		kb_policy_fast(p, nr);
	return p;
}

void kb_policy_free(const struct kb_ops *ops, struct kb_policy *p)
{
	unsigned int nr;

	if (!p)
		return;
	for (nr = 0; nr < KB_NR_SYSCALLS; nr++)
		kb_ruleset_put(ops, p->rules[nr]);
	ops->free(p, sizeof(*p), 0);
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
	s64 v = 0;

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
	s64 v = 0;

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

/*
 * copy_struct_from_user() through kb_ops: @usize bytes at @src into a
 * @ksize-byte @dst, zero-extended; -E2BIG when the caller's longer struct
 * has non-zero bytes this core does not know.
 */
static int kb_copy_struct(const struct kb_ops *ops, void *dst, size_t ksize,
			  u64 src, size_t usize)
{
	size_t size = usize < ksize ? usize : ksize, at, n, i;
	unsigned char tail[64];

	kb_memzero(dst, ksize);
	for (at = ksize; at < usize; at += n) {
		n = usize - at < sizeof(tail) ? usize - at : sizeof(tail);
		if (ops->copy_from_user(tail, src + at, n))
			return -EFAULT;
		for (i = 0; i < n; i++)
			if (tail[i])
				return -E2BIG;
	}
	return ops->copy_from_user(dst, src, size) ? -EFAULT : 0;
}

static char *kb_copy_glob(const struct kb_ops *ops,
			  const struct kb_rule_desc *d, int *err)
{
	char *glob = ops->alloc(d->path_len + 1, 0);
	u32 i;

	*err = -ENOMEM;
	if (!glob)
		return NULL;
	*err = -EFAULT;
	if (ops->copy_from_user(glob, d->path, d->path_len))
		goto fail;
	glob[d->path_len] = '\0';
	/* The length is the caller's promise: a NUL inside breaks it. */
	*err = -EINVAL;
	for (i = 0; i < d->path_len; i++)
		if (!glob[i])
			goto fail;
	*err = 0;
	return glob;
fail:
	ops->free(glob, d->path_len + 1, 0);
	return NULL;
}

/**
 * struct kb_rules_build - a KB_IOC_SET_RULES request being checked
 * @desc:   the entries, copied and zero-extended to this core's struct
 * @owner:  for each entry, the index of the KB_MATCH_NONE entry it
 *          belongs to
 * @cur:    per number, the KB_MATCH_NONE entry that wins (-1: not named)
 * @nconds: per number, conditions that follow @cur
 * @sets:   per number, the ruleset built from @cur's entries
 */
struct kb_rules_build {
	struct kb_rule_desc *desc;
	int *owner;
	int cur[KB_NR_SYSCALLS];
	u32 nconds[KB_NR_SYSCALLS];
	struct kb_ruleset *sets[KB_NR_SYSCALLS];
};

static int kb_rules_read(const struct kb_ops *ops, struct kb_rules_build *b,
			 const struct kb_set_rules *req)
{
	size_t glob_bytes = 0;
	u32 i, nr;
	int ret;

	for (nr = 0; nr < KB_NR_SYSCALLS; nr++)
		b->cur[nr] = -1;

	for (i = 0; i < req->count; i++) {
		struct kb_rule_desc *d = &b->desc[i];

		ret = kb_copy_struct(ops, d, sizeof(*d),
				     req->rules + (u64)i * req->rule_size,
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

static int kb_cond_build(const struct kb_ops *ops,
			 const struct kb_rule_desc *d, struct kb_cond *c)
{
	int ret;
	s64 v = 0;

	c->match = d->match;
	c->arg = d->arg;
	c->action = d->action;
	kb_check_action(d->action, d->value, &v);
	c->value = v;
	c->mask = d->mask;
	c->operand = d->operand;
	if (d->match != KB_MATCH_PATH)
		return 0;
	c->glob = kb_copy_glob(ops, d, &ret);
	if (!c->glob)
		return ret;
	c->path_len = d->path_len;
	return 0;
}

/* Build the ruleset of every number named, from its winning entry on. */
static int kb_rules_build(const struct kb_ops *ops, struct kb_rules_build *b,
			  u32 count)
{
	u32 i, nr;
	int ret;
	s64 v = 0;

	for (nr = 0; nr < KB_NR_SYSCALLS; nr++) {
		const struct kb_rule_desc *r;
		struct kb_ruleset *set;

		if (b->cur[nr] < 0)
			continue;
		r = &b->desc[b->cur[nr]];
		set = kb_ruleset_alloc(ops, b->nconds[nr]);
		if (!set)
			return -ENOMEM;
		b->sets[nr] = set;
		set->tier = r->tier;
		set->action = r->action;
		kb_check_action(r->action, r->value, &v);
		set->value = v;
		/* Counts the conditions filled in so far, below. */
		set->nconds = 0;
	}

	for (i = 0; i < count; i++) {
		const struct kb_rule_desc *d = &b->desc[i];
		struct kb_ruleset *set;

		nr = array_index_nospec(d->nr, KB_NR_SYSCALLS);
		if (d->match == KB_MATCH_NONE || b->owner[i] != b->cur[nr])
			continue;
		set = b->sets[nr];
		ret = kb_cond_build(ops, d, &set->conds[set->nconds]);
		set->nconds++;
		if (ret)
			return ret;
		if (d->match == KB_MATCH_PATH)
			set->needs_ctx = true;
	}
	return 0;
}

int kb_policy_build(const struct kb_ops *ops, const struct kb_policy *old,
		    const struct kb_set_rules *req, struct kb_policy **out)
{
	struct kb_policy *new = NULL;
	struct kb_rules_build *b;
	u32 nr;
	int ret;

	*out = NULL;
	if (!req->count)
		return 0;
	if (req->count > KB_SET_RULES_MAX)
		return -E2BIG;
	if (req->rule_size < KB_RULE_DESC_SIZE_VER0)
		return -EINVAL;
	if (req->rule_size > KB_RULE_SIZE_MAX)
		return -E2BIG;

	b = ops->alloc(sizeof(*b), 0);
	if (!b)
		return -ENOMEM;
	b->desc = ops->alloc(req->count * sizeof(*b->desc), 0);
	b->owner = ops->alloc(req->count * sizeof(*b->owner), 0);
	new = kb_policy_alloc(ops);
	ret = -ENOMEM;
	if (!b->desc || !b->owner || !new)
		goto out;

	ret = kb_rules_read(ops, b, req);
	if (ret)
		goto out;
	ret = kb_rules_build(ops, b, req->count);
	if (ret)
		goto out;

	for (nr = 0; nr < KB_NR_SYSCALLS; nr++) {
		if (b->sets[nr]) {
			new->rules[nr] = b->sets[nr];
			b->sets[nr] = NULL;
		} else if (old && old->rules[nr]) {
			kb_ref_get(&old->rules[nr]->ref);
			new->rules[nr] = old->rules[nr];
		}
		kb_policy_fast(new, nr);
	}
	*out = new;
	new = NULL;
	ret = 0;
out:
	for (nr = 0; nr < KB_NR_SYSCALLS; nr++)
		if (b->sets[nr])
			kb_ruleset_free(ops, b->sets[nr],
					b->cur[nr] < 0 ? 0 : b->nconds[nr]);
	kb_policy_free(ops, new);
	if (b->owner)
		ops->free(b->owner, req->count * sizeof(*b->owner), 0);
	if (b->desc)
		ops->free(b->desc, req->count * sizeof(*b->desc), 0);
	ops->free(b, sizeof(*b), 0);
	return ret;
}

/* Turn back into the entry that set it; @path is the copy's address. */
static void kb_desc_of(u32 nr, const struct kb_ruleset *set, int cond,
		       u64 path, struct kb_rule_desc *d)
{
	kb_memzero(d, sizeof(*d));
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

/* The caller's version of the struct: cut, or padded with zeros. */
static int kb_put_desc(const struct kb_ops *ops, u64 dst, u32 usize,
		       const struct kb_rule_desc *d)
{
	static const unsigned char zeros[64];
	u32 at, n;

	if (usize <= sizeof(*d))
		return ops->copy_to_user(dst, d, usize);
	if (ops->copy_to_user(dst, d, sizeof(*d)))
		return -EFAULT;
	for (at = sizeof(*d); at < usize; at += n) {
		n = usize - at < sizeof(zeros) ? usize - at : sizeof(zeros);
		if (ops->copy_to_user(dst + at, zeros, n))
			return -EFAULT;
	}
	return 0;
}

int kb_policy_get_rules(const struct kb_ops *ops, const struct kb_policy *p,
			struct kb_get_rules *req)
{
	u32 count = 0, strings = 0, i, nr, at = 0, sat = 0;
	struct kb_rule_desc d;
	int ret = 0;

	if ((req->count && req->rule_size < KB_RULE_DESC_SIZE_VER0) ||
	    req->rule_size > KB_RULE_SIZE_MAX)
		return -EINVAL;

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
			u64 upath = 0, hits;

			if (glob) {
				upath = req->strings + sat;
				if (ops->copy_to_user(upath, glob,
						      set->conds[c].path_len + 1))
					goto fault;
				sat += set->conds[c].path_len + 1;
			}
			kb_desc_of(nr, set, c, upath, &d);
			if (kb_put_desc(ops, req->rules +
					(u64)at * req->rule_size,
					req->rule_size, &d))
				goto fault;
			hits = kb_hits_read(set->hits, c + 1);
			if (req->hits &&
			    ops->copy_to_user(req->hits + (u64)at * sizeof(u64),
					      &hits, sizeof(hits)))
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
	return ret;
}
