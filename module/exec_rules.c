// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: personalities chosen at exec (KB_IOC_EXEC_RULE_ADD), with no
 * launcher and no runtime in the process.
 *
 * A rule owns a session, as a file does, holding its policy. Every exec
 * on the system passes the sched_process_exec probe; while rules exist,
 * or when the task belongs to a rule's session, it queues a task work
 * that runs before the new program's first instruction, in process
 * context: it names the ELF file that runs, reads its header, and puts
 * the task into the session of the first matching rule, or takes it out
 * of the rule session it was in. A task of a rule's session has Syscall
 * User Dispatch on with an empty allowed range, so that every syscall
 * reaches the fast path's hook (fastpath.c), which decides it in the
 * kernel; the rule's policy may only hold what the hook can decide.
 * Children and threads join through the fork probe (session.c), which
 * turns SUD on for them too: the kernel clears it in dup_task_struct().
 *
 * Locking: kb_exec_mutex serialises changes of kb_exec_rules; the exec
 * work reads the list under it (it may sleep: reading the file). Each
 * rule holds a module reference, so that the module cannot go while a
 * rule can still match: rmmod needs every rule deleted first.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/binfmts.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/elf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/syscall_user_dispatch.h>
#include <linux/task_work.h>
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
 * @s:       the session its programs join
 */
struct kb_exec_rule {
	struct list_head node;
	u64 id;
	u32 match;
	u32 osabi;
	bool global;
	struct user_namespace *userns;
	char *glob;
	struct kb_session *s;
};

/* What the exec probe hands to the task work. */
struct kb_exec_work {
	struct callback_head cb;
	struct file *file;
};

static DEFINE_MUTEX(kb_exec_mutex);
static LIST_HEAD(kb_exec_rules);
/* Rules in the list: the exec probe's cheap test, read without the lock. */
static atomic_t kb_exec_nr_rules = ATOMIC_INIT(0);
static u64 kb_exec_next_id;

/*
 * Dispatch every syscall of @t that is not yet running, or of current:
 * no allowed range, no selector.
 */
void kb_exec_sud_arm(struct task_struct *t)
{
	t->syscall_dispatch.selector = NULL;
	t->syscall_dispatch.offset = 0;
	t->syscall_dispatch.len = 0;
	t->syscall_dispatch.on_dispatch = false;
	set_task_syscall_work(t, SYSCALL_USER_DISPATCH);
}

static bool kb_exec_may(const struct kb_exec_rule *r)
{
	return r->global ? capable(CAP_SYS_ADMIN) :
			   ns_capable(r->userns, CAP_SYS_ADMIN);
}

/* Sections and bytes of notes looked at, at most: bounded work per exec. */
#define KB_NOTE_SECTIONS	64
#define KB_NOTE_BYTES		4096

/*
 * Does @file, an ELF64 file, have a note named @name whose description
 * is the string @desc? Reads its section headers and SHT_NOTE sections.
 */
static bool kb_exec_has_note(struct file *file, const char *name,
			     const char *desc)
{
	size_t nlen = strlen(name) + 1, dlen = strlen(desc);
	Elf64_Shdr *sh = NULL;
	u8 *notes = NULL;
	bool found = false;
	Elf64_Ehdr eh;
	loff_t pos = 0;
	u32 i, off;

	if (kernel_read(file, &eh, sizeof(eh), &pos) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_shentsize != sizeof(*sh) || !eh.e_shnum ||
	    eh.e_shnum > KB_NOTE_SECTIONS)
		return false;
	sh = kmalloc_array(eh.e_shnum, sizeof(*sh), GFP_KERNEL);
	notes = kmalloc(KB_NOTE_BYTES, GFP_KERNEL);
	pos = eh.e_shoff;
	if (!sh || !notes ||
	    kernel_read(file, sh, eh.e_shnum * sizeof(*sh), &pos) !=
	    eh.e_shnum * sizeof(*sh))
		goto out;
	for (i = 0; i < eh.e_shnum && !found; i++) {
		if (sh[i].sh_type != SHT_NOTE || sh[i].sh_size > KB_NOTE_BYTES)
			continue;
		pos = sh[i].sh_offset;
		if (kernel_read(file, notes, sh[i].sh_size, &pos) !=
		    sh[i].sh_size)
			continue;
		/* Each note: namesz, descsz, type, then both, 4-aligned. */
		for (off = 0; off + sizeof(Elf64_Nhdr) <= sh[i].sh_size;) {
			Elf64_Nhdr *nh = (Elf64_Nhdr *)(notes + off);
			u32 n = ALIGN(nh->n_namesz, 4), d = ALIGN(nh->n_descsz, 4);
			const char *nm = (char *)(nh + 1);

			if (n < nh->n_namesz || d < nh->n_descsz ||
			    n + d > sh[i].sh_size - off - sizeof(*nh))
				break;
			if (nh->n_namesz == nlen && !memcmp(nm, name, nlen) &&
			    nh->n_descsz >= dlen && nh->n_descsz <= dlen + 1 &&
			    !memcmp(nm + n, desc, dlen) &&
			    (nh->n_descsz == dlen || !nm[n + dlen])) {
				found = true;
				break;
			}
			off += sizeof(*nh) + n + d;
		}
	}
out:
	kfree(notes);
	kfree(sh);
	return found;
}

