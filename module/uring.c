// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: io_uring operations, counted per session and opcode.
 *
 * A program that uses io_uring submits reads, writes, sends, accepts...
 * with no syscall per operation: io_uring_enter carries a batch, and an
 * SQPOLL ring none at all. The kernel's submission tracepoint sees each
 * one, in the submitting task (or the ring's SQPOLL thread, a thread of
 * the same process). Its session, if any, counts the opcode.
 *
 * The tracepoint is io_uring_submit_sqe(req, force_nonblock) before
 * Linux 6.3 and io_uring_submit_req(req) since. A kernel without either
 * (or without io_uring) leaves the counting off: kb_uring_armed() says
 * so, and KB_IOC_SESSION_STATS reports it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io_uring_types.h>
#include <linux/sched.h>
#include <linux/tracepoint.h>

#include "internal.h"
#include "trace.h"

/* Kbuild looks at the kernel's header (its Kbuild file says how). */
#ifdef KB_URING_SUBMIT_SQE
#define KB_URING_TP	"io_uring_submit_sqe"
#else
#define KB_URING_TP	"io_uring_submit_req"
#endif

static struct tracepoint *kb_uring_tp;

/* The session of the task submitting, or of its process (SQPOLL). */
static void kb_uring_count(struct io_kiocb *req)
{
	struct kb_member *m = kb_member_find(current);
	u32 op = min_t(u32, READ_ONCE(req->opcode), KB_URING_OPS - 1);

	if (!m && (current->flags & PF_IO_WORKER))
		m = kb_member_find(current->group_leader);
	if (!m)
		return;
	this_cpu_inc(m->session->counters->uring[op]);
	trace_kbridge_uring_op(m->session_id, task_tgid_nr(current), op);
}

#ifdef KB_URING_SUBMIT_SQE
static void kb_uring_probe(void *data, struct io_kiocb *req,
			   bool force_nonblock)
{
	kb_uring_count(req);
}
#else
static void kb_uring_probe(void *data, struct io_kiocb *req)
{
	kb_uring_count(req);
}
#endif

static void kb_uring_find(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, KB_URING_TP))
		kb_uring_tp = tp;
}

bool kb_uring_armed(void)
{
	return READ_ONCE(kb_uring_tp) != NULL;
}

/* Optional: without the tracepoint, the rest of kbridge works as before. */
void kb_uring_init(void)
{
	int ret;

	for_each_kernel_tracepoint(kb_uring_find, NULL);
	if (!kb_uring_tp) {
		pr_info("no tracepoint %s: io_uring operations not counted\n",
			KB_URING_TP);
		return;
	}
	ret = tracepoint_probe_register(kb_uring_tp, kb_uring_probe, NULL);
	if (ret) {
		pr_warn("cannot attach to tracepoint %s: %d\n", KB_URING_TP,
			ret);
		kb_uring_tp = NULL;
	}
}

void kb_uring_exit(void)
{
	if (!kb_uring_tp)
		return;
	tracepoint_probe_unregister(kb_uring_tp, kb_uring_probe, NULL);
	tracepoint_synchronize_unregister();
	kb_uring_tp = NULL;
}
