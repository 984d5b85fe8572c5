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
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/binfmts.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/elf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm_types.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/percpu-rwsem.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "internal.h"

/**
 * struct kb_exec_rule - one KB_IOC_EXEC_RULE_ADD
 * @node:    in kb_exec_rules, in the order added
 * @id:      KB_IOC_EXEC_RULE_DEL's handle
 * @match:   KB_EXEC_MATCH_*
 * @osabi:   KB_EXEC_MATCH_OSABI's value
 * @global:  KB_EXEC_GLOBAL: execs of every user namespace
 * @userns:  else, the only user namespace whose execs it sees (held)
 * @glob:    KB_EXEC_MATCH_PATH's pattern, or KB_EXEC_MATCH_NOTE's note
 *           name, NUL-terminated
 * @name:    its personality's name
 * @s:       the session its programs join; NULL for a KB_EXEC_RUNTIME rule
 * @cmd:     KB_EXEC_RUNTIME: the command, NUL-terminated arguments
 * @cmd_len: bytes at @cmd
 * @cmd_argc: arguments at @cmd
 * @launcher: the command's file as it was when the rule was added
 * @execs:   execs it matched
 */
struct kb_exec_rule {
	struct list_head node;
	u64 id;
	u32 match;
	u32 osabi;
	bool global;
	struct user_namespace *userns;
	char *glob;
	char name[KB_EXEC_NAME_MAX + 1];
	struct kb_session *s;
	char *cmd;
	u32 cmd_len;
	u32 cmd_argc;
	struct path launcher;
	atomic64_t execs;
};

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

/* Sections and bytes of notes looked at, at most: bounded work per exec. */
#define KB_NOTE_SECTIONS	64
#define KB_NOTE_BYTES		4096
/* Arguments of a KB_EXEC_RUNTIME command, at most. */
#define KB_EXEC_RUNTIME_ARGS	64

/**
 * struct kb_exec_image - what an exec's rules are matched against, read
 *                        once for all of them
 * @file:   the program's file
 * @path:   its absolute path, or NULL when it has none (deleted, too long)
 * @script: the absolute path of the script (or other file run through an
 *          interpreter) that the exec named, or NULL
 * @osabi:  its ELF header's EI_OSABI, or -1 when it is no ELF file
 * @notes:  its SHT_NOTE sections, each at a 4-aligned offset, or NULL
 * @nsect:  how many of them
 * @start:  where each starts in @notes
 * @len:    and how long it is
 */
struct kb_exec_image {
	struct file *file;
	const char *path;
	const char *script;
	int osabi;
	u8 *notes;
	u32 nsect;
	u16 start[KB_NOTE_SECTIONS];
	u16 len[KB_NOTE_SECTIONS];
};

/*
 * Readers (every exec while rules exist, and KB_IOC_EXEC_RULE_LIST) take
 * it shared, which costs a per-CPU increment; rule changes take it
 * exclusive.
 */
DEFINE_STATIC_PERCPU_RWSEM(kb_exec_rwsem);
static LIST_HEAD(kb_exec_rules);
/*
 * The cheap tests of every exec, read without the lock: rules decided in
 * the kernel (the task work's), KB_EXEC_RUNTIME rules (the redirect's),
 * rules of either kind that read notes.
 */
static atomic_t kb_exec_nr_rules = ATOMIC_INIT(0);
static atomic_t kb_exec_nr_runtime = ATOMIC_INIT(0);
static atomic_t kb_exec_nr_notes = ATOMIC_INIT(0);
static u64 kb_exec_next_id;
/* debugfs kbridge/exec: what the rules cost the execs that looked. */
static atomic64_t kb_exec_lookups = ATOMIC64_INIT(0);
static atomic64_t kb_exec_lookup_ns = ATOMIC64_INIT(0);
static atomic64_t kb_exec_redirects = ATOMIC64_INIT(0);

void kb_exec_stats(u64 *lookups, u64 *ns, u64 *redirects)
{
	*lookups = atomic64_read(&kb_exec_lookups);
	*ns = atomic64_read(&kb_exec_lookup_ns);
	*redirects = atomic64_read(&kb_exec_redirects);
}

