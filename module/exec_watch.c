// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: every exec on the system passes here, for the exec rules
 * (exec_rules.c): the module's binary handler, first of the list,
 * prepares what the exec needs and redirects a file that a
 * KB_EXEC_RUNTIME rule matches to the rule's command; the exec probe
 * (probes.c) queues the task work that puts the task under its rule's
 * session once the exec has succeeded. See exec_rules.c for the whole
 * story.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/binfmts.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/mm_types.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/timekeeping.h>

#include "exec.h"

/**
 * struct kb_exec_work - an exec being watched, for the task work after it
 * @cb:      the task work
 * @node:    in kb_exec_watched, keyed by @task, until it is queued
 * @task:    the task that execs
 * @member:  the member @task becomes if a rule matches (while rules exist)
 * @named:   the name the exec was given (while rules exist); looked at
 *           only when that was a file run through an interpreter ("#!"
 *           script, binfmt_misc)
 * @file:    set by the exec probe: the file that runs; NULL for a task
 *           that exits without a successful exec
 * @interp:  set with @file: @named was run through an interpreter, and
 *           its path is accessible
 */
struct kb_exec_work {
	struct callback_head cb;
	struct hlist_node node;
	struct task_struct *task;
	struct kb_member *member;
	char *named;
	struct file *file;
	bool interp;
};

/*
 * Execs prepared by the handler and not yet queued, keyed by task. Only
 * the entry's own task adds, finds and removes it: its handler, its exec
 * probe, its exit probe. A raw spinlock, as the probes run with
 * preemption off.
 */
static DEFINE_HASHTABLE(kb_exec_watched, 6);
static DEFINE_RAW_SPINLOCK(kb_exec_watched_lock);
static atomic_t kb_exec_nr_watched = ATOMIC_INIT(0);

int kb_exec_watched_live(void)
{
	return atomic_read(&kb_exec_nr_watched);
}

/* The exec @w watched succeeded: put current under its rule, if any. */
static void kb_exec_apply(struct kb_exec_work *w)
{
	char *buf, *sbuf = NULL;
	struct kb_exec_rule *r = NULL;
	struct kb_exec_image img;
	u64 start = ktime_get_ns();
	int ret;

	/*
	 * No rule to match: only a member of a rule's session to take out,
	 * or a KB_SESSION_NO_RUNTIME one's to dispatch again, which cannot
	 * fail. The file is not even named: such execs stay at native cost.
	 */
	if (!atomic_read(&kb_exec_nr_rules)) {
		kb_session_exec(NULL, &w->member);
		return;
	}
	buf = __getname();
	kb_exec_image_get(&img, w->file, buf, atomic_read(&kb_exec_nr_notes));
	/* Path rules see a script's own path as well as its interpreter's. */
	if (w->interp) {
		sbuf = __getname();
		img.script = kb_exec_script_path(w->named, sbuf);
	}
	percpu_down_read(&kb_exec_rwsem);
	/*
	 * The command a KB_EXEC_RUNTIME rule ran instead of a program makes
	 * its own session: it matches no rule, and leaves the one it was in.
	 */
	if (!atomic_read(&kb_exec_nr_runtime) || !kb_exec_is_launcher(w->file))
		r = kb_exec_find(&img, false);
	if (r)
		atomic64_inc(&r->execs);
	kb_exec_count_lookup(start);
	ret = kb_session_exec(r ? r->s : NULL, &w->member);
	percpu_up_read(&kb_exec_rwsem);
	/* A program that cannot be put under its rule must not run. */
	if (ret) {
		pr_warn_ratelimited("cannot put pid %d (%s) under its exec rule: %d: killed\n",
				    task_pid_nr(current),
				    img.path ? img.path : "?", ret);
		force_sig(SIGKILL);
	}
	kb_exec_image_put(&img);
	if (buf)
		__putname(buf);
	if (sbuf)
		__putname(sbuf);
}

/*
 * Runs in the task that exec'd, before the program's first instruction;
 * or, with no file, as a task exits with a failed exec's preparations. The
 * module reference taken with @w is dropped last, a tail call, and module
 * exit waits for every task to leave module code (synchronize_rcu_tasks()):
 * rmmod cannot begin while a work is pending.
 */
