/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbridge: private structures and prototypes shared by the module's files.
 */
#ifndef _KBRIDGE_INTERNAL_H
#define _KBRIDGE_INTERNAL_H

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/kbridge.h>

/* Reported by MODULE_VERSION() and by KB_IOC_GET_VERSION. */
#define KB_RELEASE		"0.1.0"

#define KB_FEATURES		(KB_FEATURE_SESSIONS | KB_FEATURE_SYSCALL | \
				 KB_FEATURE_FOLLOW_FORK | KB_FEATURE_STATS | \
				 KB_FEATURE_RULES | KB_FEATURE_PARTIAL | \
				 KB_FEATURE_GET_RULES | KB_FEATURE_FASTPATH)

struct file;
struct task_struct;

/**
 * struct kb_cond - one tier 2 condition of a rule (a KB_MATCH_* entry)
 * @match:    KB_MATCH_EQ, KB_MATCH_ANY_BIT or KB_MATCH_PATH
 * @arg:      argument the condition reads, 0..5
 * @action:   KB_ACTION_* taken when the call matches
 * @value:    errno of a stub (1..MAX_ERRNO), result of a fake
 * @mask:     bits of the argument compared
 * @operand:  KB_MATCH_EQ: the value they must equal
 * @glob:     KB_MATCH_PATH: NUL-terminated pattern
 * @path_len: strlen(@glob)
 */
struct kb_cond {
	u16 match;
	u16 arg;
	u16 action;
	s64 value;
	u64 mask;
	u64 operand;
	char *glob;
	u32 path_len;
};

/**
 * struct kb_ruleset - the rule of one syscall number, immutable once built
 * @rcu:       freed after a grace period: the fast path reads it under RCU
 * @ref:       one per policy table that points to it, plus one per
 *             KB_IOC_SYSCALL deciding with it (it may sleep)
 * @tier:      KB_TIER_*
 * @action:    KB_ACTION_* for every call (tiers 1, 3) or for calls that
 *             match no condition (tier 2)
 * @value:     errno of a stub (1..MAX_ERRNO), result of a fake
 * @needs_ctx: a condition reads the program's memory: some calls can only
 *             be decided in process context
 * @nconds:    entries in @conds
 * @hits:      per-CPU decisions, [0] by the rule itself, [1 + i] by @conds[i]
 * @conds:     tier 2 conditions, first match wins
 */
struct kb_ruleset {
	struct rcu_head rcu;
	refcount_t ref;
	u16 tier;
	u16 action;
	s64 value;
	bool needs_ctx;
	u32 nconds;
	u64 __percpu *hits;
	struct kb_cond conds[];
};

/* kb_fast.kind: what the fast path does with a syscall number */
enum kb_fast_kind {
	KB_FAST_PASS,		/* run it natively (unless the runtime traps it) */
	KB_FAST_RESULT,		/* return kb_fast.ret without running it */
	KB_FAST_EVAL,		/* tier 2: try the conditions on the registers */
};

/**
 * struct kb_fast - a rule precomputed for the fast path
 * @kind:   enum kb_fast_kind
 * @tier:   KB_TIER_* of the rule
 * @action: KB_FAST_PASS, KB_FAST_RESULT: the KB_ACTION_* taken
 * @ret:    KB_FAST_RESULT: the syscall's return value (-errno for a stub)
 *
 * Every cycle of the fast path is paid by every syscall of a member, so
 * whole-syscall rules are resolved when the policy is built, and the
 * pre-handler reads one entry.
 */
struct kb_fast {
	u16 kind;
	u16 tier;
	u16 action;
	s64 ret;
};

/*
 * The policy of a session: one rule per syscall number, NULL for the
 * initial tier 1 pass, and its fast-path summary. Readers use it under
 * rcu_read_lock(); a writer publishes a whole new table with
 * rcu_assign_pointer() and drops the old one's references to its rulesets
 * after a grace period.
 */
struct kb_policy {
	struct rcu_head rcu;
	struct kb_ruleset *rules[KB_NR_SYSCALLS];
	struct kb_fast fast[KB_NR_SYSCALLS];
};

/**
 * struct kb_decision - what a rule decided for one call
 * @tier:   KB_TIER_* of the rule
 * @action: KB_ACTION_*
 * @value:  errno of a stub (positive), result of a fake
 * @entry:  index in the ruleset's hits: 0 the rule, 1 + i condition i
 */
struct kb_decision {
	u16 tier;
	u16 action;
	s64 value;
	u32 entry;
};

/* Per-CPU call counters of a session, summed when read (total too). */
struct kb_counters {
	u64 nr[KB_NR_SYSCALLS];
	u64 out_of_range;
	u64 fastpath;
};

