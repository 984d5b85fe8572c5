/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbridge: identical decisions in a row, reported as one count.
 *
 * A listener on kbridge_decisions (the eBPF counters) would otherwise run
 * once per syscall, which costs more than a syscall decided in the
 * kernel. Each member task keeps its current run of identical decisions
 * and reports it when the decision changes, when it has lasted
 * KB_RUN_TICKS, and when the task exits: a busy task's counts reach the
 * listener within ~20 ms, a blocked task's all but its blocking call.
 * With no listener attached this is one patched-out jump.
 */
#ifndef _KBRIDGE_BATCH_H
#define _KBRIDGE_BATCH_H

#include <linux/jiffies.h>
#include <asm/unistd.h>

#include "internal.h"
#include "trace.h"

#define KB_RUN_TICKS	(HZ / 50 ? HZ / 50 : 1)

/*
 * Bumped when kbridge_decisions gets its first listener: a run begun
 * before belongs to no current listener and is dropped, not reported.
 * Part of the run's key, so that checking it costs no extra compare; 26
 * bits of it fit, and a run would have to stay pending across 2^26
 * attaches to be mistaken for a current one.
 */
extern u32 kb_run_epoch;

static_assert(KB_TIER_STUBBED <= 3 && KB_ACTION_FAKE <= 3,
	      "a tier and an action fit in 2 bits each of the run key");

/* Set in every key, so that a run's key 0 means "no run". */
#define KB_RUN_LIVE	BIT_ULL(63)
#define KB_RUN_EPOCH_BITS 26

/* Everything that must match for a decision to extend a run. */
static __always_inline u64 kb_run_key(u32 nr, u16 tier, u16 action,
				      bool fastpath)
{
	return KB_RUN_LIVE | (u64)READ_ONCE(kb_run_epoch) << 37 |
	       (u64)fastpath << 36 | (u64)(action & 3) << 34 |
	       (u64)(tier & 3) << 32 | nr;
}

void kb_run_restart(struct kb_member *m, u64 key);

/*
 * Account one decision of @m; the caller is @m's task, inside an RCU
 * read-side section (or with preemption off) that found @m.
 */
static __always_inline void kb_run_note(struct kb_member *m, u32 nr, u16 tier,
					u16 action, bool fastpath)
{
	struct kb_run *r = &m->run;
	u64 key;

	if (!trace_kbridge_decisions_enabled())
		return;
	key = kb_run_key(nr, tier, action, fastpath);
	if (likely(r->key == key && time_before(jiffies, r->deadline)))
		r->count++;
	else
		kb_run_restart(m, key);
	/*
	 * The exit probe reports too late for a thread's own exit: exit_mm()
	 * wakes pthread_join() before it, and the joiner may end the
	 * program and have the maps read first.
	 */
	if (unlikely(nr == __NR_exit || nr == __NR_exit_group))
		kb_run_flush(m);
}

#endif /* _KBRIDGE_BATCH_H */
