// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: tier 3, "not implemented": the syscall is never run. A stub
 * fails it with an errno, a fake pretends it succeeded with a given value.
 */
#include <linux/errno.h>

#include "internal.h"

static int kb_tier_stub_decide(struct kb_session *s, const struct kb_rule *rule,
			       struct kb_syscall *call)
{
	call->verdict = KB_VERDICT_RESULT;
	call->tier = KB_TIER_STUBBED;
	call->action = rule->action;
	switch (rule->action) {
	case KB_ACTION_STUB:
		/* policy.c stores 1..MAX_ERRNO, a default when none was given */
		call->result = -rule->value;
		return 0;
	case KB_ACTION_FAKE:
		call->result = rule->value;
		return 0;
	}
	/* policy.c only stores the two actions above: our bug. */
	WARN_ONCE(1, "kbridge: session %llu: tier 3 with action %u\n",
		  s->id, rule->action);
	return -EINVAL;
}

const struct kb_tier_ops kb_tier_stub_ops = {
	.decide = kb_tier_stub_decide,
};
