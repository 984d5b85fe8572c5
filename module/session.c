// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: sessions and the tasks that are their members.
 *
 * A session belongs to one open file of /dev/kbridge. Tasks become members
 * with KB_IOC_SESSION_JOIN (every thread of the calling process), and
 * from then on every task a member creates (thread or child process)
 * becomes a member before it runs its first instruction: a probe on the
 * sched_process_fork tracepoint adds it while the parent is still in
 * kernel_clone(), before wake_up_new_task(). A probe on sched_process_exit
 * removes a member when its task exits, so the task pointer that keys a
 * member never outlives the task.
 *
 * A session ends when its file is closed and its last member has exited,
 * whichever comes last: a member cannot leave its session by closing the
 * file (nor by anything else but exiting), and a session whose file is
 * closed holds the module until its last member is gone.
 *
 * Who may join: a task that can gain no privilege by exec (no_new_privs)
 * or that has CAP_SYS_ADMIN in its user namespace, as for seccomp
 * filters; so a set-user-ID program never runs under a policy written by
 * someone it does not trust.
 *
 * Locking:
 *  - kb_members_lock (global) serialises every change of the kb_members
 *    hash (task -> member); lookups walk the hash under RCU.
 *  - session->lock protects the session's member list and counts.
 *  - Order: kb_members_lock, then session->lock; never the other way.
 *  - Both are taken only in process context: ioctls, file release and the
 *    tracepoint probes, which run with preemption disabled. So both are
 *    raw spinlocks: under PREEMPT_RT a spinlock_t sleeps when contended,
 *    and the probes' "scheduling while atomic" showed as soon as threads
 *    forked and exited together (tests/progs/fork_storm.c). What they
 *    guard is short: hash and list updates, counts, and a walk of the
 *    calling process's threads when it joins. Nothing under them
 *    allocates, frees or sleeps.
 *  - Members and sessions are freed after an RCU grace period: lockless
 *    readers find a session through a member.
 *
 * Spares: the probes allocate and free nothing, since with preemption off
 * a PREEMPT_RT kernel may not enter the allocator at all (its locks
 * sleep). Every member carries a spare member instead, which its task's
 * next fork gives to the child. A task work (kb_member_refill()) gives
 * the parent a new spare, and the child its first, before either returns
 * to user mode; a task forks only from user mode, once per syscall, so
 * every fork finds a spare. Only a member's own task reads or writes its
 * spare, and only its own task unlinks it (its exit probe, or an exec
 * into another exec rule's session), so the spare needs no lock. The
 * refill's callback is embedded in the member, which a pending refill
 * holds with a reference: the kernel does not let a module cancel a task
 * work, and a task runs its works after its exit probe.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/syscall_user_dispatch.h>
#include <linux/task_work.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "internal.h"

struct kb_session *kb_file_session(struct file *file)
{
	/* Pairs with the cmpxchg() in kb_file_set_session(). */
	return smp_load_acquire(&file->private_data);
}

/* Publish @s as the session of @file; -EEXIST if it already has one. */
int kb_file_set_session(struct file *file, struct kb_session *s)
{
	if (cmpxchg(&file->private_data, NULL, s))
		return -EEXIST;
	return 0;
}

DEFINE_HASHTABLE(kb_members, KB_MEMBERS_HASH_BITS);
static DEFINE_RAW_SPINLOCK(kb_members_lock);
static struct kmem_cache *kb_member_cache;

static atomic64_t kb_next_session_id = ATOMIC64_INIT(0);
/* Objects alive right now: both must be 0 when the module goes away. */
static atomic_t kb_live_sessions = ATOMIC_INIT(0);
static atomic_t kb_live_members = ATOMIC_INIT(0);
/* Spare members, carried by members for their task's next fork. */
static atomic_t kb_live_spares = ATOMIC_INIT(0);
/* Sessions whose file is closed, kept by their members (debugfs.c). */
static atomic_t kb_closed_sessions = ATOMIC_INIT(0);
/*
 * Ends the sessions whose last member exited after their file closed:
 * the exit probe cannot sleep, ending a session may. Module exit
 * destroys it, which waits for the last of them.
 */
static struct workqueue_struct *kb_wq;
/*
 * KB_IOC_SESSION_JOIN calls in progress. JOIN skips threads that have set
 * PF_EXITING, since their exit probe may already have run; but a thread
 * may set PF_EXITING just after JOIN looked at it and run its exit probe
 * before JOIN's insertion is visible. The exit probe therefore takes
 * kb_members_lock whenever a JOIN is in progress (kb_session_task_exit()).
 */
static atomic_t kb_joining = ATOMIC_INIT(0);

static bool kb_task_is_member(struct task_struct *task)
{
	bool ret;

	rcu_read_lock();
	ret = kb_member_find(task);
	rcu_read_unlock();
	return ret;
}

/* -EPERM: @task is no member of @s; else whether it is out of scope. */
int kb_member_out_of_scope(struct kb_session *s, struct task_struct *task)
{
	struct kb_member *m;
	int ret;

	rcu_read_lock();
	m = kb_member_find(task);
	ret = !m || m->session != s ? -EPERM : READ_ONCE(m->out_of_scope);
	rcu_read_unlock();
	return ret;
}

void kb_session_objects(struct kb_objects *o)
{
	o->sessions = atomic_read(&kb_live_sessions);
	o->closed = atomic_read(&kb_closed_sessions);
	o->members = atomic_read(&kb_live_members);
	o->spares = atomic_read(&kb_live_spares);
}

/* A spare: only its fields that a member's publication does not set. */
static struct kb_member *kb_spare_alloc(gfp_t gfp)
{
	struct kb_member *m = kmem_cache_alloc(kb_member_cache, gfp);

	if (!m)
		return NULL;
	m->spare = NULL;
	refcount_set(&m->ref, 1);
	m->unlinked = false;
	m->refill_queued = false;
	atomic_inc(&kb_live_spares);
	return m;
}

static void kb_spare_free(struct kb_member *m)
{
	kmem_cache_free(kb_member_cache, m);
	atomic_dec(&kb_live_spares);
}

/* A member for a task about to join, with the spare of its first fork. */
static struct kb_member *kb_member_alloc(gfp_t gfp)
{
	struct kb_member *m = kb_fault_or(kb_spare_alloc(gfp));

	if (!m)
		return NULL;
	m->spare = kb_fault_or(kb_spare_alloc(gfp));
	if (!m->spare) {
		kb_spare_free(m);
		return NULL;
	}
	atomic_dec(&kb_live_spares);
	atomic_inc(&kb_live_members);
	return m;
}

/* For exec_watch.c: a member prepared before an exec, or NULL. */
struct kb_member *kb_member_new(void)
{
	return kb_member_alloc(GFP_KERNEL_ACCOUNT);
}

/* The last reference: a member never published, or unlinked and past. */
static void kb_member_free(struct kb_member *m)
{
	if (m->spare)
		kb_spare_free(m->spare);
	kmem_cache_free(kb_member_cache, m);
	atomic_dec(&kb_live_members);
}

/* For exec_watch.c: a member from kb_member_new() that was not used. */
void kb_member_discard(struct kb_member *m)
{
	kb_member_free(m);
}

static void kb_member_put(struct kb_member *m)
{
	if (refcount_dec_and_test(&m->ref))
		kb_member_free(m);
}

static void kb_member_free_rcu(struct rcu_head *rcu)
{
	struct kb_member *m = container_of(rcu, struct kb_member, rcu);

	/* Unlinked by its own task: no task can reach it now. */
	kb_run_flush(m);
	kb_member_put(m);
}

/*
 * The task work of kb_member_queue_refill(), in @m's task before it
 * returns to user mode (or as it exits). The allocation cannot fail:
 * without a spare the task's next fork would make a child that cannot
 * join, and this is a small object in process context. The module
 * reference taken with the work is dropped last, and module exit waits
 * for every task to leave module code: rmmod cannot begin while a refill
 * is pending.
 */
static void kb_member_refill(struct callback_head *cb)
{
	struct kb_member *m = container_of(cb, struct kb_member, refill);

	m->refill_queued = false;
	if (!m->unlinked && !m->spare)
		m->spare = kb_spare_alloc(GFP_KERNEL_ACCOUNT | __GFP_NOFAIL);
	kb_member_put(m);
	module_put(THIS_MODULE);
}

/*
 * Give @m (the member of @task, current or a child that has not run) a
 * spare before @task next runs user code. From the fork probe.
 */
static void kb_member_queue_refill(struct kb_member *m,
				   struct task_struct *task)
{
	if (m->refill_queued)
		return;
	refcount_inc(&m->ref);
	__module_get(THIS_MODULE);
	m->refill_queued = true;
	init_task_work(&m->refill, kb_member_refill);
	if (task_work_add(task, &m->refill, TWA_RESUME)) {
		/* Past exit_task_work(): it runs no fork any more. */
		m->refill_queued = false;
		refcount_dec(&m->ref);
		module_put(THIS_MODULE);
	}
}

static void kb_member_add(struct kb_session *s, struct kb_member *m,
			  struct task_struct *task)
{
	lockdep_assert_held(&kb_members_lock);

	m->task = task;
	m->session = s;
	m->session_id = s->id;
	m->tgid = task->tgid;
	m->run.key = 0;
	m->out_of_scope = false;
	m->sud_armed = false;
	hash_add_rcu(kb_members, &m->hash_node, (unsigned long)task);
	raw_spin_lock(&s->lock);
	list_add_tail(&m->session_node, &s->members);
	s->nr_members++;
	s->joined++;
	raw_spin_unlock(&s->lock);
}

/*
 * Caller holds kb_members_lock and m->session->lock. The last member of
 * a session whose file is closed ends it.
 */
static void kb_member_unlink(struct kb_member *m)
{
	struct kb_session *s = m->session;

	/* Its task is current: a refill still to run must leave it alone. */
	m->unlinked = true;
	hash_del_rcu(&m->hash_node);
	list_del(&m->session_node);
	call_rcu(&m->rcu, kb_member_free_rcu);
	if (!--s->nr_members && s->closed) {
		WRITE_ONCE(s->dead, true);
		queue_work(kb_wq, &s->end_work);
	}
}

/*
 * Dispatch every syscall of @t that is not yet running, or of current:
 * no allowed range, no selector.
 */
static void kb_sud_arm(struct task_struct *t)
{
	t->syscall_dispatch.selector = NULL;
	t->syscall_dispatch.offset = 0;
	t->syscall_dispatch.len = 0;
	t->syscall_dispatch.on_dispatch = false;
	set_task_syscall_work(t, SYSCALL_USER_DISPATCH);
}

/*
 * From the sched_process_fork probe (probes.c): runs in the parent, in
 * kernel_clone(), after the
 * child is fully set up and before it is first woken; preemption is off.
 * A child of a member joins the parent's session here, as the parent's
 * spare, so it cannot run a single instruction outside it. A parent with
 * no spare is a bug (see "Spares" above): its child must not run
 * unmonitored, and gets SIGKILL before it runs. SIGKILL is fatal to a
 * whole thread group, so a thread that cannot join takes its process
 * down with it; that is the price of not letting it escape.
 */
void kb_session_fork(struct task_struct *parent, struct task_struct *child)
{
	struct kb_member *pm, *m = NULL;
	u64 escaped = 0;

	/* Cheap test first: every fork on the system comes through here. */
	if (!kb_task_is_member(parent))
		return;

	raw_spin_lock(&kb_members_lock);
	pm = kb_member_find(parent);
	/*
	 * A session dies with its last member, under this lock, so a session
	 * found through a member here is never dead; checked all the same.
	 */
	/*
	 * The child is in its thread group's list already: a JOIN pass of
	 * the parent's process may have made it a member first.
	 */
	if (pm && !READ_ONCE(pm->session->dead) && !kb_member_find(child)) {
		m = pm->spare;
		pm->spare = NULL;
		if (!WARN_ON_ONCE(!m)) {
			atomic_dec(&kb_live_spares);
			atomic_inc(&kb_live_members);
			kb_member_add(pm->session, m, child);
			/* The child of a process outside the test is too. */
			m->out_of_scope = pm->out_of_scope;
			/* Not yet running: its SUD, cleared by fork, is ours. */
			if (pm->sud_armed) {
				m->sud_armed = true;
				kb_sud_arm(child);
			}
		} else {
			escaped = pm->session->id;
		}
	} else {
		pm = NULL;
	}
	raw_spin_unlock(&kb_members_lock);

	/* Their tasks are current and a child not yet woken: both stay. */
	if (pm)
		kb_member_queue_refill(pm, parent);
	if (m)
		kb_member_queue_refill(m, child);
	if (escaped) {
		pr_warn_ratelimited("out of memory: killing new task %d so that it cannot escape session %llu\n",
				    task_pid_nr(child), escaped);
		send_sig(SIGKILL, child, 1);
	}
}

/*
 * From the sched_process_exit probe (probes.c): runs in the exiting task,
 * before its files close.
 */
void kb_session_task_exit(struct task_struct *task)
{
	struct kb_member *m;

	/*
	 * Order exit_signals()' PF_EXITING before reading kb_joining; pairs
	 * with the barrier after the increment in kb_session_join().
	 * A JOIN that starts after this read sees PF_EXITING and leaves the
	 * task alone; the members of one that has ended are visible to the
	 * lockless lookup (release/acquire on kb_joining); while one is in
	 * progress, look under the lock that JOIN inserts under.
	 */
	smp_mb();
	if (!atomic_read_acquire(&kb_joining) && !kb_task_is_member(task))
		return;

	raw_spin_lock(&kb_members_lock);
	m = kb_member_find(task);
	if (m) {
		/* @task is current: its last decisions are reported now. */
		kb_run_flush(m);
		raw_spin_lock(&m->session->lock);
		kb_member_unlink(m);
		raw_spin_unlock(&m->session->lock);
	}
	raw_spin_unlock(&kb_members_lock);
}

int kb_session_init(void)
{
	/* Accounted: members are made for the forking task's cgroup. */
	kb_member_cache = KMEM_CACHE(kb_member, SLAB_ACCOUNT);
	if (!kb_member_cache)
		return -ENOMEM;
	kb_wq = alloc_workqueue("kbridge", 0, 0);
	if (!kb_wq) {
		kmem_cache_destroy(kb_member_cache);
		return -ENOMEM;
	}
	return 0;
}

void kb_session_exit(void)
{
	int sessions, members, spares, rulesets;

	/*
	 * The probes are gone (kb_probes_exit()). Task works (spare refills,
	 * exec works) drop their module reference as their last statement;
	 * wait until no task can still be running their code.
	 */
	synchronize_rcu_tasks();
	/* The last session ends hold the module until they return. */
	destroy_workqueue(kb_wq);
	/* Wait for the frees queued by the last releases and exits. */
	rcu_barrier();

	sessions = atomic_read(&kb_live_sessions);
	members = atomic_read(&kb_live_members);
	spares = atomic_read(&kb_live_spares);
	rulesets = kb_policy_live();
	/* Files (fops.owner), closed sessions and refills keep the module. */
	WARN(sessions || members || spares || rulesets ||
	     !hash_empty(kb_members),
	     "%d sessions, %d members, %d spares and %d rules left at exit\n",
	     sessions, members, spares, rulesets);
	pr_info("unloaded after %lld sessions\n",
		(long long)atomic64_read(&kb_next_session_id));
	kmem_cache_destroy(kb_member_cache);
}

static void kb_session_free(struct kb_session *s)
{
	kb_policy_free(&kb_kernel_ops, rcu_access_pointer(s->policy));
	free_percpu(s->counters);
	put_pid(s->creator);
	kfree(s);
	atomic_dec(&kb_live_sessions);
}

static void kb_session_free_rcu(struct rcu_head *rcu)
{
	kb_session_free(container_of(rcu, struct kb_session, rcu));
}

/*
 * No ioctl can reach @s any more and it has no member: drop what it holds
 * and free it after a grace period (the fast path may still be reading
 * it through a member that just left).
 */
static void kb_session_end(struct kb_session *s)
{
	kb_pers_session_release(s);
	call_rcu(&s->rcu, kb_session_free_rcu);
}

static void kb_session_end_work(struct work_struct *work)
{
	kb_session_end(container_of(work, struct kb_session, end_work));
	atomic_dec(&kb_closed_sessions);
	/* Taken by kb_session_release(); module exit waits for this work. */
	module_put(THIS_MODULE);
}

static struct kb_session *kb_session_alloc(u32 flags)
{
	struct kb_policy *policy;
	struct kb_session *s;

	s = kb_fault_or(kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT));
	if (!s)
		return NULL;
	atomic_inc(&kb_live_sessions);
	raw_spin_lock_init(&s->lock);
	mutex_init(&s->policy_lock);
	INIT_LIST_HEAD(&s->members);
	INIT_WORK(&s->end_work, kb_session_end_work);
	s->flags = flags;

	s->counters = kb_fault_or(alloc_percpu_gfp(struct kb_counters,
						   GFP_KERNEL_ACCOUNT));
	/* Everything starts as tier 1: run the syscall natively. */
	policy = kb_policy_alloc(&kb_kernel_ops);
	RCU_INIT_POINTER(s->policy, policy);
	if (!s->counters || !policy) {
		kb_session_free(s);
		return NULL;
	}
	s->id = atomic64_inc_return(&kb_next_session_id);
	return s;
}

