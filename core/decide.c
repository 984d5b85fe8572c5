// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge tier core: deciding one call under its syscall's rule, by the
 * tier the rule belongs to.
 */
#include "core.h"

/* Indexed by KB_TIER_*; a tier plugs in by filling its slot. */
static const struct kb_tier_ops *const kb_tiers[] = {
	[KB_TIER_FULL] = &kb_tier_full_ops,
	[KB_TIER_PARTIAL] = &kb_tier_partial_ops,
	[KB_TIER_STUBBED] = &kb_tier_stub_ops,
};

int kb_decide(const struct kb_ops *ops, const struct kb_ruleset *set,
	      const u64 *args, char *path, struct kb_decision *d)
{
	if (!set) {
		d->tier = KB_TIER_FULL;
		d->action = KB_ACTION_PASS;
		d->value = 0;
		d->entry = 0;
		return 0;
	}
	/* Rulesets are built by policy.c only: a bad tier is our bug. */
	if (set->tier >= ARRAY_SIZE(kb_tiers) ||
	    !kb_tiers[set->tier])
		return -EINVAL;
	d->tier = set->tier;
	return kb_tiers[set->tier]->decide(ops, set, args, path, d);
}
