// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: the module's tracepoints (trace.h), defined here, and the
 * reporting of a member's runs of identical decisions (batch.h) to
 * kbridge_decisions.
 */
#include <linux/sched.h>

#include "batch.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

u32 kb_run_epoch;

/* First listener attached; called under the tracepoints mutex. */
int kb_runs_reg(void)
{
	WRITE_ONCE(kb_run_epoch,
		   (kb_run_epoch + 1) & (BIT(KB_RUN_EPOCH_BITS) - 1));
	return 0;
}

void kb_runs_unreg(void)
{
}

/*
 * Report @m's run, if a current listener should see it, and end it.
 * Caller: @m's task as for kb_run_note(), or whoever frees @m after a
 * grace period, when no task can reach it any more.
 */
void kb_run_flush(struct kb_member *m)
{
	struct kb_run *r = &m->run;
	u64 key = r->key;

	if (key && ((key >> 37) & (BIT(KB_RUN_EPOCH_BITS) - 1)) ==
		   READ_ONCE(kb_run_epoch))
		trace_kbridge_decisions(m->session_id, m->tgid, (u32)key,
					(key >> 32) & 3, (key >> 34) & 3,
					(key >> 36) & 1, r->count);
	r->key = 0;
}

/* Out of line: the common case, one more of the same, is kb_run_note(). */
void kb_run_restart(struct kb_member *m, u64 key)
{
	struct kb_run *r = &m->run;

	kb_run_flush(m);
	r->key = key;
	r->deadline = jiffies + KB_RUN_TICKS;
	r->count = 1;
}
