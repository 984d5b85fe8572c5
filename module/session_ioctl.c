// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: the ioctls of a session's life: create one for the file, join
 * it, put threads out of its scope and back, and read its counters. Each
 * checks its request and who asks here; the sessions, their members and
 * the locking between them are session.c's.
 */
#include <linux/capability.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "internal.h"

/* Printable ASCII but space, NUL-terminated within @len; may be empty. */
static bool kb_session_name_ok(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len && name[i]; i++)
		if (name[i] <= ' ' || name[i] > '~')
			return false;
	return i < len;
}

int kb_ioctl_session_create(struct file *file, void *arg)
{
	struct kb_session_create *cmd = arg;
	struct kb_session *s;
	int ret;

	if (kb_file_session(file))
		return -EEXIST;
	/* Scope by members is an exception to the lock, not a mode. */
	if ((cmd->flags & KB_SESSION_MEMBER_SCOPE) &&
	    !(cmd->flags & KB_SESSION_LOCKED))
		return -EINVAL;
	if (!kb_session_name_ok(cmd->name, sizeof(cmd->name)))
		return -EINVAL;
	/* Its members' every syscall is decided by the hook, or by nothing. */
	if ((cmd->flags & KB_SESSION_NO_RUNTIME) &&
	    !(kb_fastpath_status() & KB_STATUS_FASTPATH))
		return -EOPNOTSUPP;
	s = kb_session_create(cmd->flags, cmd->name);
	if (!s)
		return -ENOMEM;
	cmd->session_id = s->id;
	/* Two racing creates on one file: the loser frees its own copy. */
	ret = kb_file_set_session(file, s);
	if (ret)
		kb_session_discard(s);
	return ret;
}

int kb_ioctl_session_join(struct file *file, void *arg)
{
	struct kb_session *s = kb_file_session(file);
	struct kb_session_join *cmd = arg;
	unsigned int members = 0;
	struct kb_member *m;
	bool member;
	int ret;

	if (!s)
		return -ENOENT;
	/*
	 * A member already: nothing to grant, whatever privileges it has
	 * dropped since (a root program that setuid()s, then execs).
	 */
	rcu_read_lock();
	m = kb_member_find(current);
	member = m && m->session == s;
	rcu_read_unlock();
	if (!member && !task_no_new_privs(current) &&
	    !ns_capable_noaudit(current_user_ns(), CAP_SYS_ADMIN))
		return -EACCES;

	ret = kb_session_join(s, &members);
	if (!ret)
		cmd->members = members;
	return ret;
}

int kb_ioctl_set_scope(struct file *file, void *arg)
{
	struct kb_session *s = kb_file_session(file);
	struct kb_set_scope *req = arg;

	if (!s)
		return -ENOENT;
	if (req->in_scope > 1)
		return -EINVAL;
	/* A locked session's members may only bring themselves back in. */
	if (!req->in_scope && kb_session_may_change(s) &&
	    !(s->flags & KB_SESSION_MEMBER_SCOPE))
		return -EPERM;
	return kb_session_set_scope(s, req->in_scope);
}

/* The session's io_uring operations per opcode, into user @uptr. */
static int kb_uring_copy(struct kb_session *s, u64 uptr, u32 n)
{
	u64 ops[KB_URING_OPS] = { 0 };

	n = min_t(u32, n, KB_URING_OPS);
	if (!uptr || !n)
		return 0;
	kb_session_uring_sum(s, ops);
	return copy_to_user(u64_to_user_ptr(uptr), ops, n * sizeof(u64)) ?
	       -EFAULT : 0;
}

int kb_ioctl_session_stats(struct file *file, void *arg)
{
	struct kb_session *s = kb_file_session(file);
	struct kb_session_stats *cmd = arg;
	u32 n = min_t(u32, cmd->nr_counts, KB_NR_SYSCALLS);
	u64 total, out_of_range, fast, *counts = NULL;
	int ret = 0;

	if (!s)
		return -ENOENT;
	if (!cmd->counts)
		n = 0;
	if (n) {
		counts = kb_fault_or(kcalloc(n, sizeof(*counts), GFP_KERNEL));
		if (!counts)
			return -ENOMEM;
	}

	total = kb_session_sum(s, counts, n, &out_of_range, &fast);
	if (n && copy_to_user(u64_to_user_ptr(cmd->counts), counts,
			      n * sizeof(*counts))) {
		ret = -EFAULT;
		goto out;
	}
	ret = kb_uring_copy(s, cmd->uring_ops, cmd->nr_uring_ops);
	if (ret)
		goto out;
	cmd->nr_uring_ops = KB_URING_OPS;
	cmd->uring_armed = kb_uring_armed();

	cmd->total = total;
	cmd->out_of_range = out_of_range;
	cmd->fastpath = fast;
	cmd->last_changed = READ_ONCE(s->last_changed);
	cmd->state = 0;
	if (READ_ONCE(s->fastpath) && kb_fastpath_armed())
		cmd->state |= KB_SESSION_FASTPATH;
	cmd->nr_counts = KB_NR_SYSCALLS;
	cmd->members = kb_session_members(s, &cmd->joined);
out:
	kfree(counts);
	return ret;
}