/*
 * The last reference to the session's file is gone: no ioctl can reach the
 * session any more. It ends now if it has no member, else with the last
 * one (kb_member_unlink()), and holds the module until then.
 */
void kb_session_release(struct kb_session *s)
{
	bool end;

	raw_spin_lock(&kb_members_lock);
	raw_spin_lock(&s->lock);
	s->closed = true;
	end = !s->nr_members;
	if (end) {
		WRITE_ONCE(s->dead, true);
	} else {
		atomic_inc(&kb_closed_sessions);
		__module_get(THIS_MODULE);
	}
	raw_spin_unlock(&s->lock);
	raw_spin_unlock(&kb_members_lock);

	if (end)
		kb_session_end(s);
}

/* @s's live members now, and in *@joined (if not NULL) every one it had. */
u32 kb_session_members(struct kb_session *s, u64 *joined)
{
	u32 n;

	raw_spin_lock(&s->lock);
	n = s->nr_members;
	if (joined)
		*joined = s->joined;
	raw_spin_unlock(&s->lock);
	return n;
}

/*
 * @s's per-CPU counters summed: returns every call counted (numbers out
 * of range included); adds the first @n per-number counts to @counts and
 * sets *@out_of_range and *@fast when they are not NULL.
 */
u64 kb_session_sum(struct kb_session *s, u64 *counts, u32 n,
		   u64 *out_of_range, u64 *fast)
{
	u64 total = 0, oor = 0, f = 0, v;
	const struct kb_counters *c;
	int cpu;
	u32 nr;

	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(s->counters, cpu);
		/* Every call is counted once, in one of these. */
		for (nr = 0; nr < KB_NR_SYSCALLS; nr++) {
			v = READ_ONCE(c->nr[nr]);
			total += v;
			if (nr < n)
				counts[nr] += v;
		}
		oor += READ_ONCE(c->out_of_range);
		f += READ_ONCE(c->fastpath);
	}
	if (out_of_range)
		*out_of_range = oor;
	if (fast)
		*fast = f;
	return total + oor;
}

