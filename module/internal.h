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
#include <linux/workqueue.h>
#include <linux/kbridge.h>

#include "../core/core.h"

/*
 * KB_RELEASE, reported by MODULE_VERSION() and by KB_IOC_GET_VERSION,
 * comes from dkms.conf through Kbuild.
 */

#define KB_FEATURES		(KB_FEATURE_SESSIONS | KB_FEATURE_SYSCALL | \
				 KB_FEATURE_FOLLOW_FORK | KB_FEATURE_STATS | \
				 KB_FEATURE_RULES | KB_FEATURE_PARTIAL | \
				 KB_FEATURE_GET_RULES | KB_FEATURE_FASTPATH | \
				 KB_FEATURE_PERSONALITY | KB_FEATURE_SCOPE | \
				 KB_FEATURE_TRAP_ARGS | KB_FEATURE_LOCK | \
				 KB_FEATURE_EXEC_RULES | KB_FEATURE_TASK_LIST | \
				 KB_FEATURE_URING_OPS | KB_FEATURE_SYSCALL_RUN | \
				 KB_FEATURE_NO_RUNTIME)

struct file;
struct task_struct;

/* Per-CPU call counters of a session, summed when read (total too). */
struct kb_counters {
	u64 nr[KB_NR_SYSCALLS];
	u64 out_of_range;
	u64 fastpath;
	u64 uring[KB_URING_OPS];	/* io_uring operations, by opcode */
};

/**
 * struct kb_session - the policy and the member tasks of one open file
 * @id:         unique for the lifetime of the module
 * @lock:       protects @members, @nr_members and @joined; nests inside
 *              kb_members_lock (see session.c)
 * @members:    struct kb_member.session_node of every member task
 * @nr_members: live member tasks
 * @joined:     tasks that have ever been members
 * @dead:       the file is closed and the last member gone: no task may
 *              join any more; written under both locks, read under either
 * @closed:     the file is closed: the session ends with its last member;
 *              under both locks
 * @exec:       owned by an exec rule (exec_rules.c), not by a file
 * @inherit:    KB_EXEC_INHERIT: members keep it across any exec
 * @name:       the exec rule's personality name, or KB_IOC_SESSION_CREATE's
 * @exec_rule:  the id of the exec rule that owns it, else 0
 * @flags:      KB_SESSION_* of KB_IOC_SESSION_CREATE
 * @end_work:   ends the session from process context when its last
 *              member exits after the file closed
 * @counters:   per-CPU call counters
 * @policy:     RCU-protected rule table
 * @policy_lock: serialises writers of @policy (KB_IOC_SET_RULES) and
 *              KB_IOC_GET_RULES, which reads it with user copies
 * @fastpath:   KB_IOC_SET_FASTPATH enabled in-kernel decisions
 * @creator:    the process that created the session (its launcher), or
 *              NULL for an exec rule's: once it has exited, the session
 *              shows as closed even while members keep its file open
 * @trap:       syscalls the runtime executes itself when they pass
 * @fd_floor:   0, or close/dup2/dup3 of @trap trap only for fds >= it,
 *              fcntl only for an F_DUPFD that may reach it, getdents
 *              only on procfs
 * @path_prefix_len: 0, or the path syscalls of @trap trap only for paths
 *              starting with the first @path_prefix_len bytes of
 *              @path_prefix
 * @rcu:        the session is freed after a grace period, since the fork
 *              and exit probes and the dispatcher find it through members
 *              under RCU
 *
 * Lifetime: created by KB_IOC_SESSION_CREATE and owned by the file
 * (file->private_data) and by its members; freed when the last reference
 * to the file is gone and the last member has exited. Every ioctl runs
 * with a file reference held, so handlers never see a freed session.
 */
struct kb_session {
	u64 id;
	raw_spinlock_t lock;		/* members, nr_members, joined */
	struct list_head members;
	unsigned int nr_members;
	u64 joined;
	bool dead;
	bool closed;
	bool exec;
	bool inherit;
	char name[KB_EXEC_NAME_MAX + 1];
	u64 exec_rule;
	u32 flags;
	struct work_struct end_work;
	struct kb_counters __percpu *counters;
	struct kb_policy __rcu *policy;
	struct mutex policy_lock;	/* writers of policy */
	bool fastpath;
	struct pid *creator;		/* process of KB_IOC_SESSION_CREATE */
	u64 last_changed;		/* 1 + nr of the latest stub or fake */
	DECLARE_BITMAP(trap, KB_NR_SYSCALLS);
	u32 fd_floor;
	u32 path_prefix_len;
	char path_prefix[KB_PATH_PREFIX_MAX];
	struct kb_pers_slot __rcu *pers;
	struct rcu_head rcu;
};

