// SPDX-License-Identifier: GPL-2.0
/*
 * kbdemo: an example personality module for kbridge.ko.
 *
 * It registers the personality "demo" with kb_init_dynamic(). Where the
 * policy of a session that names it (a profile's "personality-module
 * demo") passes these syscalls, the program sees a small virtual OS:
 *  - uname: "KBDemoOS 1.0-demo", with the real node and domain names;
 *  - getpid: virtual PIDs, 1 for the session's first process that asks;
 *  - openat: a synthetic, read-only /proc/cpuinfo; other paths are Linux's;
 *  - sethostname: refused with EPERM, the demo OS's name is fixed.
 *
 * Handlers run in the trapped task's context (KB_IOC_SYSCALL): they may
 * sleep, and they reach the program's memory through call->ops. The
 * module may be unloaded while sessions name it: kb_exit_dynamic() waits
 * for the handlers that are running, and those sessions' calls go back to
 * Linux until it is loaded again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/delay.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <asm/unistd.h>

#include "kbridge.h"

/* kbridge numbers syscalls as x86_64 does, and so do the handlers here. */
#ifndef CONFIG_X86_64
#error "kbdemo implements x86_64 syscall numbers only"
#endif

static unsigned int slow_ms;
module_param(slow_ms, uint, 0644);
MODULE_PARM_DESC(slow_ms,
		 "uname sleeps this many ms first (tests unload the module while a handler runs)");

static int kbdemo_uname(struct kb_call *call)
{
	struct new_utsname *real = utsname();
	unsigned int ms = READ_ONCE(slow_ms);
	struct new_utsname u;

	if (ms)
		msleep_interruptible(ms);
	/* All of it goes to the program: no stack bytes in the padding. */
	memset(&u, 0, sizeof(u));
	strscpy(u.sysname, "KBDemoOS", sizeof(u.sysname));
	/*
	 * uts_sem, which sethostname() holds while it writes the names, is
	 * not exported to modules: a concurrent change may be seen half
	 * done, which a demo can live with. strscpy() always terminates.
	 */
	strscpy(u.nodename, real->nodename, sizeof(u.nodename));
	strscpy(u.release, "1.0-demo", sizeof(u.release));
	strscpy(u.version, "#1 kbdemo", sizeof(u.version));
	strscpy(u.machine, "x86_64", sizeof(u.machine));
	strscpy(u.domainname, real->domainname, sizeof(u.domainname));
	if (call->ops->copy_to_user(call->args[0], &u, sizeof(u))) {
		call->result = -EFAULT;
		return KB_ACTION_STUB;
	}
	call->result = 0;
	return KB_ACTION_FAKE;
}

/*
 * Virtual PIDs: one entry per (session, process), numbered per session
 * in the order of each process's first getpid. The table is bounded:
 * when it is full, an entry whose process has exited is reused (its
 * session's numbers are not given out again unless it held the highest),
 * and with none, the caller gets its real PID. Entries hold a reference
 * on the process's struct pid, so that a recycled PID number is never
 * taken for the process that had it; module exit drops them all.
 */
#define KBDEMO_PIDS	1024

struct kbdemo_pid {
	u64 session;
	struct pid *tgid;	/* NULL: a free entry */
	u32 vpid;
};

static DEFINE_SPINLOCK(kbdemo_pids_lock);
static struct kbdemo_pid kbdemo_pids[KBDEMO_PIDS];

static int kbdemo_getpid(struct kb_call *call)
{
	/* Taken before the lock: get_task_pid() takes RCU itself. */
	struct pid *me = get_task_pid(current, PIDTYPE_TGID);
	struct kbdemo_pid *slot = NULL, *stale = NULL, *e;
	struct pid *old = NULL;
	u32 next = 1;
	long vpid = -1;
	int i;

	spin_lock(&kbdemo_pids_lock);
	for (i = 0; i < KBDEMO_PIDS; i++) {
		e = &kbdemo_pids[i];
		if (!e->tgid) {
			if (!slot)
				slot = e;
			continue;
		}
		if (e->session == call->session) {
			if (e->tgid == me) {
				vpid = e->vpid;
				break;
			}
			next = max(next, e->vpid + 1);
		}
		if (!stale && !pid_has_task(e->tgid, PIDTYPE_TGID))
			stale = e;
	}
	if (vpid < 0) {
		if (!slot)
			slot = stale;
		if (slot) {
			old = slot->tgid;
			slot->session = call->session;
			slot->tgid = me;
			slot->vpid = next;
			me = NULL;	/* the entry holds the reference now */
			vpid = next;
		}
	}
	spin_unlock(&kbdemo_pids_lock);
	put_pid(old);
	put_pid(me);

	call->result = vpid >= 0 ? vpid : task_tgid_vnr(current);
	return KB_ACTION_FAKE;
}

