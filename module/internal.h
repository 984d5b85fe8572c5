/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbridge: private structures and prototypes shared by the module's files.
 */
#ifndef _KBRIDGE_INTERNAL_H
#define _KBRIDGE_INTERNAL_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/kbridge.h>

/* Reported by MODULE_VERSION() and by KB_IOC_GET_VERSION. */
#define KB_RELEASE		"0.1.0"

#define KB_FEATURES		(KB_FEATURE_SESSIONS | KB_FEATURE_SYSCALL | \
				 KB_FEATURE_FOLLOW_FORK | KB_FEATURE_STATS | \
				 KB_FEATURE_RULES)

struct file;
struct task_struct;

/**
 * struct kb_rule - what a session does with one syscall number
 * @tier:   KB_TIER_*, selects the entry of the tier table that decides
 * @action: KB_ACTION_* the tier applies
 * @value:  tier-specific: the errno of a stub, the result of a fake
 */
struct kb_rule {
	u16 tier;
	u16 action;
	s64 value;
};

/*
 * The policy of a session: one rule per syscall number. Readers take a
 * copy of the rule they need under rcu_read_lock(); a writer publishes a
 * whole new table with rcu_assign_pointer() and frees the old one after a
 * grace period.
 */
struct kb_policy {
	struct rcu_head rcu;
	struct kb_rule rules[KB_NR_SYSCALLS];
};

/* Per-CPU call counters of a session, summed when read. */
struct kb_counters {
	u64 nr[KB_NR_SYSCALLS];
	u64 out_of_range;
	u64 total;
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
 * @policy_lock: serialises writers of @policy (KB_IOC_SET_RULES)
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
	struct rcu_head rcu;
};

/**
 * struct kb_tier_ops - one tier of the KernelBridge model
 * @decide: fill @call's verdict, args, result, tier and action for
 *          @rule; runs in process context with no lock held (it may
 *          sleep and read user memory); returns 0 or a -errno for the
 *          ioctl
 */
struct kb_tier_ops {
	int (*decide)(struct kb_session *s, const struct kb_rule *rule,
		      struct kb_syscall *call);
};

extern const struct kb_tier_ops kb_tier_full_ops;
extern const struct kb_tier_ops kb_tier_stub_ops;

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
int kb_ioctl_syscall(struct file *file, void *arg);

/* policy.c */
int kb_ioctl_set_rules(struct file *file, void *arg);

#endif /* _KBRIDGE_INTERNAL_H */