/* Every call of @s's members counted so far, in either counter. */
/* Every call @s counted. */
u64 kb_session_calls(struct kb_session *s)
{
	return kb_session_sum(s, NULL, 0, NULL, NULL);
}

/* An exec rule's session: locked, decided in the kernel only. */
struct kb_session *kb_session_new_exec(bool inherit, const char *name)
{
	struct kb_session *s = kb_session_alloc(KB_SESSION_LOCKED);

	if (!s)
		return NULL;
	s->exec = true;
	s->inherit = inherit;
	strscpy(s->name, name, sizeof(s->name));
	/* No trap set: the hook decides everything. */
	s->fastpath = true;
	return s;
}

/*
 * Does @task's exec need the exec work (exec_watch.c): is it in an exec
 * rule's session, or in a KB_SESSION_NO_RUNTIME one, whose dispatch the
 * module sets again after the exec? Caller: RCU or preemption off.
 */
bool kb_session_exec_member(struct task_struct *task)
{
	struct kb_member *m = kb_member_find(task);

	return m && (READ_ONCE(m->session->exec) ||
		     (m->session->flags & KB_SESSION_NO_RUNTIME));
}

/*
 * Does @task stay in its session whatever it execs: a member of a file's
 * session or of a KB_EXEC_INHERIT one? Caller: RCU or preemption off.
 */
