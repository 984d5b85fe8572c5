// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge tier core: tier 2, "partially implemented": the action depends
 * on the arguments. Conditions are tried in order and the first that
 * matches decides; a call that matches none gets the rule's own action.
 *
 * Register conditions are decided anywhere, at syscall entry included. A
 * path condition reads the string the program passed, which may fault:
 * only where program memory can be read, so a decision without @path
 * hands such calls back (-EAGAIN) as soon as it reaches one. The string
 * is matched as passed, unresolved, which is what a program (and Loupe's
 * analysis) sees.
 */
#include "core.h"

/*
 * Read the path once per call. A string that cannot be read or is longer
 * than any glob can describe matches no condition: the syscall then gets
 * the fallback, and if that passes it, the host answers EFAULT or
 * ENAMETOOLONG itself.
 */
static bool kb_read_path(const struct kb_ops *ops, u64 uaddr, char *buf)
{
	long n = ops->strncpy_from_user(buf, uaddr, KB_PATH_MAX + 1);

	return n >= 0 && n <= KB_PATH_MAX;
}

static int kb_tier_partial_decide(const struct kb_ops *ops,
				  const struct kb_ruleset *set,
				  const u64 *args, char *path,
				  struct kb_decision *d)
{
	int path_arg = -1;
	bool path_ok = false;
	u32 i;

	for (i = 0; i < set->nconds; i++) {
		const struct kb_cond *c = &set->conds[i];
		u64 a = args[c->arg];
		bool hit;

		switch (c->match) {
		case KB_MATCH_EQ:
		case KB_MATCH_ANY_BIT:
			hit = kb_cond_match_reg(c, a);
			break;
		case KB_MATCH_PATH:
			if (!path)
				return -EAGAIN;
			if (path_arg != c->arg) {
				path_arg = c->arg;
				path_ok = kb_read_path(ops, a, path);
			}
			hit = path_ok && kb_glob_match(c->glob, path);
			break;
		default:
			/* policy.c builds no other kind */
			return -EINVAL;
		}
		if (hit) {
			d->action = c->action;
			d->value = c->value;
			d->entry = 1 + i;
			return 0;
		}
	}
	d->action = set->action;
	d->value = set->value;
	d->entry = 0;
	return 0;
}

const struct kb_tier_ops kb_tier_partial_ops = {
	.decide = kb_tier_partial_decide,
};
