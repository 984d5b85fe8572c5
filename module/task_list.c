// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: KB_IOC_TASK_LIST, which tasks are under which session (kbctl ps).
 *
 * Tasks of exec rules' sessions hold no /dev/kbridge file, so the
 * pidfd_getfd() route that kbctl takes to a kblaunch'd program cannot
 * find them: the module lists every member instead. What it shows, the
 * session a task is in and its name, is what /proc/PID/status shows of
 * seccomp to anyone; so the list holds every member the caller's pid
 * namespace can see, and no more.
 *
 * The members hash is walked under RCU, without kb_members_lock, into a
 * kernel buffer sized from the live member count; tasks that join during
 * the walk may overflow it, and then the walk is done again.
 */
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#include "internal.h"

/* Members that may join while the buffer is being filled. */
#define KB_TASK_SLACK	64
/* Walks before giving up on a task list that keeps growing. */
#define KB_TASK_TRIES	4

/*
 * Its file closed, or its launcher exited while members still hold the
 * file (a daemon that outlived kblaunch). Caller: RCU, as for members.
 */
static bool kb_session_gone(const struct kb_session *s)
{
	return READ_ONCE(s->closed) ||
	       (s->creator && !pid_has_task(s->creator, PIDTYPE_TGID));
}

static void kb_task_fill(struct kb_task_info *t, struct kb_member *m,
			 struct pid_namespace *ns, struct user_namespace *uns)
{
	struct task_struct *task = m->task;
	struct kb_session *s = m->session;

	t->tgid = task_tgid_nr_ns(task, ns);
	t->session = s->id;
	t->rule = READ_ONCE(s->exec_rule);
	t->flags = (s->exec ? KB_TASK_EXEC : 0) |
		   (READ_ONCE(m->out_of_scope) ? KB_TASK_OUT_OF_SCOPE : 0) |
		   (kb_session_gone(s) ? KB_TASK_CLOSED : 0);
	t->uid = from_kuid_munged(uns, __task_cred(task)->euid);
	if (s->name[0])
		strscpy(t->name, s->name, sizeof(t->name));
	else
		kb_pers_name(s, t->name, sizeof(t->name));
	get_task_comm(t->comm, task);
}

/*
 * Fills up to @cap entries of @buf with the visible members and returns
 * how many there are.
 */
static u32 kb_task_walk(struct kb_task_info *buf, u32 cap)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct user_namespace *uns = current_user_ns();
	struct kb_member *m;
	u32 n = 0;
	int bkt;
	pid_t pid;

	rcu_read_lock();
	hash_for_each_rcu(kb_members, bkt, m, hash_node) {
		/* 0: another namespace's, or already unhashed by its exit. */
		pid = task_pid_nr_ns(m->task, ns);
		if (!pid)
			continue;
		if (n < cap) {
			memset(&buf[n], 0, sizeof(buf[n]));
			buf[n].pid = pid;
			kb_task_fill(&buf[n], m, ns, uns);
		}
		n++;
	}
	rcu_read_unlock();
	return n;
}

static int kb_task_cmp(const void *a, const void *b)
{
	const struct kb_task_info *x = a, *y = b;

	if (x->session != y->session)
		return x->session < y->session ? -1 : 1;
	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

int kb_ioctl_task_list(struct file *file, void *arg)
{
	struct kb_task_list *req = arg;
	struct kb_task_info *buf = NULL;
	struct kb_objects o;
	u32 cap, n = 0;
	int ret = -EAGAIN, try;

	if (req->info_size < KB_TASK_INFO_SIZE_VER0)
		return -EINVAL;
	if (req->info_size > PAGE_SIZE)
		return -E2BIG;

	for (try = 0; try < KB_TASK_TRIES; try++) {
		kb_session_objects(&o);
		cap = min_t(u32, req->count, o.members + KB_TASK_SLACK);
		kvfree(buf);
		buf = NULL;
		if (cap) {
			buf = kb_fault_or(kvmalloc_array(cap, sizeof(*buf),
							 GFP_KERNEL_ACCOUNT));
			if (!buf)
				return -ENOMEM;
		}
		n = kb_task_walk(buf, cap);
		if (req->count < n) {
			req->count = n;
			ret = -ENOSPC;
			goto out;
		}
		if (n <= cap) {
			ret = 0;
			break;
		}
	}
	if (ret)
		goto out;

	sort(buf, n, sizeof(*buf), kb_task_cmp, NULL);
	ret = kb_copy_entries(req->tasks, buf, n, sizeof(*buf),
			      req->info_size);
	if (!ret)
		req->count = n;
out:
	kvfree(buf);
	return ret;
}