bool kb_session_exec_keeps(struct task_struct *task)
{
	struct kb_member *m = kb_member_find(task);

	return m && (!READ_ONCE(m->session->exec) || m->session->inherit);
}

/*
 * current has exec'd and not yet run: put it into @to (an exec rule's
 * session), or, with @to NULL, take it out of the exec rule session it is
 * in unless that one is KB_EXEC_INHERIT. Members of files' sessions stay
 * where they are: their runtime's business, or with KB_SESSION_NO_RUNTIME
 * the module's, which dispatches them again. A new member is
 * *@prepared (taken: set to NULL), else allocated here.
 */
int kb_session_exec(struct kb_session *to, struct kb_member **prepared)
{
	struct kb_member *m, *nm = NULL;
	bool arm = false, disarm = false;

	if (to) {
		nm = *prepared;
		*prepared = NULL;
		/* A rule added after the exec's handler ran. */
		if (!nm)
			nm = kb_member_alloc(GFP_KERNEL_ACCOUNT);
		if (!nm)
			return -ENOMEM;
	}
	raw_spin_lock(&kb_members_lock);
	/*
	 * Killed after its exec, before it ran: the exit probe has run or
	 * will find nothing to do, so the task must not become a member.
	 */
	if (current->flags & PF_EXITING)
		goto out;
	m = kb_member_find(current);
	if (m && !m->session->exec) {
		/*
		 * No runtime to set its dispatch again: the module does, from
		 * the first exec after joining on, and for its children then.
		 */
		if (m->session->flags & KB_SESSION_NO_RUNTIME) {
			m->sud_armed = true;
			arm = true;
		}
		goto out;
	}
	/* Kept: the exec may have reset its dispatch, set it again. */
	if (m && (m->session == to || (!to && m->session->inherit))) {
		arm = m->sud_armed;
		goto out;
	}
	if (m) {
		kb_run_flush(m);
		raw_spin_lock(&m->session->lock);
		kb_member_unlink(m);
		raw_spin_unlock(&m->session->lock);
		disarm = true;
	}
	if (to) {
		kb_member_add(to, nm, current);
		nm->sud_armed = true;
		nm = NULL;
		arm = true;
	}
out:
	raw_spin_unlock(&kb_members_lock);
	if (nm)
		kb_member_free(nm);
	if (arm)
		kb_sud_arm(current);
	else if (disarm)
		clear_task_syscall_work(current, SYSCALL_USER_DISPATCH);
	return 0;
}

