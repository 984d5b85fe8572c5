// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: KB_IOC_SET_RULES, changing a session's policy.
 *
 * An update is all or nothing: every entry is read and checked into a new
 * copy of the whole table, which replaces the old one with a single
 * rcu_assign_pointer(). A concurrent KB_IOC_SYSCALL therefore sees either
 * the old table or the new one, never a mix, and on any error the
 * session's policy is left untouched. Writers are serialised by the
 * session's policy_lock so that no update is lost.
 *
 * Any holder of the file may set rules: the file is the capability, as for
 * KB_IOC_SESSION_STATS; membership is not required.
 */
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "internal.h"

/* Bounds the work of one call; duplicates are allowed, hence the slack. */
#define KB_SET_RULES_MAX	(KB_NR_SYSCALLS * 4)
/* The first version of struct kb_rule_desc ends with value. */
#define KB_RULE_DESC_MIN	offsetofend(struct kb_rule_desc, value)
/*
 * A stub without an errno answers ENOSYS: "no such syscall" is exactly
 * what the emulated OS says (this is syscall dispatch code, the one place
 * checkpatch's ENOSYS rule allows the name).
 */
#define KB_STUB_DEFAULT_ERRNO	ENOSYS

/* Check one entry and turn it into the rule the dispatcher reads. */
static int kb_rule_from_desc(const struct kb_rule_desc *d, struct kb_rule *r)
{
	if (d->nr >= KB_NR_SYSCALLS)
		return -EINVAL;
	r->tier = d->tier;
	r->action = d->action;
	r->value = 0;

	switch (d->tier) {
	case KB_TIER_FULL:
		if (d->action != KB_ACTION_PASS || d->value)
			return -EINVAL;
		return 0;
	case KB_TIER_PARTIAL:
		return -EOPNOTSUPP;
	case KB_TIER_STUBBED:
		break;
	default:
		return -EINVAL;
	}

	switch (d->action) {
	case KB_ACTION_STUB:
		if (d->value < 0 || d->value > MAX_ERRNO)
			return -EINVAL;
		r->value = d->value ? d->value : KB_STUB_DEFAULT_ERRNO;
		return 0;
	case KB_ACTION_FAKE:
		r->value = d->value;
		return 0;
	}
	return -EINVAL;
}

int kb_ioctl_set_rules(struct file *file, void *arg)
{
	struct kb_session *s = kb_file_session(file);
	struct kb_set_rules *req = arg;
	struct kb_policy *new, *old;
	const u8 __user *up;
	struct kb_rule_desc d;
	struct kb_rule rule;
	u32 i, nr;
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

	new = kmalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;

	mutex_lock(&s->policy_lock);
	old = rcu_dereference_protected(s->policy,
					lockdep_is_held(&s->policy_lock));
	memcpy(new->rules, old->rules, sizeof(new->rules));

	up = u64_to_user_ptr(req->rules);
	for (i = 0; i < req->count; i++) {
		ret = copy_struct_from_user(&d, sizeof(d),
					    up + (size_t)i * req->rule_size,
					    req->rule_size);
		if (ret)
			goto err_unlock;
		ret = kb_rule_from_desc(&d, &rule);
		if (ret)
			goto err_unlock;
		nr = array_index_nospec(d.nr, KB_NR_SYSCALLS);
		new->rules[nr] = rule;
	}

	rcu_assign_pointer(s->policy, new);
	mutex_unlock(&s->policy_lock);
	kfree_rcu(old, rcu);
	return 0;

err_unlock:
	mutex_unlock(&s->policy_lock);
	kfree(new);
	return ret;
}
