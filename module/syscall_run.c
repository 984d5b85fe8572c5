// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: running a passed syscall inside KB_IOC_SYSCALL.
 *
 * On the SIGSYS path a passed call used to cost two syscalls: the ioctl
 * that decides it, then the call itself, re-issued by the runtime. With
 * KB_SYSCALL_RUN the module runs it right away, in the task's own context
 * (it is current), and answers KB_VERDICT_RAN with its result: one
 * syscall per trapped call.
 *
 * Only where that is the same as the runtime issuing it:
 * - a syscall of the list below: none reads or changes the registers of
 *   its own entry (the ioctl's here), the signal frame, the task's
 *   threads or its program, and none keeps a restart block;
 * - nothing else would have seen the call at its entry: no seccomp
 *   filter, ptrace syscall tracing or emulation, audit, or syscall
 *   tracepoints on this task; they see the re-issued call instead;
 * - a 64-bit task.
 * Anything else is answered KB_VERDICT_EXECUTE, as before.
 *
 * A call that a signal interrupts before it did anything returns a
 * restart code (-ERESTARTSYS, -ERESTARTNOHAND, -ERESTARTNOINTR): the
 * ioctl returns that code itself, so that the kernel's signal delivery
 * restarts the ioctl, and with it the call, exactly when it would have
 * restarted the call, or else makes it -EINTR, which the runtime then
 * gives the program (the struct says KB_VERDICT_RAN, result -EINTR).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/errno.h>
#include <linux/moduleparam.h>
#include <linux/nospec.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/thread_info.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "internal.h"

static bool syscall_run = true;
module_param(syscall_run, bool, 0644);
MODULE_PARM_DESC(syscall_run,
		 "Run passed calls inside KB_IOC_SYSCALL when the caller asks and it is safe (default: on); off: the runtime runs them");

/*
 * The calls that may run inside the ioctl: files, sockets, memory, ids
 * and clocks. Left out: signals, threads and processes, exec and exit,
 * the registers and segments (arch_prctl, iopl, modify_ldt), prctl and
 * seccomp, ioctl (it could reach /dev/kbridge again), and every call
 * that keeps a restart block or a timeout across a restart (nanosleep,
 * clock_nanosleep, poll, select, futex).
 */
static const unsigned short kb_run_calls[] = {
	/* files */
	__NR_read, __NR_write, __NR_pread64, __NR_pwrite64, __NR_readv,
	__NR_writev, __NR_preadv, __NR_pwritev, __NR_preadv2, __NR_pwritev2,
	__NR_lseek, __NR_stat, __NR_lstat, __NR_access, __NR_faccessat,
	__NR_faccessat2, __NR_statfs, __NR_fstatfs, __NR_getcwd, __NR_chdir,
	__NR_fchdir, __NR_rename, __NR_renameat, __NR_renameat2, __NR_mkdir,
	__NR_mkdirat, __NR_rmdir, __NR_creat, __NR_link, __NR_linkat,
	__NR_unlink, __NR_unlinkat, __NR_symlink, __NR_symlinkat,
	__NR_chmod, __NR_fchmod, __NR_fchmodat, __NR_chown, __NR_fchown,
	__NR_lchown, __NR_fchownat, __NR_umask, __NR_utimes, __NR_utimensat,
	__NR_truncate, __NR_ftruncate, __NR_fallocate, __NR_fsync,
	__NR_fdatasync, __NR_sync_file_range, __NR_fadvise64, __NR_flock,
	__NR_dup, __NR_pipe, __NR_pipe2, __NR_sendfile, __NR_splice, __NR_tee,
	__NR_copy_file_range, __NR_memfd_create, __NR_eventfd2,
	__NR_timerfd_create, __NR_timerfd_settime, __NR_timerfd_gettime,
	__NR_inotify_init1, __NR_inotify_add_watch, __NR_inotify_rm_watch,
	__NR_epoll_create1, __NR_epoll_ctl, __NR_epoll_wait,
	/* sockets */
	__NR_socket, __NR_socketpair, __NR_bind, __NR_listen, __NR_connect,
	__NR_accept, __NR_accept4, __NR_sendto, __NR_recvfrom, __NR_sendmsg,
	__NR_recvmsg, __NR_sendmmsg, __NR_recvmmsg, __NR_shutdown,
	__NR_getsockname, __NR_getpeername, __NR_setsockopt, __NR_getsockopt,
	/* memory */
	__NR_mmap, __NR_munmap, __NR_mprotect, __NR_mremap, __NR_brk,
	__NR_madvise, __NR_msync, __NR_mincore,
	/* ids, limits, clocks, the machine */
	__NR_getpid, __NR_getppid, __NR_gettid, __NR_getuid, __NR_geteuid,
	__NR_getgid, __NR_getegid, __NR_getresuid, __NR_getresgid,
	__NR_getgroups, __NR_getpgrp, __NR_getpgid, __NR_getsid,
	__NR_getrlimit, __NR_getrusage, __NR_times, __NR_uname, __NR_sysinfo,
	__NR_gettimeofday, __NR_time, __NR_clock_gettime, __NR_clock_getres,
	__NR_getrandom, __NR_getcpu, __NR_sched_yield, __NR_sched_getaffinity,
	__NR_wait4, __NR_waitid,
};

static DECLARE_BITMAP(kb_run_ok, KB_NR_SYSCALLS);
static long (*kb_sys_call)(const struct pt_regs *regs, unsigned int nr);

/* What sees a call at its entry, and would miss one run here. */
#define KB_RUN_WATCHED	(SYSCALL_WORK_SECCOMP | SYSCALL_WORK_SYSCALL_TRACEPOINT | \
			 SYSCALL_WORK_SYSCALL_TRACE | SYSCALL_WORK_SYSCALL_EMU | \
			 SYSCALL_WORK_SYSCALL_AUDIT)