/* The first rule that @path (or NULL) and @osabi (or -1) match. */
static struct kb_exec_rule *kb_exec_find(const char *path, int osabi,
					 struct file *file)
{
	struct user_namespace *ns = current_user_ns();
	struct kb_exec_rule *r;

	lockdep_assert_held(&kb_exec_mutex);
	list_for_each_entry(r, &kb_exec_rules, node) {
		if (!r->global && r->userns != ns)
			continue;
		if (r->match == KB_EXEC_MATCH_PATH && path &&
		    kb_glob_match(r->glob, path))
			return r;
		if (r->match == KB_EXEC_MATCH_OSABI && osabi == (int)r->osabi)
			return r;
		if (r->match == KB_EXEC_MATCH_NOTE &&
		    kb_exec_has_note(file, r->glob, r->s->exec_name))
			return r;
	}
	return NULL;
}

/* EI_OSABI of the ELF file @file, or -1 when it is none. */
static int kb_exec_osabi(struct file *file)
{
	unsigned char ident[EI_NIDENT];
	loff_t pos = 0;

	if (kernel_read(file, ident, sizeof(ident), &pos) != sizeof(ident) ||
	    memcmp(ident, ELFMAG, SELFMAG))
		return -1;
	return ident[EI_OSABI];
}

/* Runs in the task that exec'd, before the program's first instruction. */
static void kb_exec_work_fn(struct callback_head *cb)
{
	struct kb_exec_work *w = container_of(cb, struct kb_exec_work, cb);
	char *buf = kmalloc(PATH_MAX, GFP_KERNEL);
	const char *path = NULL;
	struct kb_exec_rule *r;
	int osabi, ret;

	if (buf) {
		path = d_path(&w->file->f_path, buf, PATH_MAX);
		if (IS_ERR(path))
			path = NULL;
	}
	osabi = kb_exec_osabi(w->file);
	mutex_lock(&kb_exec_mutex);
	r = kb_exec_find(path, osabi, w->file);
	ret = kb_session_exec(r ? r->s : NULL);
	mutex_unlock(&kb_exec_mutex);
	/* A program that cannot be put under its rule must not run. */
	if (ret) {
		pr_warn_ratelimited("cannot put pid %d (%s) under its exec rule: %d: killed\n",
				    task_pid_nr(current), path ? path : "?",
				    ret);
		force_sig(SIGKILL);
	}
	kfree(buf);
	fput(w->file);
	kfree(w);
}

/* sched_process_exec: the exec has succeeded; preemption is off. */
void kb_probe_exec(void *data, struct task_struct *p, pid_t old_pid,
		   struct linux_binprm *bprm)
{
	struct kb_exec_work *w;

	if (!atomic_read(&kb_exec_nr_rules) && !kb_session_exec_member(p))
		return;
	w = kb_fault_or(kmalloc(sizeof(*w), GFP_ATOMIC | __GFP_NOWARN));
	if (!w) {
		pr_warn_ratelimited("out of memory: killing pid %d, which an exec rule may match\n",
				    task_pid_nr(p));
		send_sig(SIGKILL, p, 1);
		return;
	}
	w->file = get_file(bprm->file);
	init_task_work(&w->cb, kb_exec_work_fn);
	if (task_work_add(p, &w->cb, TWA_RESUME)) {
		/* Exiting already: it will run nothing. */
		fput(w->file);
		kfree(w);
	}
}