static void kb_exec_work_fn(struct callback_head *cb)
{
	struct kb_exec_work *w = container_of(cb, struct kb_exec_work, cb);

	/* Killed before it ran: its exit probe has run, or will find nothing. */
	if (w->file && !(current->flags & PF_EXITING))
		kb_exec_apply(w);
	if (w->member)
		kb_member_discard(w->member);
	kfree(w->named);
	if (w->file)
		fput(w->file);
	kfree(w);
	atomic_dec(&kb_exec_nr_watched);
	module_put(THIS_MODULE);
}

/* Caller holds kb_exec_watched_lock. */
static struct kb_exec_work *kb_exec_watched_find(struct task_struct *task)
{
	struct kb_exec_work *w;

	hash_for_each_possible(kb_exec_watched, w, node, (unsigned long)task)
		if (w->task == task)
			return w;
	return NULL;
}

/* @task's prepared exec, out of the hash, or NULL. */
static struct kb_exec_work *kb_exec_watched_take(struct task_struct *task)
{
	struct kb_exec_work *w;

	if (!atomic_read(&kb_exec_nr_watched))
		return NULL;
	raw_spin_lock(&kb_exec_watched_lock);
	w = kb_exec_watched_find(task);
	if (w)
		hash_del(&w->node);
	raw_spin_unlock(&kb_exec_watched_lock);
	return w;
}

/*
 * From the binary handler, for each file an exec tries: prepare the task
 * work (while rules exist, or for a member of a rule's session). -ENOMEM
 * fails the exec.
 */
static int kb_exec_watch(struct linux_binprm *bprm)
{
	bool rules = atomic_read(&kb_exec_nr_rules), member;
	struct kb_exec_work *w;

	raw_spin_lock(&kb_exec_watched_lock);
	w = kb_exec_watched_find(current);
	raw_spin_unlock(&kb_exec_watched_lock);
	if (!w) {
		rcu_read_lock();
		member = kb_session_exec_member(current);
		rcu_read_unlock();
		if (!rules && !member)
			return 0;
		w = kb_fault_or(kzalloc(sizeof(*w), GFP_KERNEL_ACCOUNT));
		if (!w)
			return -ENOMEM;
		w->task = current;
		init_task_work(&w->cb, kb_exec_work_fn);
		/* search_binary_handler() holds one for this call. */
		__module_get(THIS_MODULE);
		atomic_inc(&kb_exec_nr_watched);
		raw_spin_lock(&kb_exec_watched_lock);
		hash_add(kb_exec_watched, &w->node, (unsigned long)current);
		raw_spin_unlock(&kb_exec_watched_lock);
	}
	if (!rules)
		return 0;
	/* Only current reaches its entry: its fields need no lock. */
	if (!w->member) {
		w->member = kb_member_new();
		if (!w->member)
			return -ENOMEM;
	}
	/* Another exec than the one that prepared it, which failed. */
	if (!w->named || strcmp(w->named, bprm->filename)) {
		kfree(w->named);
		w->named = kb_fault_or(kstrdup(bprm->filename,
					       GFP_KERNEL_ACCOUNT));
		if (!w->named)
			return -ENOMEM;
	}
	return 0;
}

/*
 * From the sched_process_exec probe (probes.c): the exec has succeeded and
 * @p (current) has not run; preemption is off. Queue what its handler
 * prepared.
 */
void kb_exec_on_exec(struct task_struct *p, struct linux_binprm *bprm)
{
	struct kb_exec_work *w = kb_exec_watched_take(p);

	if (!w)
		return;
	w->file = get_file(bprm->file);
	w->interp = bprm->interp != bprm->filename &&
		    !(bprm->interp_flags & BINPRM_FLAGS_PATH_INACCESSIBLE);
	/* Fails only past exit_task_work(), not in an exec. */
	WARN_ON_ONCE(task_work_add(p, &w->cb, TWA_RESUME));
}

/*
 * From the exit probe (preemption off): a failed exec's preparations are
 * freed by the task work, which runs in exit_task_work().
 */
void kb_exec_task_exit(struct task_struct *task)
{
	struct kb_exec_work *w = kb_exec_watched_take(task);

	if (w)
		WARN_ON_ONCE(task_work_add(task, &w->cb, TWA_NONE));
}

