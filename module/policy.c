// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: a session's policy, changed with KB_IOC_SET_RULES and read back
 * with KB_IOC_GET_RULES. The tables themselves are the tier core's
 * (core/policy.c); this file publishes them.
 *
 * An update builds a new table and publishes it with a single
 * rcu_assign_pointer(): a syscall decided concurrently sees either the
 * old rule or the new one, never a mix, and on any error the session's
 * policy is left untouched. The old table drops its references after a
 * grace period, since the fast path reads it under RCU.
 *
 * Writers, and KB_IOC_GET_RULES (which copies to user space and may
 * sleep), are serialised by the session's policy_lock.
 *
 * Any holder of the file may set and read rules: the file is the
 * capability, as for KB_IOC_SESSION_STATS; membership is not required.
 * In a KB_SESSION_LOCKED session, members may not set them.
 */
#include <linux/mutex.h>
#include <linux/rcupdate.h>

#include "internal.h"

static void kb_policy_free_rcu(struct rcu_head *rcu)
{
	kb_policy_free(&kb_kernel_ops,
		       container_of(rcu, struct kb_policy, defer));
}

int kb_ioctl_set_rules(struct file *file, void *arg)
{
	struct kb_session *s = kb_file_session(file);
	struct kb_set_rules *req = arg;
	struct kb_policy *new, *old;
	int ret;

	if (!s)
		return -ENOENT;
	ret = kb_session_may_change(s);
	if (ret)
		return ret;
	mutex_lock(&s->policy_lock);
	old = rcu_dereference_protected(s->policy,
					lockdep_is_held(&s->policy_lock));
	ret = kb_policy_build(&kb_kernel_ops, old, req, &new);
	if (!ret && new)
		rcu_assign_pointer(s->policy, new);
	mutex_unlock(&s->policy_lock);
	if (!ret && new)
		call_rcu(&old->defer, kb_policy_free_rcu);
	return ret;
}

int kb_ioctl_get_rules(struct file *file, void *arg)
{
	struct kb_session *s = kb_file_session(file);
	const struct kb_policy *p;
	int ret;

	if (!s)
		return -ENOENT;
	mutex_lock(&s->policy_lock);
	p = rcu_dereference_protected(s->policy,
				      lockdep_is_held(&s->policy_lock));
	ret = kb_policy_get_rules(&kb_kernel_ops, p, arg);
	mutex_unlock(&s->policy_lock);
	return ret;
}
