// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: the in-kernel fast path.
 *
 * With Syscall User Dispatch on, every syscall a task makes outside its
 * allowed range goes through syscall_user_dispatch(regs) at syscall entry,
 * which raises SIGSYS and returns true ("skip the syscall"), or returns
 * false ("run it"). A hook on its entry lets a member's syscall be decided
 * right there, with no signal, whenever its rule needs only the number
 * and the registers: the hook makes the function return false at once for
 * a pass, or puts the result in the user registers and makes it return
 * true for a stub or a fake. Anything else (a path condition, a syscall
 * the runtime must run itself, a task of no session, a session without
 * the fast path) is left to the function, which raises SIGSYS as usual;
 * KB_IOC_SYSCALL then decides.
 *
 * Two hooks, the cheaper first (module parameter hook=):
 *
 * - direct: an ftrace direct call. The function's fentry call site calls
 *   kb_fast_tramp, a few instructions that call the decision and either
 *   return into the function or make it return at once. Nothing else
 *   runs: no register frame, no ftrace_ops or kprobe lookup. Only one
 *   direct call may sit on a function, so this fails (-EBUSY) when
 *   another user (a BPF trampoline, say) holds it.
 * - kprobe: a kprobe on the function's first instruction (ftrace-based on
 *   x86), which saves a full register frame and looks the probe up on
 *   every call; about twice the direct call's cost at syscall entry
 *   (bench/README.md). Used when the direct call cannot be had.
 *
 * Either way the function's return is overridden the way the kernel's
 * error injection does it: the value goes in %rax and the hook returns
 * to a bare return (kb_fast_return) instead of into the function.
 *
 * The decision runs with preemption off: it may not sleep or touch user
 * memory except through the nofault accessors, and it only reads
 * RCU-protected state.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/fcntl.h>
#include <linux/fdtable.h>
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/linkage.h>
#include <linux/magic.h>
#include <linux/moduleparam.h>
#include <linux/nospec.h>
#include <linux/objtool.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/syscall_user_dispatch.h>
#include <linux/uaccess.h>
#include <asm/ibt.h>
#include <asm/syscall.h>

#include "internal.h"
#include "batch.h"

static bool fastpath = true;
module_param(fastpath, bool, 0444);
MODULE_PARM_DESC(fastpath,
		 "Decide in the kernel at syscall entry when a rule allows (default: on); off: every trapped syscall goes through SIGSYS");

static char *hook = "auto";
module_param(hook, charp, 0444);
MODULE_PARM_DESC(hook,
		 "The fast path's hook on syscall_user_dispatch: auto (default: an ftrace direct call, else a kprobe), direct (that call or no fast path) or kprobe");

asmlinkage void kb_fast_return(void);

asm(".pushsection .text, \"ax\"\n"
	".type kb_fast_return, @function\n"
	"kb_fast_return:\n"
	ANNOTATE_NOENDBR
	ASM_RET
	".size kb_fast_return, .-kb_fast_return\n"
	".popsection\n");

/* Resume in the caller of syscall_user_dispatch() with @ret as its value. */
static __always_inline int kb_fast_override(struct pt_regs *regs, bool ret)
{
	regs->ax = ret;
	regs->ip = (unsigned long)&kb_fast_return;
	return 1;
}

/* Argument @i of the syscall in @uregs (x86_64 order). */
static __always_inline u64 kb_fast_arg(const struct pt_regs *uregs, u32 i)
{
	switch (i) {
	case 0:
		return uregs->di;
	case 1:
		return uregs->si;
	case 2:
		return uregs->dx;
	case 3:
		return uregs->r10;
	case 4:
		return uregs->r8;
	default:
		return uregs->r9;
	}
}

/*
 * Tier 2 on the registers, as kb_tier_partial_ops decides it: the first
 * matching condition wins. Sets *@entry (the hit index), *@action and
 * *@ret; returns 0, or -EAGAIN when a path condition is reached (it needs
 * the program's memory).
 */
