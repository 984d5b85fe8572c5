// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: a session's policy, changed with KB_IOC_SET_RULES and read back
 * with KB_IOC_GET_RULES (policy_ioctl.c). The tables themselves are the
 * tier core's (core/policy.c); this file publishes them.
 *
 * An update builds a new table and publishes it with a single
 * rcu_assign_pointer(): a syscall decided concurrently sees either the
 * old rule or the new one, never a mix, and on any error the session's
 * policy is left untouched. The old table drops its references after a
 * grace period, since the fast path reads it under RCU.
 *
 * Writers, and KB_IOC_GET_RULES (which copies to user space and may
 * sleep), are serialised by the session's policy_lock.
 */
#include <linux/mutex.h>
#include <linux/rcupdate.h>

#include "internal.h"

static void kb_policy_free_rcu(struct rcu_head *rcu)
{
	kb_policy_free(&kb_kernel_ops,
		       container_of(rcu, struct kb_policy, defer));
}

/* Does a rule of @p need the program's memory (KB_MATCH_PATH)? */
static bool kb_policy_needs_ctx(const struct kb_policy *p)
{
	u32 nr;

	for (nr = 0; nr < KB_NR_SYSCALLS; nr++)
		if (p->rules[nr] && p->rules[nr]->needs_ctx)
			return true;
	return false;
}

/*
 * Replace the rules @req names in @s's policy, all or nothing; with
 * @kernel_only, -EOPNOTSUPP for a policy that needs a runtime.
 */
int kb_session_policy_set(struct kb_session *s, const struct kb_set_rules *req,
			  bool kernel_only)
{
	struct kb_policy *new, *old;
	int ret;

	mutex_lock(&s->policy_lock);
	old = rcu_dereference_protected(s->policy,
					lockdep_is_held(&s->policy_lock));
	ret = kb_policy_build(&kb_kernel_ops, old, req, &new);
	if (!ret && new && kernel_only && kb_policy_needs_ctx(new)) {
		kb_policy_free(&kb_kernel_ops, new);
		ret = -EOPNOTSUPP;
	}
	if (!ret && new)
		rcu_assign_pointer(s->policy, new);
	mutex_unlock(&s->policy_lock);
	if (!ret && new)
		call_rcu(&old->defer, kb_policy_free_rcu);
	return ret;
}

/* Copy @s's rules out as KB_IOC_GET_RULES asks (@req). */
int kb_session_policy_get(struct kb_session *s, struct kb_get_rules *req)
{
	const struct kb_policy *p;
	int ret;

	mutex_lock(&s->policy_lock);
	p = rcu_dereference_protected(s->policy,
				      lockdep_is_held(&s->policy_lock));
	ret = kb_policy_get_rules(&kb_kernel_ops, p, req);
	mutex_unlock(&s->policy_lock);
	return ret;
}