void kb_syscall_run_init(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kb_run_calls); i++)
		if (!WARN_ON(kb_run_calls[i] >= KB_NR_SYSCALLS))
			__set_bit(kb_run_calls[i], kb_run_ok);
	/* The kernel's own dispatcher (Linux 6.9, and stable kernels since). */
	kb_sys_call = (void *)kb_ksym("x64_sys_call");
	if (!kb_sys_call)
		pr_info("no x64_sys_call: passed calls on the SIGSYS path are run by the runtime\n");
}

bool kb_syscall_run_armed(void)
{
	return kb_sys_call && READ_ONCE(syscall_run);
}

bool kb_restart_code(long ret)
{
	return ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	       ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK;
}

int kb_syscall_run(struct kb_syscall *call)
{
	struct pt_regs regs;
	long ret;

	if (!kb_syscall_run_armed() || call->nr >= KB_NR_SYSCALLS ||
	    !test_bit(call->nr, kb_run_ok) || in_compat_syscall() ||
	    (READ_ONCE(current_thread_info()->syscall_work) & KB_RUN_WATCHED))
		return 0;
	/*
	 * The ioctl's own entry registers, with the call's number and
	 * arguments: what the call would have seen but for its arguments,
	 * which none of the list reads from elsewhere.
	 */
	regs = *task_pt_regs(current);
	regs.orig_ax = call->nr;
	regs.ax = -ENOSYS;
	regs.di = call->args[0];
	regs.si = call->args[1];
	regs.dx = call->args[2];
	regs.r10 = call->args[3];
	regs.r8 = call->args[4];
	regs.r9 = call->args[5];
	ret = kb_sys_call(&regs, array_index_nospec(call->nr, KB_NR_SYSCALLS));
	call->verdict = KB_VERDICT_RAN;
	if (kb_restart_code(ret)) {
		/* None of the list sets a restart block: never restart one. */
		if (WARN_ON_ONCE(ret == -ERESTART_RESTARTBLOCK))
			ret = -EINTR;
		/* What the program sees if the restart becomes -EINTR. */
		call->result = -EINTR;
		return ret == -EINTR ? 0 : ret;
	}
	call->result = ret;
	return 0;
}
