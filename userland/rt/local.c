// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge runtime: the decision without the module (--no-module). Every
 * syscall is tier 1, passed through; it is counted in the counters the
 * supervisor shares with the whole process tree. The relaxed atomic adds
 * are enough: the supervisor reads them only after the program is gone.
 */
#include "internal.h"

void kbrt_decide_local(struct kb_syscall *call)
{
	struct kbrt_counters *c = kbrt_cfg->counters;

	if (c) {
		__atomic_fetch_add(&c->total, 1, __ATOMIC_RELAXED);
		if (call->nr < KB_NR_SYSCALLS)
			__atomic_fetch_add(&c->nr[call->nr], 1,
					   __ATOMIC_RELAXED);
		else
			__atomic_fetch_add(&c->out_of_range, 1,
					   __ATOMIC_RELAXED);
	}
	call->verdict = KB_VERDICT_EXECUTE;
	call->tier = KB_TIER_FULL;
	call->action = KB_ACTION_PASS;
}
