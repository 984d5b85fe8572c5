// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge tier core: tier 1, "implemented": the syscall runs natively.
 */
#include "core.h"

static int kb_tier_full_decide(const struct kb_ops *ops,
			       const struct kb_ruleset *set, const u64 *args,
			       char *path, struct kb_decision *d)
{
	d->action = KB_ACTION_PASS;
	d->value = 0;
	d->entry = 0;
	return 0;
}

const struct kb_tier_ops kb_tier_full_ops = {
	.decide = kb_tier_full_decide,
};
