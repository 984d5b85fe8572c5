// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: tier 1, "implemented": the syscall is passed through to Linux
 * unchanged.
 */
#include "internal.h"

static int kb_tier_full_decide(struct kb_session *s, const struct kb_rule *rule,
			       struct kb_syscall *call)
{
	call->verdict = KB_VERDICT_EXECUTE;
	call->result = 0;
	call->tier = KB_TIER_FULL;
	call->action = KB_ACTION_PASS;
	return 0;
}

const struct kb_tier_ops kb_tier_full_ops = {
	.decide = kb_tier_full_decide,
};
