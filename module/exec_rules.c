// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: personalities chosen at exec (KB_IOC_EXEC_RULE_ADD), with no
 * launcher and no runtime in the process.
 *
 * A rule owns a session, as a file does, holding its policy. Every exec
 * on the system passes the module's binary handler, the first of the
 * list; while rules exist, or when the task belongs to a rule's session,
 * it prepares what the exec's task work will need (struct kb_exec_work,
 * with the member the task may become), before the exec's point of no
 * return: an exec that cannot have it fails with ENOMEM. When the exec
 * has succeeded, the sched_process_exec probe, where preemption is off and
 * PREEMPT_RT forbids allocating, only hands it the file that runs and
 * queues it. The work runs before the new program's first instruction,
 * in process context: it names the ELF file, reads its header, and puts
 * the task into the session of the first matching rule, or takes it out
 * of the rule session it was in. (Queued any earlier, the work could run
 * inside the exec: begin_new_exec() runs pending task works when it
 * cancels the task's io_uring requests.) What a failed exec prepared
 * waits for the task's next exec, or is queued by its exit probe.
 *
 * A task of a rule's session has Syscall User Dispatch on with an empty
 * allowed range, so that every syscall reaches the fast path's hook
 * (fastpath.c), which decides it in the kernel; the rule's policy may
 * only hold what the hook can decide.
 * Children and threads join through the fork probe (session.c), which
 * turns SUD on for them too: the kernel clears it in dup_task_struct().
 *
 * A KB_EXEC_RUNTIME rule is for a profile that needs the runtime in the
 * process (path conditions): a binary handler, the first of the list,
 * makes the exec of a matching file run the rule's command (kblaunch)
 * instead, with the file and its arguments, as binfmt_misc runs an
 * interpreter; kblaunch then makes its own session.
 *
 * Locking: kb_exec_rwsem, a per-CPU rwsem: execs read the rule list
 * shared and may sleep under it (reading the file, allocating a member);
 * adding and deleting rules take it exclusive. What a rule looks at is
 * read once per exec, before the lock. Each rule holds a module
 * reference, so that the module cannot go while a rule can still match:
 * rmmod needs every rule deleted first.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/user_namespace.h>

#include "exec.h"

/*
 * Readers (every exec while rules exist, and KB_IOC_EXEC_RULE_LIST) take
 * it shared, which costs a per-CPU increment; rule changes take it
 * exclusive.
 */
DEFINE_PERCPU_RWSEM(kb_exec_rwsem);
LIST_HEAD(kb_exec_rules);
/*
 * The cheap tests of every exec, read without the lock: rules decided in
 * the kernel (the task work's), KB_EXEC_RUNTIME rules (the redirect's),
 * rules of either kind that read notes.
 */
atomic_t kb_exec_nr_rules = ATOMIC_INIT(0);
atomic_t kb_exec_nr_runtime = ATOMIC_INIT(0);
atomic_t kb_exec_nr_notes = ATOMIC_INIT(0);
static u64 kb_exec_next_id;
/* debugfs kbridge/exec: what the rules cost the execs that looked. */
static atomic64_t kb_exec_lookups = ATOMIC64_INIT(0);
static atomic64_t kb_exec_lookup_ns = ATOMIC64_INIT(0);
static atomic64_t kb_exec_redirects = ATOMIC64_INIT(0);

/* A lookup of the rules for an exec, begun at @start_ns, is over. */
void kb_exec_count_lookup(u64 start_ns)
{
	/* Naming, reading and matching: the rules' price for this exec. */
	atomic64_add(ktime_get_ns() - start_ns, &kb_exec_lookup_ns);
	atomic64_inc(&kb_exec_lookups);
}

void kb_exec_count_redirect(void)
{
	atomic64_inc(&kb_exec_redirects);
}

void kb_exec_stats(u64 *lookups, u64 *ns, u64 *redirects)
{
	*lookups = atomic64_read(&kb_exec_lookups);
	*ns = atomic64_read(&kb_exec_lookup_ns);
	*redirects = atomic64_read(&kb_exec_redirects);
}

bool kb_exec_may(const struct kb_exec_rule *r)
{
	return r->global ? capable(CAP_SYS_ADMIN) :
			   ns_capable(r->userns, CAP_SYS_ADMIN);
}

/*
 * The first rule of the kind asked for (@runtime: KB_EXEC_RUNTIME) that
 * @img matches. Caller holds kb_exec_rwsem.
 */
struct kb_exec_rule *kb_exec_find(const struct kb_exec_image *img,
				  bool runtime)
{
	struct kb_exec_rule *r;

	list_for_each_entry(r, &kb_exec_rules, node) {
		/* A KB_EXEC_RUNTIME rule is the one kind without a session. */
		if (!r->s == runtime && kb_exec_matches(r, img))
			return r;
	}
	return NULL;
}

/* Is @file the command of @r, a KB_EXEC_RUNTIME rule (else false)? */
bool kb_exec_is_command(const struct kb_exec_rule *r, const struct file *file)
{
	return !r->s && file_inode(file) == d_inode(r->launcher.dentry);
}

/* Is @file a KB_EXEC_RUNTIME rule's command? Caller holds kb_exec_rwsem. */
bool kb_exec_is_launcher(struct file *file)
{
	struct kb_exec_rule *r;

	list_for_each_entry(r, &kb_exec_rules, node)
		if (kb_exec_is_command(r, file))
			return true;
	return false;
}

/*
 * Adds @r, fully set up, at the end of the table: from now on it matches
 * execs. Gives it its id.
 */
void kb_exec_rule_insert(struct kb_exec_rule *r)
{
	percpu_down_write(&kb_exec_rwsem);
	r->id = ++kb_exec_next_id;
	if (r->s)
		WRITE_ONCE(r->s->exec_rule, r->id);
	list_add_tail(&r->node, &kb_exec_rules);
	atomic_inc(r->s ? &kb_exec_nr_rules : &kb_exec_nr_runtime);
	if (r->match == KB_EXEC_MATCH_NOTE)
		atomic_inc(&kb_exec_nr_notes);
	percpu_up_write(&kb_exec_rwsem);
}

/*
 * Takes rule @id out of the table, for the caller to free: ERR_PTR
 * -ENOENT when there is none, -EPERM when the caller may not delete it.
 */
struct kb_exec_rule *kb_exec_rule_remove(u64 id)
{
	struct kb_exec_rule *r, *found = ERR_PTR(-ENOENT);

	percpu_down_write(&kb_exec_rwsem);
	list_for_each_entry(r, &kb_exec_rules, node) {
		if (r->id == id) {
			found = r;
			break;
		}
	}
	if (!IS_ERR(found) && !kb_exec_may(found))
		found = ERR_PTR(-EPERM);
	if (!IS_ERR(found)) {
		list_del(&found->node);
		atomic_dec(found->s ? &kb_exec_nr_rules : &kb_exec_nr_runtime);
		if (found->match == KB_EXEC_MATCH_NOTE)
			atomic_dec(&kb_exec_nr_notes);
	}
	percpu_up_write(&kb_exec_rwsem);
	return found;
}

void kb_exec_rule_free(struct kb_exec_rule *r)
{
	if (r->s)
		kb_session_release(r->s);
	if (r->userns)
		put_user_ns(r->userns);
	path_put(&r->launcher);
	kfree(r->cmd);
	kfree(r->glob);
	kfree(r);
}
