// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge tier core: tier 3, "not implemented": the syscall is never run.
 * A stub fails it with an errno, a fake pretends it succeeded with a
 * given value; policy.c only builds tier 3 rules with one of those two
 * actions.
 */
#include "core.h"

static int kb_tier_stub_decide(const struct kb_ops *ops,
			       const struct kb_ruleset *set, const u64 *args,
			       char *path, struct kb_decision *d)
{
	d->action = set->action;
	d->value = set->value;
	d->entry = 0;
	return 0;
}

const struct kb_tier_ops kb_tier_stub_ops = {
	.decide = kb_tier_stub_decide,
};
