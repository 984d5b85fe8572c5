// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: deciding one syscall of a member, on either path.
 *
 * The fast path (fastpath.c) decides at syscall entry, in atomic context,
 * whatever needs only the number and the registers, from the rules as
 * policy.c precomputed them. Everything else comes here through
 * KB_IOC_SYSCALL from the runtime's SIGSYS handler. Both count the same
 * counters and rule hits, and exactly once: the fast path counts only what
 * it decides itself.
 */
#include <linux/nospec.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "batch.h"

/* Account one call decided here (fastpath.c counts its own). */
static void kb_count(struct kb_session *s, const struct kb_ruleset *set,
		     u32 nr, const struct kb_decision *d)
{
	if (nr < KB_NR_SYSCALLS)
		this_cpu_inc(s->counters->nr[nr]);
	else
		this_cpu_inc(s->counters->out_of_range);
	if (set)
		kb_hits_inc(set->hits, d->entry);
	/* Where a program dies of a stub, likely the one (kbctl analyze). */
	if (d->action != KB_ACTION_PASS)
		WRITE_ONCE(s->last_changed, (u64)nr + 1);
}

/* The calling member's run (batch.h); it may have left @s meanwhile. */
static void kb_count_run(struct kb_session *s, u32 nr,
			 const struct kb_decision *d)
{
	struct kb_member *m;

	if (!trace_kbridge_decisions_enabled())
		return;
	rcu_read_lock();
	m = kb_member_find(current);
	if (m && m->session == s)
		kb_run_note(m, nr, d->tier, d->action, false);
	rcu_read_unlock();
}

/* Take a reference on the rule of @nr: the decision may sleep. */
static struct kb_ruleset *kb_rule_get(struct kb_session *s, u32 nr)
{
	struct kb_ruleset *set;

	rcu_read_lock();
	set = rcu_dereference(s->policy)->rules[nr];
	/* The table holds a reference until a grace period after it goes. */
	if (set && !kb_ref_get_unless_zero(&set->ref))
		set = NULL;
	rcu_read_unlock();
	return set;
}

static void kb_rule_put(struct kb_ruleset *set)
{
	kb_ruleset_put(&kb_kernel_ops, set);
}

int kb_ioctl_syscall(struct file *file, void *arg)
{
	struct kb_session *s = kb_file_session(file);
	struct kb_syscall *call = arg;
	struct kb_ruleset *set = NULL;
	struct kb_decision d;
	char *path = NULL;
	u32 nr = call->nr;
	int ret, out;

	if (!s)
		return -ENOENT;
	out = kb_member_out_of_scope(s, current);
	if (out < 0)
		return out;
	/* Outside the test (KB_IOC_SET_SCOPE): natively, uncounted. */
	if (out) {
		call->verdict = KB_VERDICT_EXECUTE;
		call->tier = KB_TIER_FULL;
		call->action = KB_ACTION_PASS;
		call->result = 0;
		goto run;
	}

	/*
	 * Numbers past the policy table run natively: the kernel answers
	 * -ENOSYS to them itself, exactly as it would without kbridge.
	 */
	if (nr < KB_NR_SYSCALLS) {
		nr = array_index_nospec(nr, KB_NR_SYSCALLS);
		set = kb_rule_get(s, nr);
	}
	if (set && set->needs_ctx) {
		path = kb_fault_or(kmalloc(KB_PATH_MAX + 1, GFP_KERNEL));
		if (!path) {
			ret = -ENOMEM;
			goto out;
		}
	}
	ret = kb_decide(&kb_kernel_ops, set, call->args, path, &d);
	if (ret)
		goto out;
	kb_count(s, set, call->nr, &d);
	/* A pass runs the personality's implementation, if it has one. */
	if (d.action == KB_ACTION_PASS && rcu_access_pointer(s->pers))
		kb_pers_decide(s, call, &d);
	trace_kbridge_decision(s->id, current->tgid, call->nr, d.tier,
			       d.action, false);
	kb_count_run(s, call->nr, &d);

	call->tier = d.tier;
	call->action = d.action;
	switch (d.action) {
	case KB_ACTION_PASS:
		call->verdict = KB_VERDICT_EXECUTE;
		call->result = 0;
		break;
	case KB_ACTION_STUB:
		call->verdict = KB_VERDICT_RESULT;
		call->result = -d.value;
		break;
	default:
		call->verdict = KB_VERDICT_RESULT;
		call->result = d.value;
		break;
	}
out:
	kfree(path);
	kb_rule_put(set);
	if (ret)
		return ret;
run:
	/* Outside the rule's reference: the call may block. */
	if (call->verdict == KB_VERDICT_EXECUTE && (call->flags & KB_SYSCALL_RUN))
		return kb_syscall_run(call);
	return 0;
}