/**
 * struct kb_run - a member's identical decisions in a row, not yet reported
 * @key:      the decision and the epoch it was made in (kb_run_key()); 0:
 *            no run
 * @count:    how many
 * @deadline: jiffies by which the run is reported
 *
 * Written only by the member's own task, on either decision path, and by
 * the member's RCU free callback once no task can reach it (trace.c).
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
 * @out_of_scope: KB_IOC_SET_SCOPE 0: its syscalls run natively, uncounted
 * @sud_armed:    the module put it under SUD (kb_session_exec(): an exec
 *                rule, or an exec in a KB_SESSION_NO_RUNTIME session):
 *                its children get it too
 * @spare:        the member @task's next child gets; read and written by
 *                @task only (session.c, "Spares")
 * @refill:       the task work that gives @task a new @spare
 * @ref:          1 until the grace period after unlinking, +1 while
 *                @refill is queued
 * @unlinked:     out of the hash; @task set it, a late @refill reads it
 * @refill_queued: @refill is queued on @task
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
	bool out_of_scope;
	bool sud_armed;
	bool unlinked;
	bool refill_queued;
	struct kb_member *spare;
	struct callback_head refill;
	refcount_t ref;
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


/*
 * The module's files, in layers: each calls only into its own layer's
 * files listed before it and into the layers below, never up, which
 * tests/host/module_layers.py checks on the objects (docs/architecture.md).
 */

/* -- services ----------------------------------------------------------- */

/* fault.c: true when this allocation must fail (fail_every=N) */
bool kb_fault(void);
/* @alloc, or NULL without calling it when an allocation must fail */
#define kb_fault_or(alloc)	(kb_fault() ? NULL : (alloc))

/* core_host.c: the tier core's kernel services */
extern const struct kb_ops kb_kernel_ops;
/* Rulesets alive: must be 0 when the module goes away. */
int kb_policy_live(void);

/* trace.c: the kbridge_* tracepoints and the runs they report */
void kb_run_flush(struct kb_member *m);

/* entries.c */
int kb_copy_entries(u64 uptr, const void *buf, u32 n, u32 ksize, u32 usize);

/* ksym.c: the address of a kernel function not exported, or 0 */
unsigned long kb_ksym(const char *name);

/* -- state: personalities, policies, sessions ---------------------------- */

/* personality.c */
struct kb_pers_slot;
bool kb_pers_implements(struct kb_pers_slot *slot, u32 nr);
bool kb_pers_decide(struct kb_session *s, struct kb_syscall *call,
		    struct kb_decision *d);
void kb_pers_slot_put(struct kb_pers_slot *slot);
int kb_pers_session_set(struct kb_session *s, const char *name,
			u32 *handlers);
void kb_pers_session_release(struct kb_session *s);
void kb_pers_name(struct kb_session *s, char *buf, size_t len);
void kb_pers_exit(void);

/* policy.c */
int kb_session_policy_set(struct kb_session *s, const struct kb_set_rules *req,
			  bool kernel_only);
int kb_session_policy_get(struct kb_session *s, struct kb_get_rules *req);

/* session.c */
int kb_session_init(void);
void kb_session_exit(void);
/* The session of an open /dev/kbridge file, or NULL (acquire). */
struct kb_session *kb_file_session(struct file *file);
/* Publish @s as the session of @file; -EEXIST if it already has one. */
int kb_file_set_session(struct file *file, struct kb_session *s);
struct kb_session *kb_session_create(u32 flags, const char *name);
void kb_session_discard(struct kb_session *s);
void kb_session_release(struct kb_session *s);
int kb_session_join(struct kb_session *s, unsigned int *members);
int kb_session_set_scope(struct kb_session *s, bool in_scope);
int kb_session_may_change(struct kb_session *s);
int kb_member_out_of_scope(struct kb_session *s, struct task_struct *task);
u32 kb_session_members(struct kb_session *s, u64 *joined);
u64 kb_session_sum(struct kb_session *s, u64 *counts, u32 n,
		   u64 *out_of_range, u64 *fast);
