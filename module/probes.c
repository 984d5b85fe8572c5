// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: the scheduler tracepoints every session and exec rule hangs on.
 *
 * One probe per tracepoint, each calling the mechanisms that need the
 * event, in the order they need it: sessions follow forks and exits
 * (session.c), exec rules follow execs and the exits of failed execs
 * (exec_watch.c). Attached after the sessions are set up and detached
 * before they are torn down (main.c), so no probe ever runs against a
 * mechanism that is not there.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/binfmts.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "internal.h"

/*
 * sched_process_fork: in the parent, in kernel_clone(), after the child
 * is fully set up and before it is first woken; preemption is off.
 */
static void kb_probe_fork(void *data, struct task_struct *parent,
			  struct task_struct *child)
{
	kb_session_fork(parent, child);
}

/* sched_process_exit: in the exiting task, before its files close. */
static void kb_probe_exit(void *data, struct task_struct *task)
{
	/* A failed exec's preparations; membership does not matter. */
	kb_exec_task_exit(task);
	kb_session_task_exit(task);
}

/* sched_process_exec: the exec succeeded and @p (current) has not run. */
static void kb_probe_exec(void *data, struct task_struct *p, pid_t old_pid,
			  struct linux_binprm *bprm)
{
	kb_exec_on_exec(p, bprm);
}

struct kb_probe {
	const char *name;
	void *probe;
	struct tracepoint *tp;
};

static struct kb_probe kb_probes[] = {
	{ .name = "sched_process_exit", .probe = kb_probe_exit },
	{ .name = "sched_process_fork", .probe = kb_probe_fork },
	{ .name = "sched_process_exec", .probe = kb_probe_exec },
};

static void kb_find_tracepoint(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kb_probes); i++)
		if (!strcmp(tp->name, kb_probes[i].name))
			kb_probes[i].tp = tp;
}

static void kb_probes_unregister(unsigned int n)
{
	while (n--)
		tracepoint_probe_unregister(kb_probes[n].tp, kb_probes[n].probe,
					    NULL);
	/* No probe runs any more once this returns. */
	tracepoint_synchronize_unregister();
}

int kb_probes_init(void)
{
	unsigned int i;
	int ret;

	for_each_kernel_tracepoint(kb_find_tracepoint, NULL);
	for (i = 0; i < ARRAY_SIZE(kb_probes); i++) {
		if (!kb_probes[i].tp) {
			pr_err("no tracepoint %s in this kernel\n",
			       kb_probes[i].name);
			ret = -ENOENT;
			goto err;
		}
		ret = tracepoint_probe_register(kb_probes[i].tp,
						kb_probes[i].probe, NULL);
		if (ret) {
			pr_err("cannot attach to tracepoint %s: %d\n",
			       kb_probes[i].name, ret);
			goto err;
		}
	}
	return 0;

err:
	kb_probes_unregister(i);
	return ret;
}

void kb_probes_exit(void)
{
	kb_probes_unregister(ARRAY_SIZE(kb_probes));
}