#define KBDEMO_CPU(n)						\
	"processor\t: " #n "\n"					\
	"vendor_id\t: KBDemo\n"					\
	"model name\t: KBDemo virtual CPU @ 1.00GHz\n"		\
	"cpu family\t: 1\n"					\
	"model\t\t: 1\n"					\
	"stepping\t: 0\n"					\
	"cpu MHz\t\t: 1000.000\n"				\
	"cache size\t: 256 KB\n"				\
	"physical id\t: 0\n"					\
	"siblings\t: 2\n"					\
	"core id\t\t: " #n "\n"					\
	"cpu cores\t: 2\n"					\
	"flags\t\t: fpu tsc\n"					\
	"bogomips\t: 2000.00\n"					\
	"\n"

static const char kbdemo_cpuinfo[] = KBDEMO_CPU(0) KBDEMO_CPU(1);

static ssize_t kbdemo_cpuinfo_read(struct file *file, char __user *buf,
				   size_t len, loff_t *pos)
{
	return simple_read_from_buffer(buf, len, pos, kbdemo_cpuinfo,
				       sizeof(kbdemo_cpuinfo) - 1);
}

static loff_t kbdemo_cpuinfo_llseek(struct file *file, loff_t off, int whence)
{
	return fixed_size_llseek(file, off, whence, sizeof(kbdemo_cpuinfo) - 1);
}

/* .owner: an open file keeps the module (and its text) loaded. */
static const struct file_operations kbdemo_cpuinfo_fops = {
	.owner = THIS_MODULE,
	.read = kbdemo_cpuinfo_read,
	.llseek = kbdemo_cpuinfo_llseek,
};

static int kbdemo_openat(struct kb_call *call)
{
	static const char cpuinfo[] = "/proc/cpuinfo";
	/* One byte more than the path: a longer string is seen as longer. */
	char path[sizeof(cpuinfo) + 1];
	long len;
	int fd;

	len = call->ops->strncpy_from_user(path, call->args[1], sizeof(path));
	/* Unreadable or another path: Linux opens it, or fails it its way. */
	if (len < 0 || len >= (long)sizeof(path) || strcmp(path, cpuinfo))
		return KB_ACTION_PASS;
	if ((call->args[2] & O_ACCMODE) != O_RDONLY) {
		call->result = -EACCES;
		return KB_ACTION_STUB;
	}
	fd = anon_inode_getfd("[kbdemo-cpuinfo]", &kbdemo_cpuinfo_fops, NULL,
			      O_RDONLY | (call->args[2] & O_CLOEXEC));
	/*
	 * -ENOENT: this module is being unloaded (no reference to be had
	 * for the file); Linux's own /proc/cpuinfo is the right answer then.
	 */
	if (fd == -ENOENT)
		return KB_ACTION_PASS;
	if (fd < 0) {
		call->result = fd;
		return KB_ACTION_STUB;
	}
	call->result = fd;
	return KB_ACTION_FAKE;
}

static int kbdemo_sethostname(struct kb_call *call)
{
	/* The demo OS's name is fixed. */
	call->result = -EPERM;
	return KB_ACTION_STUB;
}

static const struct kb_handler kbdemo_handlers[] = {
	{ .nr = __NR_uname, .tier = KB_TIER_PARTIAL, .handle = kbdemo_uname },
	{ .nr = __NR_getpid, .tier = KB_TIER_FULL, .handle = kbdemo_getpid },
	{ .nr = __NR_openat, .tier = KB_TIER_PARTIAL, .handle = kbdemo_openat },
	{ .nr = __NR_sethostname, .tier = KB_TIER_STUBBED,
	  .handle = kbdemo_sethostname },
};

static struct kb_module kbdemo_mod = {
	.size = sizeof(struct kb_module),
	.abi = KB_MODULE_ABI_VERSION,
	.name = "demo",
	.handlers = kbdemo_handlers,
	.nr_handlers = ARRAY_SIZE(kbdemo_handlers),
	.owner = THIS_MODULE,
};

static int __init kbdemo_init(void)
{
	int ret = kb_init_dynamic(&kbdemo_mod, NULL);

	if (ret)
		pr_err("cannot register personality %s: %d\n",
		       kbdemo_mod.name, ret);
	return ret;
}

static void __exit kbdemo_exit(void)
{
	int i;

	kb_exit_dynamic(&kbdemo_mod);
	/* No handler runs any more: the table is no one else's. */
	for (i = 0; i < KBDEMO_PIDS; i++)
		put_pid(kbdemo_pids[i].tgid);
}

module_init(kbdemo_init);
module_exit(kbdemo_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbridge example personality: a small virtual OS, \"demo\"");