static __always_inline int kb_fast_eval(const struct kb_ruleset *set,
					const struct pt_regs *uregs,
					u32 *entry, u16 *action, s64 *ret)
{
	s64 value = set->value;
	u32 i;

	*entry = 0;
	*action = set->action;
	for (i = 0; i < set->nconds; i++) {
		const struct kb_cond *c = &set->conds[i];

		if (c->match == KB_MATCH_PATH)
			return -EAGAIN;
		if (kb_cond_match_reg(c, kb_fast_arg(uregs, c->arg))) {
			*action = c->action;
			value = c->value;
			*entry = 1 + i;
			break;
		}
	}
	*ret = *action == KB_ACTION_STUB ? -value : value;
	return 0;
}

/*
 * Whether fd @fd of the current task is a directory of procfs (or is not
 * open): only a listing of a /proc/PID/fd or fdinfo directory can name
 * the runtime's own fds. The fd table is read under RCU, as fget does.
 */
static __always_inline bool kb_fast_fd_on_proc(unsigned int fd)
{
	struct file *f;
	bool ret;

	rcu_read_lock();
	f = files_lookup_fd_rcu(current->files, fd);
	ret = !f || file_inode(f)->i_sb->s_magic == PROC_SUPER_MAGIC;
	rcu_read_unlock();
	return ret;
}

/*
 * Whether fcntl(F_DUPFD*, @from) could be given a number at @floor or
 * above, where the runtime's fds are: the lowest free fd from @from, as
 * alloc_fd() looks for it, is at @floor or more.
 */
static __always_inline bool kb_fast_dupfd_high(unsigned int from, u32 floor)
{
	struct fdtable *fdt;
	bool ret;

	if (from >= floor)
		return true;
	rcu_read_lock();
	fdt = files_fdtable(current->files);
	ret = find_next_zero_bit(fdt->open_fds, fdt->max_fds, from) >= floor;
	rcu_read_unlock();
	return ret;
}

/*
 * Whether a passed syscall must still raise SIGSYS for the runtime. Its
 * close, dup2 and dup3 matter only for its own fds, which it keeps at
 * @fd_floor and above, so does fcntl(F_DUPFD*) only when it could reach
 * them, fstat, fstatat, statx and other fcntls only on the numbers it
 * keeps them at, and getdents only on procfs; its opens and readlinks matter only
 * for the paths it redirects, which all start with @path_prefix: the rest
 * runs here.
 * A path that cannot be read without faulting traps, and so does every
 * other number of the set. A thread that rewrites the path between this
 * look and the syscall's own copy gets its syscall run unredirected: it
 * loses the redirection, nothing else.
 */
static __always_inline bool kb_fast_traps(const struct kb_session *s, u32 nr,
					  const struct pt_regs *uregs)
{
	char buf[KB_PATH_PREFIX_MAX];
	unsigned long path;
	u32 fd, floor, len;

	if (!test_bit(nr, s->trap))
		return false;
	switch (nr) {
	case __NR_close:
	case __NR_dup2:
	case __NR_dup3:
		/* close's fd, or the new one of dup2 and dup3 */
		fd = (u32)(nr == __NR_close ? uregs->di : uregs->si);
		floor = READ_ONCE(s->fd_floor);
		return !floor || fd >= floor;
	case __NR_fstat:
	case __NR_newfstatat:
	case __NR_statx:
		/* probes of "is fd N open": only the runtime's numbers */
		fd = (u32)uregs->di;
		floor = READ_ONCE(s->fd_floor);
		return !floor || fd - floor < KB_FD_FLOOR_SPAN;
	case __NR_fcntl:
		fd = (u32)uregs->di;
		floor = READ_ONCE(s->fd_floor);
		if (!floor || fd - floor < KB_FD_FLOOR_SPAN)
			return true;
		if ((u32)uregs->si != F_DUPFD && (u32)uregs->si != F_DUPFD_CLOEXEC)
			return false;
		return kb_fast_dupfd_high((u32)uregs->dx, floor);
	case __NR_getdents:
	case __NR_getdents64:
		return !READ_ONCE(s->fd_floor) ||
		       kb_fast_fd_on_proc((u32)uregs->di);
	case __NR_open:
	case __NR_readlink:
		path = uregs->di;
		break;
	case __NR_openat:
	case __NR_openat2:
	case __NR_readlinkat:
		path = uregs->si;
		break;
	default:
		return true;
	}
	len = READ_ONCE(s->path_prefix_len);
	if (!len)
		return true;
	/* Pairs with the second smp_wmb() of kb_ioctl_set_fastpath(). */
	smp_rmb();
	if (copy_from_user_nofault(buf, (const void __user *)path, len))
		return true;
	return !memcmp(buf, s->path_prefix, len);
}

