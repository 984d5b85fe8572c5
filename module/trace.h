/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbridge: the tracepoints of tier decisions, the stable hooks for
 * statistics. kbridge_decision fires for every decision, for tools that
 * want each event (perf trace, bpftrace); kbridge_decisions reports them
 * counted, a run of identical ones at a time (batch.h), for counters:
 * bpf/ attaches to it as raw_tp/kbridge_decisions (a raw tracepoint needs
 * no module BTF, which Debian's headers cannot build). The arguments are
 * plain integers, in this order, so that a BPF program reads them from its
 * context without knowing any kbridge type. Unused, each costs a
 * patched-out jump per decision.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kbridge

#if !defined(_KBRIDGE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KBRIDGE_TRACE_H

#include <linux/tracepoint.h>

/**
 * kbridge_decision - a member's syscall was decided
 * @session:  the session's id (KB_IOC_SESSION_CREATE)
 * @tgid:     the calling process, in the initial pid namespace
 * @nr:       syscall number, may be >= KB_NR_SYSCALLS (then tier 1 pass)
 * @tier:     KB_TIER_* of the rule that decided
 * @action:   KB_ACTION_*
 * @fastpath: decided at syscall entry in the kernel, without a SIGSYS
 */
TRACE_EVENT(kbridge_decision,
	TP_PROTO(u64 session, u32 tgid, u32 nr, u16 tier, u16 action,
		 bool fastpath),
	TP_ARGS(session, tgid, nr, tier, action, fastpath),
	TP_STRUCT__entry(
		__field(u64, session)
		__field(u32, tgid)
		__field(u32, nr)
		__field(u16, tier)
		__field(u16, action)
		__field(bool, fastpath)
	),
	TP_fast_assign(
		__entry->session = session;
		__entry->tgid = tgid;
		__entry->nr = nr;
		__entry->tier = tier;
		__entry->action = action;
		__entry->fastpath = fastpath;
	),
	TP_printk("session=%llu tgid=%u nr=%u tier=%u action=%u fastpath=%d",
		  __entry->session, __entry->tgid, __entry->nr, __entry->tier,
		  __entry->action, __entry->fastpath)
);

int kb_runs_reg(void);
void kb_runs_unreg(void);

/**
 * kbridge_decisions - @count identical decisions of one process
 * @session, @tgid, @nr, @tier, @action, @fastpath: as for kbridge_decision
 * @count:    how many, made in a row by one task; each decision is
 *            reported once, within ~20 ms while the task keeps calling,
 *            or when it makes another decision, or when it exits
 *
 * The first listener's attach starts a new epoch: no count it receives
 * was made before it attached.
 */
TRACE_EVENT_FN(kbridge_decisions,
	TP_PROTO(u64 session, u32 tgid, u32 nr, u16 tier, u16 action,
		 bool fastpath, u32 count),
	TP_ARGS(session, tgid, nr, tier, action, fastpath, count),
	TP_STRUCT__entry(
		__field(u64, session)
		__field(u32, tgid)
		__field(u32, nr)
		__field(u16, tier)
		__field(u16, action)
		__field(bool, fastpath)
		__field(u32, count)
	),
	TP_fast_assign(
		__entry->session = session;
		__entry->tgid = tgid;
		__entry->nr = nr;
		__entry->tier = tier;
		__entry->action = action;
		__entry->fastpath = fastpath;
		__entry->count = count;
	),
	TP_printk("session=%llu tgid=%u nr=%u tier=%u action=%u fastpath=%d count=%u",
		  __entry->session, __entry->tgid, __entry->nr, __entry->tier,
		  __entry->action, __entry->fastpath, __entry->count),
	kb_runs_reg, kb_runs_unreg
);

/**
 * kbridge_uring_op - a member submitted an io_uring operation (uring.c)
 * @session, @tgid: as for kbridge_decision
 * @opcode:   IORING_OP_*, at most KB_URING_OPS - 1 (which stands for
 *            every opcode from there on)
 *
 * bpf/ attaches to it as raw_tp/kbridge_uring_op (kbctl stats).
 */
TRACE_EVENT(kbridge_uring_op,
	TP_PROTO(u64 session, u32 tgid, u32 opcode),
	TP_ARGS(session, tgid, opcode),
	TP_STRUCT__entry(
		__field(u64, session)
		__field(u32, tgid)
		__field(u32, opcode)
	),
	TP_fast_assign(
		__entry->session = session;
		__entry->tgid = tgid;
		__entry->opcode = opcode;
	),
	TP_printk("session=%llu tgid=%u opcode=%u", __entry->session,
		  __entry->tgid, __entry->opcode)
);

#endif /* _KBRIDGE_TRACE_H */

/* Out of tree: the header is found next to its users. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