/*
 * For a command that changes @s, a file's session: -ENOENT without one,
 * -EPERM when it is KB_SESSION_LOCKED and the caller is one of its
 * members (a program may not loosen the policy it runs under), else 0.
 */
int kb_session_may_change(struct kb_session *s)
{
	struct kb_member *m;
	bool member;

	if (!s)
		return -ENOENT;
	if (!(s->flags & KB_SESSION_LOCKED))
		return 0;
	rcu_read_lock();
	m = kb_member_find(current);
	member = m && m->session == s;
	rcu_read_unlock();
	return member ? -EPERM : 0;
}

/*
 * A new session with KB_IOC_SESSION_CREATE's (checked) @flags and @name,
 * created by the calling process; NULL when out of memory.
 */
struct kb_session *kb_session_create(u32 flags, const char *name)
{
	struct kb_session *s = kb_session_alloc(flags);

	if (!s)
		return NULL;
	strscpy(s->name, name, sizeof(s->name));
	s->creator = get_pid(task_tgid(current));
	/* No trap set: the hook decides everything, as for a rule's. */
	if (flags & KB_SESSION_NO_RUNTIME)
		s->fastpath = true;
	return s;
}

/* Frees a session that kb_session_create() made and nobody saw. */
void kb_session_discard(struct kb_session *s)
{
	kb_session_free(s);
}