static void kb_exec_rule_free(struct kb_exec_rule *r)
{
	if (r->s)
		kb_session_release(r->s);
	if (r->userns)
		put_user_ns(r->userns);
	kfree(r->glob);
	kfree(r);
}

int kb_ioctl_exec_rule_add(struct file *file, void *arg)
{
	struct kb_exec_rule_add *req = arg;
	struct kb_set_rules rules = {
		.size = sizeof(rules), .count = req->count,
		.rule_size = req->rule_size, .rules = req->rules,
	};
	struct kb_exec_rule *r;
	int ret;

	if (!kb_fastpath_armed())
		return -EOPNOTSUPP;
	if (!req->count || req->name[KB_EXEC_NAME_MAX] ||
	    !kb_personality_name_ok(req->name, sizeof(req->name)))
		return -EINVAL;
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
	r->s = kb_session_new_exec(req->flags & KB_EXEC_INHERIT, req->name);
	ret = -ENOMEM;
	if (!r->s)
		goto err;
	ret = kb_session_policy_set(r->s, &rules, true);
	if (ret)
		goto err;
	/* Held until the rule is deleted: rmmod needs every rule gone. */
	ret = -ENODEV;
	if (!try_module_get(THIS_MODULE))
		goto err;

	mutex_lock(&kb_exec_mutex);
	r->id = ++kb_exec_next_id;
	list_add_tail(&r->node, &kb_exec_rules);
	atomic_inc(&kb_exec_nr_rules);
	mutex_unlock(&kb_exec_mutex);
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

	mutex_lock(&kb_exec_mutex);
	list_for_each_entry(r, &kb_exec_rules, node) {
		if (r->id == req->id) {
			found = r;
			break;
		}
	}
	if (found && !kb_exec_may(found)) {
		mutex_unlock(&kb_exec_mutex);
		return -EPERM;
	}
	if (found) {
		list_del(&found->node);
		atomic_dec(&kb_exec_nr_rules);
	}
	mutex_unlock(&kb_exec_mutex);
	if (!found)
		return -ENOENT;
	/* Its session lives on with the programs already under it. */
	kb_exec_rule_free(found);
	module_put(THIS_MODULE);
	return 0;
}

static bool kb_exec_visible(const struct kb_exec_rule *r)
{
	return r->global || r->userns == current_user_ns();
}

int kb_ioctl_exec_rule_list(struct file *file, void *arg)
{
	struct kb_exec_rule_list *req = arg;
	struct kb_exec_rule_info *info = NULL;
	struct kb_exec_rule *r;
	u32 n = 0, i = 0, size;
	int ret = 0;

	if (req->info_size < offsetofend(struct kb_exec_rule_info, calls))
		return -EINVAL;
	if (req->info_size > PAGE_SIZE)
		return -E2BIG;
	size = min_t(u32, req->info_size, sizeof(*info));
	info = kmalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	mutex_lock(&kb_exec_mutex);
	list_for_each_entry(r, &kb_exec_rules, node)
		n += kb_exec_visible(r);
	if (req->count < n) {
		req->count = n;
		ret = -ENOSPC;
		goto out;
	}
	list_for_each_entry(r, &kb_exec_rules, node) {
		char __user *to;

		if (!kb_exec_visible(r))
			continue;
		memset(info, 0, sizeof(*info));
		info->id = r->id;
		info->match = r->match;
		info->osabi = r->osabi;
		info->flags = (r->global ? KB_EXEC_GLOBAL : 0) |
			      (r->s->inherit ? KB_EXEC_INHERIT : 0);
		info->members = kb_session_members(r->s);
		info->calls = kb_session_calls(r->s);
		strscpy(info->name, r->s->exec_name, sizeof(info->name));
		if (r->glob) {
			info->pattern_len = strlen(r->glob);
			strscpy(info->pattern, r->glob, sizeof(info->pattern));
		}
		to = u64_to_user_ptr(req->rules) + (u64)i * req->info_size;
		/* A longer struct of the caller's gets zeros past ours. */
		if (copy_to_user(to, info, size) ||
		    (req->info_size > size &&
		     clear_user(to + size, req->info_size - size))) {
			ret = -EFAULT;
			goto out;
		}
		i++;
	}
	req->count = n;
out:
	mutex_unlock(&kb_exec_mutex);
	kfree(info);
	return ret;
}