static bool kb_exec_may(const struct kb_exec_rule *r)
{
	return r->global ? capable(CAP_SYS_ADMIN) :
			   ns_capable(r->userns, CAP_SYS_ADMIN);
}

/*
 * Reads the SHT_NOTE sections of @img->file, whose ELF header is @eh, as
 * many as fit, into @img->notes.
 */
static void kb_exec_read_notes(struct kb_exec_image *img,
			       const Elf64_Ehdr *eh)
{
	Elf64_Shdr *sh = NULL;
	u32 i, used = 0;
	loff_t pos;

	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shentsize != sizeof(*sh) || !eh->e_shnum ||
	    eh->e_shnum > KB_NOTE_SECTIONS)
		return;
	sh = kmalloc_array(eh->e_shnum, sizeof(*sh), GFP_KERNEL);
	img->notes = kmalloc(KB_NOTE_BYTES, GFP_KERNEL);
	pos = eh->e_shoff;
	if (!sh || !img->notes ||
	    kernel_read(img->file, sh, eh->e_shnum * sizeof(*sh), &pos) !=
	    eh->e_shnum * sizeof(*sh))
		goto out;
	for (i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_NOTE ||
		    sh[i].sh_size > KB_NOTE_BYTES - used)
			continue;
		pos = sh[i].sh_offset;
		if (kernel_read(img->file, img->notes + used, sh[i].sh_size,
				&pos) != sh[i].sh_size)
			continue;
		img->start[img->nsect] = used;
		img->len[img->nsect++] = sh[i].sh_size;
		used = ALIGN(used + sh[i].sh_size, 4);
		if (used >= KB_NOTE_BYTES)
			break;
	}
out:
	kfree(sh);
}

/* Has @img a note named @name whose description is the string @desc? */
static bool kb_exec_has_note(const struct kb_exec_image *img,
			     const char *name, const char *desc)
{
	size_t nlen = strlen(name) + 1, dlen = strlen(desc);
	u32 i, off, size;

	for (i = 0; i < img->nsect; i++) {
		const u8 *sect = img->notes + img->start[i];

		size = img->len[i];
		/* Each note: namesz, descsz, type, then both, 4-aligned. */
		for (off = 0; off + sizeof(Elf64_Nhdr) <= size;) {
			const Elf64_Nhdr *nh = (const Elf64_Nhdr *)(sect + off);
			u32 n = ALIGN(nh->n_namesz, 4), d = ALIGN(nh->n_descsz, 4);
			const char *nm = (const char *)(nh + 1);

			if (n < nh->n_namesz || d < nh->n_descsz ||
			    n + d > size - off - sizeof(*nh))
				break;
			if (nh->n_namesz == nlen && !memcmp(nm, name, nlen) &&
			    nh->n_descsz >= dlen && nh->n_descsz <= dlen + 1 &&
			    !memcmp(nm + n, desc, dlen) &&
			    (nh->n_descsz == dlen || !nm[n + dlen]))
				return true;
			off += sizeof(*nh) + n + d;
		}
	}
	return false;
}

/*
 * Names @file and reads what rules look at; @buf: PATH_MAX bytes or NULL.
 * kb_exec_image_put() frees what this allocated.
 */