/*
 * One pass over the threads of the calling process, under kb_members_lock.
 * Returns 0 with *@members set when every live thread is a member of @s,
 * -EBUSY if one belongs to another session, and -EAGAIN when the caller
 * must call again: after it added the missing threads (to check that none
 * was created meanwhile), or with *@want set when it needs more spare
 * members than @nspare.
 */
static int kb_join_threads(struct kb_session *s, struct list_head *spare,
			   unsigned int *nspare, unsigned int *want,
			   unsigned int *members)
{
	unsigned int missing = 0, count = 0;
	struct task_struct *t;
	struct kb_member *m;
	int ret;

	lockdep_assert_held(&kb_members_lock);
	rcu_read_lock();
	for_each_thread(current, t) {
		/* Past exit_signals(): its exit probe may already have run. */
		if (t->flags & PF_EXITING)
			continue;
		m = kb_member_find(t);
		if (!m) {
			missing++;
		} else if (m->session != s) {
			ret = -EBUSY;
			goto out;
		} else {
			count++;
		}
	}

	if (!missing) {
		*members = count;
		ret = 0;
		goto out;
	}
	if (missing > *nspare) {
		*want = missing;
		ret = -EAGAIN;
		goto out;
	}

	for_each_thread(current, t) {
		if ((t->flags & PF_EXITING) || kb_member_find(t))
			continue;
		m = list_first_entry(spare, struct kb_member, session_node);
		list_del(&m->session_node);
		(*nspare)--;
		kb_member_add(s, m, t);
	}
	/*
	 * A thread whose fork probe ran before its parent joined, but that
	 * was not yet in the thread list when we walked it, is still
	 * outside: walk again until a pass finds nobody missing.
	 */
	*want = 0;
	ret = -EAGAIN;
out:
	rcu_read_unlock();
	return ret;
}