/* kb_fast_decide()'s verdicts */
#define KB_FAST_SIGSYS	(-1)	/* run syscall_user_dispatch(): SIGSYS */
#define KB_FAST_RUN	0	/* make it return false: the syscall runs */
#define KB_FAST_SKIP	1	/* make it return true: uregs->ax is the result */

/*
 * A syscall outside the policy's table: a number past it, or a 32-bit
 * call. A runtime takes it through SIGSYS; a task the module dispatches
 * itself (an exec rule's, a KB_SESSION_NO_RUNTIME session's) has none,
 * and a SIGSYS would kill it: the call runs as it would natively (ENOSYS
 * for a number no kernel has), counted as out of range.
 */
static __always_inline int kb_fast_beyond(void)
{
	struct kb_member *m = kb_member_find(current);

	if (!m || !READ_ONCE(m->sud_armed))
		return KB_FAST_SIGSYS;
	__this_cpu_inc(m->session->counters->out_of_range);
	__this_cpu_inc(m->session->counters->fastpath);
	return KB_FAST_RUN;
}

/*
 * The decision for the syscall in @uregs, the argument of
 * syscall_user_dispatch(): one of KB_FAST_*. Every syscall of every task
 * with SUD on comes through here, so this is kept to a few loads for the
 * common cases: everything is inlined, whole rules are precomputed in
 * policy->fast, and no RCU read lock is taken: the caller has preemption
 * disabled, which is an RCU read-side critical section for
 * synchronize_rcu() and call_rcu().
 */
static __always_inline int kb_fast_decide(struct pt_regs *uregs)
{
	struct syscall_user_dispatch *sd = &current->syscall_dispatch;
	const struct kb_policy *pol;
	const struct kb_fast *f;
	struct kb_ruleset *set;
	struct kb_session *s;
	struct kb_member *m;
	u32 nr, entry = 0;
	u16 action;
	s64 ret;

	/* The runtime's own syscalls, and what the function decides alone. */
	if (instruction_pointer(uregs) - sd->offset < sd->len || sd->selector)
		return KB_FAST_SIGSYS;
	nr = syscall_get_nr(current, uregs);
	if (unlikely(nr >= KB_NR_SYSCALLS || in_ia32_syscall()))
		return kb_fast_beyond();
	nr = array_index_nospec(nr, KB_NR_SYSCALLS);

	m = kb_member_find(current);
	if (!m)
		return KB_FAST_SIGSYS;
	s = m->session;
	/* Pairs with kb_ioctl_set_fastpath(): the trap set is in place. */
	if (!smp_load_acquire(&s->fastpath))
		return KB_FAST_SIGSYS;
	/* Outside the test (KB_IOC_SET_SCOPE): natively, uncounted. */
	if (unlikely(READ_ONCE(m->out_of_scope)))
		return kb_fast_traps(s, nr, uregs) ? KB_FAST_SIGSYS : KB_FAST_RUN;
	pol = rcu_dereference_sched(s->policy);
	f = &pol->fast[nr];
	set = pol->rules[nr];
	action = f->action;
	ret = f->ret;
	if (f->kind == KB_FAST_EVAL &&
	    kb_fast_eval(set, uregs, &entry, &action, &ret))
		return KB_FAST_SIGSYS;
	if (action == KB_ACTION_PASS && kb_fast_traps(s, nr, uregs))
		return KB_FAST_SIGSYS;
	/* A personality's implementation runs in process context. */
	if (action == KB_ACTION_PASS && unlikely(rcu_access_pointer(s->pers)) &&
	    kb_pers_implements(rcu_dereference_sched(s->pers), nr))
		return KB_FAST_SIGSYS;

	__this_cpu_inc(s->counters->nr[nr]);
	__this_cpu_inc(s->counters->fastpath);
	if (set)
		__this_cpu_inc(((u64 __percpu __force *)set->hits)[entry]);
	trace_kbridge_decision(s->id, current->tgid, nr, f->tier, action,
			       true);
	kb_run_note(m, nr, f->tier, action, true);

	if (action == KB_ACTION_PASS)
		return KB_FAST_RUN;
	WRITE_ONCE(s->last_changed, nr + 1);
	uregs->ax = ret;
	return KB_FAST_SKIP;
}

