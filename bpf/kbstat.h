/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbstat: the map layout shared by kbstat.bpf.c and kbctl (stats, top).
 *
 * Keys have no padding holes: the kernel hashes every byte of a key, so a
 * hole left uninitialised on one side would split one counter into many.
 */
#ifndef KBSTAT_H
#define KBSTAT_H

/* Where kbctl stats --bpf load pins the maps and the link. */
#define KBSTAT_PIN_DIR		"/sys/fs/bpf/kbridge"
#define KBSTAT_LINK_NAME	"kb_decision_link"
/* The module's tracepoint (TRACE_SYSTEM kbridge), as a raw tracepoint. */
#define KBSTAT_TP_NAME		"kbridge_decisions"
/* ... and its io_uring one: optional, a module before it has none. */
#define KBSTAT_URING_TP_NAME	"kbridge_uring_op"
#define KBSTAT_URING_LINK_NAME	"kb_uring_link"

/*
 * Entries per hash. A key is one (syscall, tier, action, path) of one
 * session or process: a busy program uses a few hundred, so the per-session
 * and per-process maps fill only after many programs ran while loaded.
 * When a map is full, new keys are not counted and drops[] says so.
 */
#define KBSTAT_MAX_ENTRIES	16384

/*
 * tier_hits is an array indexed by syscall number: a lookup there is an
 * address computation, where a hash costs a hash and an insert the first
 * time. The module's per-number table stops at 512; every number past it
 * (x32, numbers no kernel has) shares the last slot, so the array can
 * never fill and never drops.
 */
#define KBSTAT_NR_SLOTS		513
#define KBSTAT_SLOT_OUT_OF_RANGE (KBSTAT_NR_SLOTS - 1)

/*
 * What the program counts (kbctl stats --bpf load --scope): the bench
 * measures what counting adds to a syscall, and the per-session and
 * per-process hashes are the expensive part, so they can be left out.
 */
enum kbstat_scope {
	KBSTAT_SCOPE_GLOBAL = 1 << 0,	/* tier_hits */
	KBSTAT_SCOPE_SESSION = 1 << 1,	/* session_hits */
	KBSTAT_SCOPE_PID = 1 << 2,	/* pid_hits */
	KBSTAT_SCOPE_ALL = (1 << 3) - 1,
};

/*
 * Index into the drops array: decisions a map could not count.
 * KBSTAT_DROP_TIER stays 0 since tier_hits became an array; it keeps its
 * index so that the other entries, and readers of older dumps, do not
 * move. KBSTAT_DROP_BAD counts decisions whose (tier, action) pair is none
 * the uapi header allows: tier_hits has no field for them (the hashes,
 * whose keys hold tier and action, still count them).
 */
enum kbstat_drop {
	KBSTAT_DROP_TIER,
	KBSTAT_DROP_SESSION,
	KBSTAT_DROP_PID,
	KBSTAT_DROP_BAD,
	KBSTAT_NR_DROPS,
};

/*
 * tier_hits value, all sessions together: one counter per valid (tier,
 * action) pair of uapi/linux/kbridge.h, each indexed by path (0 SIGSYS
 * and KB_IOC_SYSCALL, 1 in-kernel fast path). Named fields, so that
 * bpftool prints the counts with their meaning from BTF.
 */
struct kbstat_counts {
	__u64 full_pass[2];
	__u64 partial_pass[2];
	__u64 partial_stub[2];
	__u64 partial_fake[2];
	__u64 stubbed_stub[2];
	__u64 stubbed_fake[2];
};

/* The (tier, action) of each kbstat_counts field, in field order. */
#define KBSTAT_NR_FIELDS	6
#define KBSTAT_FIELDS(F)				\
	F(full_pass, KB_TIER_FULL, KB_ACTION_PASS)	\
	F(partial_pass, KB_TIER_PARTIAL, KB_ACTION_PASS) \
	F(partial_stub, KB_TIER_PARTIAL, KB_ACTION_STUB) \
	F(partial_fake, KB_TIER_PARTIAL, KB_ACTION_FAKE) \
	F(stubbed_stub, KB_TIER_STUBBED, KB_ACTION_STUB) \
	F(stubbed_fake, KB_TIER_STUBBED, KB_ACTION_FAKE)

/* session_hits: per KB_IOC_SESSION_CREATE session_id. */
struct kbstat_session_key {
	__u64 session;
	__u32 nr;
	__u16 tier;
	__u8 action;
	__u8 fastpath;
};

/* pid_hits: per process (thread group id, init pid namespace). */
struct kbstat_pid_key {
	__u32 tgid;
	__u32 nr;
	__u16 tier;
	__u8 action;
	__u8 fastpath;
};

/*
 * uring_hits: io_uring operations of every session, an array indexed by
 * opcode (KB_URING_OPS entries, the last for every opcode from there on);
 * uring_session_hits: per session and opcode.
 */
struct kbstat_uring_key {
	__u64 session;
	__u32 opcode;
	__u32 __pad;	/* 0: keys are hashed whole */
};

#endif /* KBSTAT_H */