/*
 * Makes every thread of the calling process a member of @s; *@members:
 * how many it has then. -EBUSY when one belongs to another session.
 */
int kb_session_join(struct kb_session *s, unsigned int *members)
{
	unsigned int nspare = 0, want;
	struct kb_member *m, *tmp;
	LIST_HEAD(spare);
	int ret;

	atomic_inc(&kb_joining);
	/* Pairs with the smp_mb() in kb_session_task_exit(). */
	smp_mb__after_atomic();
	want = get_nr_threads(current);
	do {
		while (nspare < want) {
			m = kb_member_alloc(GFP_KERNEL_ACCOUNT);
			if (!m) {
				ret = -ENOMEM;
				goto out;
			}
			list_add(&m->session_node, &spare);
			nspare++;
		}
		raw_spin_lock(&kb_members_lock);
		ret = kb_join_threads(s, &spare, &nspare, &want, members);
		raw_spin_unlock(&kb_members_lock);
	} while (ret == -EAGAIN);
out:
	/* Our insertions are visible to whoever reads kb_joining == 0. */
	atomic_dec_return_release(&kb_joining);
	list_for_each_entry_safe(m, tmp, &spare, session_node)
		kb_member_free(m);
	return ret;
}

/*
 * Puts the calling process's threads that are members of @s out of its
 * scope (their syscalls run natively, uncounted) or back in; -EPERM when
 * none is a member.
 */
int kb_session_set_scope(struct kb_session *s, bool in_scope)
{
	struct task_struct *t;
	struct kb_member *m;
	int ret = -EPERM;

	raw_spin_lock(&kb_members_lock);
	rcu_read_lock();
	for_each_thread(current, t) {
		m = kb_member_find(t);
		if (!m || m->session != s)
			continue;
		/* Read locklessly by the fast path: one word, either value. */
		WRITE_ONCE(m->out_of_scope, !in_scope);
		ret = 0;
	}
	rcu_read_unlock();
	raw_spin_unlock(&kb_members_lock);
	return ret;
}

/* Adds @s's io_uring operations per opcode to @ops[KB_URING_OPS]. */
void kb_session_uring_sum(struct kb_session *s, u64 *ops)
{
	int cpu;
	u32 op;

	for_each_possible_cpu(cpu)
		for (op = 0; op < KB_URING_OPS; op++)
			ops[op] += READ_ONCE(per_cpu_ptr(s->counters, cpu)->uring[op]);
}
