// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: KB_IOC_SYSCALL, the SIGSYS path. The runtime of a member task
 * sends every trapped syscall here; the session's rule for the number
 * picks the tier that decides what the runtime does with it.
 */
#include <linux/nospec.h>
#include <linux/percpu.h>
#include <linux/sched.h>

#include "internal.h"

/* Indexed by KB_TIER_*; a tier plugs in by filling its slot. */
static const struct kb_tier_ops *const kb_tiers[] = {
	[KB_TIER_FULL] = &kb_tier_full_ops,
	[KB_TIER_STUBBED] = &kb_tier_stub_ops,
};

/*
 * Numbers past the policy table run natively: the kernel answers -ENOSYS
 * to them itself, exactly as it would without kbridge.
 */
static const struct kb_rule kb_rule_out_of_range = {
	.tier = KB_TIER_FULL,
	.action = KB_ACTION_PASS,
};

int kb_ioctl_syscall(struct file *file, void *arg)
{
	struct kb_session *s = kb_file_session(file);
	struct kb_syscall *call = arg;
	struct kb_rule rule;
	u32 nr = call->nr;

	if (!s)
		return -ENOENT;
	if (!kb_session_has_member(s, current))
		return -EPERM;

	this_cpu_inc(s->counters->total);
	if (nr < KB_NR_SYSCALLS) {
		nr = array_index_nospec(nr, KB_NR_SYSCALLS);
		this_cpu_inc(s->counters->nr[nr]);
		/* A copy: the tier may sleep, and the table may be replaced. */
		rcu_read_lock();
		rule = rcu_dereference(s->policy)->rules[nr];
		rcu_read_unlock();
	} else {
		this_cpu_inc(s->counters->out_of_range);
		rule = kb_rule_out_of_range;
	}

	/* Rules are written by the module only: a bad tier is our bug. */
	if (WARN_ONCE(rule.tier >= ARRAY_SIZE(kb_tiers) || !kb_tiers[rule.tier],
		      "kbridge: session %llu: no tier %u for syscall %u\n",
		      s->id, rule.tier, nr))
		return -EINVAL;
	return kb_tiers[rule.tier]->decide(s, &rule, call);
}