/* The kprobe's pre-handler: kprobes run it with preemption disabled. */
static int kb_fast_pre(struct kprobe *p, struct pt_regs *regs)
{
	/* The function's only argument: the user registers. */
	int d = kb_fast_decide((struct pt_regs *)regs->di);

	return d == KB_FAST_SIGSYS ? 0 : kb_fast_override(regs, d);
}
NOKPROBE_SYMBOL(kb_fast_pre);

static struct kprobe kb_fast_kprobe = {
	.symbol_name = "syscall_user_dispatch",
	.pre_handler = kb_fast_pre,
};

/*
 * The direct call's C half, called by kb_fast_tramp with the function's
 * argument. Unlike a kprobe handler it runs preemptible: disable
 * preemption for the RCU-sched reads and the per-CPU counters. __used:
 * only the asm calls it, so the compiler keeps its name and its ABI.
 */
static int __used kb_fast_direct(struct pt_regs *uregs)
{
	int d;

	preempt_disable_notrace();
	d = kb_fast_decide(uregs);
	preempt_enable_notrace();
	return d;
}

asmlinkage void kb_fast_tramp(void);

/*
 * Called from syscall_user_dispatch()'s fentry site, its return address
 * on the stack and its argument in %rdi, which must reach the function
 * unchanged. For a verdict other than KB_FAST_SIGSYS the return address
 * becomes kb_fast_return's, so that the function returns at once to its
 * caller with %eax as its value. The frame stays balanced for objtool
 * and the ORC unwinder.
 */
asm(".pushsection .text, \"ax\"\n"
	".type kb_fast_tramp, @function\n"
	"kb_fast_tramp:\n"
	ASM_ENDBR
	"	pushq %rbp\n"
	"	movq %rsp, %rbp\n"
	"	pushq %rdi\n"
	"	call kb_fast_direct\n"
	"	popq %rdi\n"
	"	leave\n"
	"	testl %eax, %eax\n"
	"	js 1f\n"
	"	leaq kb_fast_return(%rip), %rdx\n"
	"	movq %rdx, (%rsp)\n"
	"1:\n"
	ASM_RET
	".size kb_fast_tramp, .-kb_fast_tramp\n"
	".popsection\n");

static enum kb_fast_hook {
	KB_HOOK_NONE,
	KB_HOOK_DIRECT,
	KB_HOOK_KPROBE,
} kb_fast_hook;
static unsigned long kb_fast_ip;

bool kb_fastpath_armed(void)
{
	return kb_fast_hook != KB_HOOK_NONE;
}

u32 kb_fastpath_status(void)
{
	switch (kb_fast_hook) {
	case KB_HOOK_DIRECT:
		return KB_STATUS_FASTPATH | KB_STATUS_HOOK_DIRECT;
	case KB_HOOK_KPROBE:
		return KB_STATUS_FASTPATH | KB_STATUS_HOOK_KPROBE;
	default:
		return 0;
	}
}