/*
 * Makes the exec run @r's command instead, as binfmt_misc runs an
 * interpreter: argv becomes the command's arguments, the program's path,
 * then the exec's arguments but its first.
 */
static int kb_exec_redirect(struct linux_binprm *bprm,
			    const struct kb_exec_rule *r)
{
	const char *args[KB_EXEC_RUNTIME_ARGS], *p;
	char *rel = NULL;
	struct file *f;
	u32 i, n = 0;
	int ret;

	/* Its path must still name it when the command opens it. */
	if (bprm->interp_flags & BINPRM_FLAGS_PATH_INACCESSIBLE)
		return -ENOENT;
	for (p = r->cmd; n < r->cmd_argc; p += strlen(p) + 1)
		args[n++] = p;
	ret = remove_arg_zero(bprm);
	if (ret)
		return ret;
	/* "prog" is ./prog to exec, and would be looked up in PATH. */
	if (!strchr(bprm->interp, '/')) {
		rel = kasprintf(GFP_KERNEL, "./%s", bprm->interp);
		if (!rel)
			return -ENOMEM;
	}
	ret = copy_string_kernel(rel ? rel : bprm->interp, bprm);
	kfree(rel);
	if (ret < 0)
		return ret;
	bprm->argc++;
	for (i = n; i-- > 0;) {
		ret = copy_string_kernel(args[i], bprm);
		if (ret < 0)
			return ret;
		bprm->argc++;
	}
	ret = bprm_change_interp(args[0], bprm);
	if (ret < 0)
		return ret;
	f = open_exec(args[0]);
	if (IS_ERR(f))
		return PTR_ERR(f);
	bprm->interpreter = f;
	return 0;
}

/*
 * Is current, before its exec, running @r's command? Then the command is
 * starting the program it was run for, which must not run it again.
 */
static bool kb_exec_in_launcher(const struct kb_exec_rule *r)
{
	struct mm_struct *mm = current->mm;
	struct file *exe;
	bool ret;

	if (!mm)
		return false;
	/* Files are freed after a grace period: the inode is only compared. */
	rcu_read_lock();
	exe = rcu_dereference(mm->exe_file);
	ret = exe && kb_exec_is_command(r, exe);
	rcu_read_unlock();
	return ret;
}

/*
 * The first binary handler of every exec: a file that a KB_EXEC_RUNTIME
 * rule matches runs through the rule's command; any other goes on to
 * the next handler (-ENOEXEC).
 */
static int kb_exec_load_binary(struct linux_binprm *bprm)
{
	struct kb_exec_rule *r;
	struct kb_exec_image img;
	char *buf;
	bool keeps;
	int ret;

	ret = kb_exec_watch(bprm);
	if (ret)
		return ret;
	ret = -ENOEXEC;
	if (!atomic_read(&kb_exec_nr_runtime))
		return -ENOEXEC;
	/* Only the file the exec names: not an interpreter, not ours. */
	if (bprm->interp != bprm->filename)
		return -ENOEXEC;
	rcu_read_lock();
	keeps = kb_session_exec_keeps(current);
	rcu_read_unlock();
	if (keeps)
		return -ENOEXEC;
	buf = __getname();
	if (!buf)
		return -ENOMEM;
	kb_exec_image_get(&img, bprm->file, buf,
			  atomic_read(&kb_exec_nr_notes));
	percpu_down_read(&kb_exec_rwsem);
	r = kb_exec_find(&img, true);
	if (r && !kb_exec_in_launcher(r)) {
		atomic64_inc(&r->execs);
		kb_exec_count_redirect();
		ret = kb_exec_redirect(bprm, r);
	}
	percpu_up_read(&kb_exec_rwsem);
	kb_exec_image_put(&img);
	__putname(buf);
	return ret;
}

static struct linux_binfmt kb_exec_binfmt = {
	.module		= THIS_MODULE,
	.load_binary	= kb_exec_load_binary,
};

int kb_exec_init(void)
{
	/* First, so that it sees the file before binfmt_script and ELF. */
	insert_binfmt(&kb_exec_binfmt);
	return 0;
}

void kb_exec_exit(void)
{
	unregister_binfmt(&kb_exec_binfmt);
}