/**
 * struct kb_session - the policy and the member tasks of one open file
 * @id:         unique for the lifetime of the module
 * @lock:       protects @members, @nr_members and @joined; nests inside
 *              kb_members_lock (see session.c)
 * @members:    struct kb_member.session_node of every member task
 * @nr_members: live member tasks
 * @joined:     tasks that have ever been members
 * @dead:       the file is being released, no task may join any more;
 *              written under both locks, read under either
 * @counters:   per-CPU call counters
 * @policy:     RCU-protected rule table
 * @policy_lock: serialises writers of @policy (KB_IOC_SET_RULES) and
 *              KB_IOC_GET_RULES, which reads it with user copies
 * @fastpath:   KB_IOC_SET_FASTPATH enabled in-kernel decisions
 * @trap:       syscalls the runtime executes itself when they pass
 * @rcu:        the session is freed after a grace period, since the fork
 *              and exit probes and the dispatcher find it through members
 *              under RCU
 *
 * Lifetime: created by KB_IOC_SESSION_CREATE and owned by the file
 * (file->private_data); freed when the last reference to the file goes.
 * Every ioctl runs with a file reference held, so handlers never see a
 * freed session.
 */
struct kb_session {
	u64 id;
	spinlock_t lock;		/* members, nr_members, joined */
	struct list_head members;
	unsigned int nr_members;
	u64 joined;
	bool dead;
	struct kb_counters __percpu *counters;
	struct kb_policy __rcu *policy;
	struct mutex policy_lock;	/* writers of policy */
	bool fastpath;
	DECLARE_BITMAP(trap, KB_NR_SYSCALLS);
	struct rcu_head rcu;
};

/**
 * struct kb_tier_ops - one tier of the KernelBridge model
 * @decide: fill @d for a call with @args under rule @set. @path is NULL
 *          in atomic context (the fast path): a tier that would need the
 *          program's memory returns -EAGAIN instead. Otherwise @path is a
 *          KB_PATH_MAX + 1 byte buffer and the tier may sleep. 0 or -errno.
 */
struct kb_tier_ops {
	int (*decide)(const struct kb_ruleset *set, const u64 *args,
		      char *path, struct kb_decision *d);
};

extern const struct kb_tier_ops kb_tier_full_ops;
extern const struct kb_tier_ops kb_tier_partial_ops;
extern const struct kb_tier_ops kb_tier_stub_ops;

/**
 * struct kb_run - a member's identical decisions in a row, not yet reported
 * @key:      the decision and the epoch it was made in (kb_run_key()); 0:
 *            no run
 * @count:    how many
 * @deadline: jiffies by which the run is reported
 *
 * Written only by the member's own task, on either decision path, and by
 * the member's RCU free callback once no task can reach it (batch.c).
 */
struct kb_run {
	u64 key;
	u32 count;
	unsigned long deadline;
};

/**
 * struct kb_member - one task that belongs to a session
 * @task:         the member; no reference is held: the exit probe removes
 *                the member before the task can be freed
 * @session:      the session it belongs to
 * @hash_node:    in kb_members, keyed by @task
 * @session_node: in session->members
 * @rcu:          freed after a grace period (lockless hash readers)
 * @session_id:   @session's id, @tgid: @task's, for reports made after
 *                either is gone
 * @run:          decisions not yet reported to kbridge_decisions
 */
struct kb_member {
	struct task_struct *task;
	struct kb_session *session;
	struct hlist_node hash_node;
	struct list_head session_node;
	struct rcu_head rcu;
	u64 session_id;
	u32 tgid;
	struct kb_run run;
};

#define KB_MEMBERS_HASH_BITS	10

/* task -> member, written under kb_members_lock (session.c), read under RCU */
extern struct hlist_head kb_members[1 << KB_MEMBERS_HASH_BITS];

/* Caller holds rcu_read_lock() or kb_members_lock. */
static __always_inline struct kb_member *kb_member_find(struct task_struct *task)
{
	struct kb_member *m;

	hlist_for_each_entry_rcu(m, &kb_members[hash_min((unsigned long)task,
							    KB_MEMBERS_HASH_BITS)],
				 hash_node, true) {
		if (m->task == task)
			return m;
	}
	return NULL;
}

/* main.c */
struct kb_session *kb_file_session(struct file *file);
int kb_file_set_session(struct file *file, struct kb_session *s);

/* ioctl.c */
long kb_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* session.c */
int kb_session_init(void);
void kb_session_exit(void);
void kb_session_release(struct kb_session *s);
bool kb_session_has_member(struct kb_session *s, struct task_struct *task);
int kb_ioctl_session_create(struct file *file, void *arg);
int kb_ioctl_session_join(struct file *file, void *arg);
int kb_ioctl_session_stats(struct file *file, void *arg);

/* dispatch.c */
int kb_decide(const struct kb_ruleset *set, const u64 *args, char *path,
	      struct kb_decision *d);
int kb_ioctl_syscall(struct file *file, void *arg);

/* policy.c */
struct kb_policy *kb_policy_alloc(void);
void kb_ruleset_free(struct kb_ruleset *set);
void kb_policy_free(struct kb_policy *p);
int kb_policy_live(void);
int kb_ioctl_set_rules(struct file *file, void *arg);
int kb_ioctl_get_rules(struct file *file, void *arg);

/* batch.c */
void kb_run_flush(struct kb_member *m);

/* fastpath.c */
int kb_fastpath_init(void);
void kb_fastpath_exit(void);
bool kb_fastpath_armed(void);
int kb_ioctl_set_fastpath(struct file *file, void *arg);

#endif /* _KBRIDGE_INTERNAL_H */