/* The direct call needs the function's address, which is not exported. */
static int kb_fast_direct_arm(void)
{
	kb_fast_ip = kb_ksym("syscall_user_dispatch");
	if (!kb_fast_ip)
		return -ENOENT;
	return register_ftrace_direct(kb_fast_ip, (unsigned long)kb_fast_tramp);
}

int kb_fastpath_init(void)
{
	bool direct = !strcmp(hook, "auto") || !strcmp(hook, "direct");
	int ret;

	if (!direct && strcmp(hook, "kprobe")) {
		pr_err("hook=%s: must be auto, direct or kprobe\n", hook);
		return -EINVAL;
	}
	if (!fastpath) {
		pr_info("in-kernel fast path off (fastpath=0): decisions go through SIGSYS\n");
		return 0;
	}
	if (direct) {
		ret = kb_fast_direct_arm();
		if (!ret) {
			kb_fast_hook = KB_HOOK_DIRECT;
			pr_info("fast path: ftrace direct call on syscall_user_dispatch\n");
			return 0;
		}
		/* Not fatal: the kprobe does the same, at a higher cost. */
		pr_warn("no direct call on syscall_user_dispatch (%d)%s\n", ret,
			strcmp(hook, "direct") ? ": trying a kprobe" : "");
		if (!strcmp(hook, "direct"))
			return 0;
	}
	ret = register_kprobe(&kb_fast_kprobe);
	if (ret) {
		/* Not fatal: every decision still works through SIGSYS. */
		pr_warn("cannot probe syscall_user_dispatch (%d): decisions go through SIGSYS\n",
			ret);
		return 0;
	}
	kb_fast_hook = KB_HOOK_KPROBE;
	pr_info("fast path: kprobe on syscall_user_dispatch\n");
	return 0;
}

void kb_fastpath_exit(void)
{
	/*
	 * Both wait for every task that was in the hook to have left it:
	 * unregister_kprobe() with synchronize_rcu(), the direct call with
	 * synchronize_rcu_tasks() (a task preempted inside kb_fast_tramp).
	 */
	if (kb_fast_hook == KB_HOOK_DIRECT)
		WARN_ON(unregister_ftrace_direct(kb_fast_ip,
						 (unsigned long)kb_fast_tramp));
	else if (kb_fast_hook == KB_HOOK_KPROBE)
		unregister_kprobe(&kb_fast_kprobe);
	kb_fast_hook = KB_HOOK_NONE;
}

/*
 * Publish KB_IOC_SET_FASTPATH's @req (checked) and its @trap set for @s;
 * true when the fast path's hook is armed.
 */
bool kb_fastpath_session_set(struct kb_session *s,
			     const struct kb_set_fastpath *req,
			     const unsigned long *trap)
{
	unsigned int i;

	/*
	 * Each bit is read on its own by the fast path: a syscall decided
	 * during the update sees its old or its new bit, either is right.
	 */
	for (i = 0; i < BITS_TO_LONGS(KB_NR_SYSCALLS); i++)
		WRITE_ONCE(s->trap[i], trap[i]);
	/*
	 * The fast path reads the prefix without a lock: it is set while
	 * the fast path is off for this session (the runtime arms it once,
	 * before the program runs), or changed only by a runtime that
	 * accepts a call decided on a half-written prefix, which at worst
	 * traps (and is then decided through SIGSYS) or passes unredirected.
	 */
	WRITE_ONCE(s->path_prefix_len, 0);
	/* No reader compares the old length with the new bytes. */
	smp_wmb();
	memcpy(s->path_prefix, req->path_prefix, req->path_prefix_len);
	/* Pairs with kb_fast_traps(): the bytes before their length. */
	smp_wmb();
	WRITE_ONCE(s->path_prefix_len, req->path_prefix_len);
	WRITE_ONCE(s->fd_floor, req->fd_floor);
	/* Publish the trap set before the fast path may use it. */
	smp_store_release(&s->fastpath, req->enable);
	return kb_fastpath_armed();
}