static void kb_exec_image_get(struct kb_exec_image *img, struct file *file,
			      char *buf)
{
	loff_t pos = 0;
	Elf64_Ehdr eh;
	ssize_t n;

	img->file = file;
	img->path = NULL;
	img->script = NULL;
	img->osabi = -1;
	img->nsect = 0;
	img->notes = NULL;
	if (buf) {
		img->path = d_path(&file->f_path, buf, PATH_MAX);
		if (IS_ERR(img->path))
			img->path = NULL;
	}
	/* One read of the header serves EI_OSABI and the notes. */
	n = kernel_read(file, &eh, sizeof(eh), &pos);
	if (n < EI_NIDENT || memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return;
	img->osabi = eh.e_ident[EI_OSABI];
	if (n == sizeof(eh) && atomic_read(&kb_exec_nr_notes))
		kb_exec_read_notes(img, &eh);
}

static void kb_exec_image_put(struct kb_exec_image *img)
{
	kfree(img->notes);
}

static bool kb_exec_matches(const struct kb_exec_rule *r,
			    const struct kb_exec_image *img)
{
	if (!r->global && r->userns != current_user_ns())
		return false;
	switch (r->match) {
	case KB_EXEC_MATCH_PATH:
		return (img->path && kb_glob_match(r->glob, img->path)) ||
		       (img->script && kb_glob_match(r->glob, img->script));
	case KB_EXEC_MATCH_OSABI:
		return img->osabi == (int)r->osabi;
	case KB_EXEC_MATCH_NOTE:
		return kb_exec_has_note(img, r->glob, r->name);
	}
	return false;
}

/*
 * The first rule of the kind asked for (@runtime: KB_EXEC_RUNTIME) that
 * @img matches. Caller holds kb_exec_rwsem.
 */
static struct kb_exec_rule *kb_exec_find(const struct kb_exec_image *img,
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
static bool kb_exec_is_command(const struct kb_exec_rule *r,
			       const struct file *file)
{
	return !r->s && file_inode(file) == d_inode(r->launcher.dentry);
}

/* Is @file a KB_EXEC_RUNTIME rule's command? Caller holds kb_exec_rwsem. */
static bool kb_exec_is_launcher(struct file *file)
{
	struct kb_exec_rule *r;

	list_for_each_entry(r, &kb_exec_rules, node)
		if (kb_exec_is_command(r, file))
			return true;
	return false;
}

/*
 * The absolute path of @name, which the exec that just succeeded looked
 * up from the same working directory, into @buf (PATH_MAX); NULL when it
 * cannot be found again.
 */
static const char *kb_exec_script_path(const char *name, char *buf)
{
	const char *ret = NULL;
	struct path p;

	if (!buf || kern_path(name, LOOKUP_FOLLOW, &p))
		return NULL;
	ret = d_path(&p, buf, PATH_MAX);
	path_put(&p);
	return IS_ERR(ret) ? NULL : ret;
}

/* The exec @w watched succeeded: put current under its rule, if any. */
static void kb_exec_apply(struct kb_exec_work *w)
{
	char *buf = __getname(), *sbuf = NULL;
	struct kb_exec_rule *r = NULL;
	struct kb_exec_image img;
	u64 start = ktime_get_ns();
	int ret;

	kb_exec_image_get(&img, w->file, buf);
	/* Path rules see a script's own path as well as its interpreter's. */
	if (w->interp && atomic_read(&kb_exec_nr_rules)) {
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
	/* Naming, reading and matching: the rules' price for this exec. */
	atomic64_add(ktime_get_ns() - start, &kb_exec_lookup_ns);
	atomic64_inc(&kb_exec_lookups);
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
 * sched_process_exec: the exec has succeeded and @p (current) has not run;
 * preemption is off. Queue what its handler prepared.
 */
void kb_probe_exec(void *data, struct task_struct *p, pid_t old_pid,
		   struct linux_binprm *bprm)
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
	kb_exec_image_get(&img, bprm->file, buf);
	percpu_down_read(&kb_exec_rwsem);
	r = kb_exec_find(&img, true);
	if (r && !kb_exec_in_launcher(r)) {
		atomic64_inc(&r->execs);
		atomic64_inc(&kb_exec_redirects);
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

static void kb_exec_rule_free(struct kb_exec_rule *r)
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

/*
 * Copies in and checks a KB_EXEC_RUNTIME command: NUL-terminated
 * arguments, the first an absolute path to a regular file that exists
 * now.
 */
static int kb_exec_rule_cmd(struct kb_exec_rule *r,
			    const struct kb_exec_rule_add *req)
{
	const char *p, *end;
	int ret;

	if (req->runtime_len < 2 || req->runtime_len > KB_EXEC_RUNTIME_MAX)
		return -EINVAL;
	r->cmd = memdup_user(u64_to_user_ptr(req->runtime), req->runtime_len);
	if (IS_ERR(r->cmd)) {
		ret = PTR_ERR(r->cmd);
		r->cmd = NULL;
		return ret;
	}
	r->cmd_len = req->runtime_len;
	end = r->cmd + r->cmd_len;
	if (r->cmd[0] != '/' || end[-1])
		return -EINVAL;
	for (p = r->cmd; p < end; p += strlen(p) + 1)
		if (++r->cmd_argc > KB_EXEC_RUNTIME_ARGS)
			return -EINVAL;
	ret = kern_path(r->cmd, LOOKUP_FOLLOW, &r->launcher);
	if (ret)
		return ret;
	/* What open_exec() would refuse at every matching exec. */
	return d_is_reg(r->launcher.dentry) ? 0 : -EACCES;
}

int kb_ioctl_exec_rule_add(struct file *file, void *arg)
{
	struct kb_exec_rule_add *req = arg;
	struct kb_set_rules rules = {
		.size = sizeof(rules), .count = req->count,
		.rule_size = req->rule_size, .rules = req->rules,
	};
	bool runtime = req->flags & KB_EXEC_RUNTIME;
	struct kb_exec_rule *r;
	int ret;

	if (req->__reserved2 || req->name[KB_EXEC_NAME_MAX] ||
	    !kb_personality_name_ok(req->name, sizeof(req->name)))
		return -EINVAL;
	/* The command's own runtime decides; it follows execs itself. */
	if (runtime ? req->count || req->rules || req->rule_size ||
		      (req->flags & KB_EXEC_INHERIT) :
		      req->runtime || req->runtime_len)
		return -EINVAL;
	if (!runtime && !kb_fastpath_armed())
		return -EOPNOTSUPP;
	switch (req->match) {
	case KB_EXEC_MATCH_PATH:
		if (!req->pattern_len || req->pattern_len > KB_PATH_MAX ||
		    req->osabi)
			return -EINVAL;
		break;
	case KB_EXEC_MATCH_OSABI:
		if (req->osabi > 255 || req->pattern || req->pattern_len)
			return -EINVAL;
		break;
	case KB_EXEC_MATCH_NOTE:
		if (!req->pattern_len || req->pattern_len > KB_EXEC_NAME_MAX ||
		    req->osabi)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->match = req->match;
	r->osabi = req->osabi;
	r->global = req->flags & KB_EXEC_GLOBAL;
	strscpy(r->name, req->name, sizeof(r->name));
	if (!r->global)
		r->userns = get_user_ns(current_user_ns());
	ret = -EPERM;
	if (!kb_exec_may(r))
		goto err;
	if (r->match != KB_EXEC_MATCH_OSABI) {
		r->glob = memdup_user_nul(u64_to_user_ptr(req->pattern),
					  req->pattern_len);
		if (IS_ERR(r->glob)) {
			ret = PTR_ERR(r->glob);
			r->glob = NULL;
			goto err;
		}
	}
	if (runtime) {
		ret = kb_exec_rule_cmd(r, req);
		if (ret)
			goto err;
	} else {
		r->s = kb_session_new_exec(req->flags & KB_EXEC_INHERIT,
					   req->name);
		ret = -ENOMEM;
		if (!r->s)
			goto err;
		/* No entry: every syscall passes, counted (kbctl stats). */
		ret = req->count ? kb_session_policy_set(r->s, &rules, true) : 0;
		if (ret)
			goto err;
	}
	/* Held until the rule is deleted: rmmod needs every rule gone. */
	ret = -ENODEV;
	if (!try_module_get(THIS_MODULE))
		goto err;

	percpu_down_write(&kb_exec_rwsem);
	r->id = ++kb_exec_next_id;
	if (r->s)
		WRITE_ONCE(r->s->exec_rule, r->id);
	list_add_tail(&r->node, &kb_exec_rules);
	atomic_inc(runtime ? &kb_exec_nr_runtime : &kb_exec_nr_rules);
	if (r->match == KB_EXEC_MATCH_NOTE)
		atomic_inc(&kb_exec_nr_notes);
	percpu_up_write(&kb_exec_rwsem);
	req->id = r->id;
	return 0;

err:
	kb_exec_rule_free(r);
	return ret;
}

int kb_ioctl_exec_rule_del(struct file *file, void *arg)
{
	struct kb_exec_rule_del *req = arg;
	struct kb_exec_rule *r, *found = NULL;
	int ret = -ENOENT;

	percpu_down_write(&kb_exec_rwsem);
	list_for_each_entry(r, &kb_exec_rules, node) {
		if (r->id == req->id) {
			found = r;
			break;
		}
	}
	if (found && !kb_exec_may(found)) {
		ret = -EPERM;
		found = NULL;
	}
	if (found) {
		list_del(&found->node);
		atomic_dec(found->s ? &kb_exec_nr_rules : &kb_exec_nr_runtime);
		if (found->match == KB_EXEC_MATCH_NOTE)
			atomic_dec(&kb_exec_nr_notes);
	}
	percpu_up_write(&kb_exec_rwsem);
	if (!found)
		return ret;
	/* Its session lives on with the programs already under it. */
	kb_exec_rule_free(found);
	module_put(THIS_MODULE);
	return 0;
}

static bool kb_exec_visible(const struct kb_exec_rule *r)
{
	return r->global || r->userns == current_user_ns();
}

static void kb_exec_rule_info(struct kb_exec_rule_info *info,
			      const struct kb_exec_rule *r)
{
	memset(info, 0, sizeof(*info));
	info->id = r->id;
	info->match = r->match;
	info->osabi = r->osabi;
	info->flags = (r->global ? KB_EXEC_GLOBAL : 0) |
		      (r->s && r->s->inherit ? KB_EXEC_INHERIT : 0) |
		      (r->s ? 0 : KB_EXEC_RUNTIME);
	if (r->s) {
		info->members = kb_session_members(r->s);
		info->calls = kb_session_calls(r->s);
		info->session = r->s->id;
	}
	info->execs = atomic64_read(&r->execs);
	strscpy(info->name, r->name, sizeof(info->name));
	if (r->glob) {
		info->pattern_len = strlen(r->glob);
		strscpy(info->pattern, r->glob, sizeof(info->pattern));
	}
	if (r->cmd) {
		info->runtime_len = r->cmd_len;
		memcpy(info->runtime, r->cmd,
		       min_t(u32, r->cmd_len, sizeof(info->runtime) - 1));
	}
}

int kb_ioctl_exec_rule_list(struct file *file, void *arg)
{
	struct kb_exec_rule_list *req = arg;
	struct kb_exec_rule_info *info = NULL;
	struct kb_exec_rule *r;
	u32 n = 0, i = 0;
	int ret;

	if (req->info_size < offsetofend(struct kb_exec_rule_info, calls))
		return -EINVAL;
	if (req->info_size > PAGE_SIZE)
		return -E2BIG;
	/*
	 * A snapshot, copied out after the lock: a fault on the caller's
	 * buffer (userfaultfd) must not stall every exec on the system.
	 */
	percpu_down_read(&kb_exec_rwsem);
	list_for_each_entry(r, &kb_exec_rules, node)
		n += kb_exec_visible(r);
	if (req->count < n) {
		percpu_up_read(&kb_exec_rwsem);
		req->count = n;
		return -ENOSPC;
	}
	if (n)
		info = kb_fault_or(kvmalloc_array(n, sizeof(*info),
						  GFP_KERNEL));
	if (n && !info) {
		percpu_up_read(&kb_exec_rwsem);
		return -ENOMEM;
	}
	list_for_each_entry(r, &kb_exec_rules, node)
		if (kb_exec_visible(r))
			kb_exec_rule_info(&info[i++], r);
	percpu_up_read(&kb_exec_rwsem);

	ret = kb_copy_entries(req->rules, info, n, sizeof(*info),
			      req->info_size);
	if (!ret)
		req->count = n;
	kvfree(info);
	return ret;
}
