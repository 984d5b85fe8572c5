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
#define KBSTAT_TP_NAME		"kbridge_decision"

/*
 * Entries per hash. A key is one (syscall, tier, action, path) of one
 * session or process: a busy program uses a few hundred, so the per-session
 * and per-process maps fill only after many programs ran while loaded.
 * When a map is full, new keys are not counted and drops[] says so.
 */
#define KBSTAT_MAX_ENTRIES	16384

/*
 * What the program counts (kbctl stats --bpf load --scope): every counted
 * scope costs one hash update per decision, and the bench measures what
 * counting adds to a syscall, so the per-session and per-process maps
 * can be left out. A scope left out has no pinned map.
 */
enum kbstat_scope {
	KBSTAT_SCOPE_GLOBAL = 1 << 0,	/* tier_hits */
	KBSTAT_SCOPE_SESSION = 1 << 1,	/* session_hits */
	KBSTAT_SCOPE_PID = 1 << 2,	/* pid_hits */
	KBSTAT_SCOPE_ALL = (1 << 3) - 1,
};

/* Index into the drops array: which map had no room for a new key. */
enum kbstat_drop {
	KBSTAT_DROP_TIER,
	KBSTAT_DROP_SESSION,
	KBSTAT_DROP_PID,
	KBSTAT_NR_DROPS,
};

/* tier_hits: all sessions together. */
struct kbstat_tier_key {
	__u32 nr;
	__u16 tier;
	__u8 action;
	__u8 fastpath;
};

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

#endif /* KBSTAT_H */