u64 kb_session_calls(struct kb_session *s);
void kb_session_uring_sum(struct kb_session *s, u64 *ops);
/* From the fork and exit probes (probes.c); preemption is off. */
void kb_session_fork(struct task_struct *parent, struct task_struct *child);
void kb_session_task_exit(struct task_struct *task);
/* Exec rules' sessions (exec_*.c). */
struct kb_session *kb_session_new_exec(bool inherit, const char *name);
bool kb_session_exec_member(struct task_struct *task);
bool kb_session_exec_keeps(struct task_struct *task);
int kb_session_exec(struct kb_session *to, struct kb_member **prepared);
struct kb_member *kb_member_new(void);
void kb_member_discard(struct kb_member *m);
struct kb_objects {
	int sessions;
	int closed;
	int members;
	int spares;
};
void kb_session_objects(struct kb_objects *o);

/* -- mechanisms: hooks on the kernel ------------------------------------- */

/* fastpath.c: decisions at syscall entry */
int kb_fastpath_init(void);
void kb_fastpath_exit(void);
bool kb_fastpath_armed(void);
u32 kb_fastpath_status(void);
bool kb_fastpath_session_set(struct kb_session *s,
			     const struct kb_set_fastpath *req,
			     const unsigned long *trap);

/* syscall_run.c: a passed call run inside KB_IOC_SYSCALL (KB_SYSCALL_RUN) */
void kb_syscall_run_init(void);
bool kb_syscall_run_armed(void);
/* 0, or a restart code; @call's verdict KB_VERDICT_RAN when it ran */
int kb_syscall_run(struct kb_syscall *call);
/* @ret is a code the signal code turns into a restart, or into EINTR */
bool kb_restart_code(long ret);

/* uring.c: io_uring operations counted into the session's counters */
void kb_uring_init(void);
void kb_uring_exit(void);
bool kb_uring_armed(void);

/* exec_rules.c: the exec rules' table (the rest in exec.h) */
void kb_exec_stats(u64 *lookups, u64 *ns, u64 *redirects);

/* exec_watch.c: every exec, for the exec rules */
struct linux_binprm;
int kb_exec_init(void);
void kb_exec_exit(void);
void kb_exec_on_exec(struct task_struct *p, struct linux_binprm *bprm);
void kb_exec_task_exit(struct task_struct *task);
/* Execs in progress whose task work is pending (debugfs objects). */
int kb_exec_watched_live(void);

/* probes.c: the scheduler tracepoints, attached last, detached first */
int kb_probes_init(void);
void kb_probes_exit(void);

/* -- ioctl handlers: check a request, then call the layers below --------- */

/* session_ioctl.c */
int kb_ioctl_session_create(struct file *file, void *arg);
int kb_ioctl_session_join(struct file *file, void *arg);
int kb_ioctl_session_stats(struct file *file, void *arg);
int kb_ioctl_set_scope(struct file *file, void *arg);

/* policy_ioctl.c */
int kb_ioctl_set_rules(struct file *file, void *arg);
int kb_ioctl_get_rules(struct file *file, void *arg);
int kb_ioctl_set_fastpath(struct file *file, void *arg);
int kb_ioctl_set_personality(struct file *file, void *arg);

/* exec_ioctl.c */
int kb_ioctl_exec_rule_add(struct file *file, void *arg);
int kb_ioctl_exec_rule_del(struct file *file, void *arg);
int kb_ioctl_exec_rule_list(struct file *file, void *arg);

/* task_list.c */
int kb_ioctl_task_list(struct file *file, void *arg);

/* dispatch.c: KB_IOC_SYSCALL, the SIGSYS path's decision */
int kb_ioctl_syscall(struct file *file, void *arg);

/* ioctl.c: the table every command goes through */
long kb_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* -- top: main.c (init, exit, the device), debugfs.c --------------------- */

/* debugfs.c */
void kb_debugfs_init(void);
void kb_debugfs_exit(void);

#endif /* _KBRIDGE_INTERNAL_H */
