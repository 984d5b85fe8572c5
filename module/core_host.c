// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: the kernel as the tier core's host (core/): its kb_ops,
 * and rule hit counters kept per CPU, so that the fast path counts with
 * one this_cpu increment and no shared cache line.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "internal.h"

static void *kb_kalloc(size_t size, unsigned int flags)
{
	return kb_fault_or(kvzalloc(size, GFP_KERNEL_ACCOUNT));
}

static void kb_kfree(void *ptr, size_t size, unsigned int flags)
{
	kvfree(ptr);
}

static int kb_kcopy_from_user(void *dst, u64 src, size_t n)
{
	return copy_from_user(dst, u64_to_user_ptr(src), n) ? -EFAULT : 0;
}

static int kb_kcopy_to_user(u64 dst, const void *src, size_t n)
{
	return copy_to_user(u64_to_user_ptr(dst), src, n) ? -EFAULT : 0;
}

static long kb_kstrncpy_from_user(char *dst, u64 src, long n)
{
	return strncpy_from_user(dst, u64_to_user_ptr(src), n);
}

/* Passes are carried out by the kernel itself, never through the core. */
static long kb_ksyscall(long nr, const u64 *args)
{
	return -ENOSYS;
}

/* Updates are serialised by each session's policy_lock. */
static void kb_knolock(void)
{
}

static void kb_klog(int level, const char *msg)
{
	if (level <= KB_LOG_ERR)
		pr_err("%s\n", msg);
	else if (level <= KB_LOG_WARNING)
		pr_warn("%s\n", msg);
	else
		pr_info("%s\n", msg);
}

const struct kb_ops kb_kernel_ops = {
	.size = sizeof(struct kb_ops),
	.alloc = kb_kalloc,
	.free = kb_kfree,
	.copy_from_user = kb_kcopy_from_user,
	.copy_to_user = kb_kcopy_to_user,
	.strncpy_from_user = kb_kstrncpy_from_user,
	.syscall = kb_ksyscall,
	.lock = kb_knolock,
	.unlock = kb_knolock,
	.log = kb_klog,
};

/* One counter set per ruleset: this also counts the live rulesets. */
static atomic_t kb_live_hits = ATOMIC_INIT(0);

int kb_policy_live(void)
{
	return atomic_read(&kb_live_hits);
}

void *kb_hits_alloc(const struct kb_ops *ops, u32 n)
{
	u64 __percpu *hits = kb_fault_or(__alloc_percpu_gfp(n * sizeof(u64),
							    sizeof(u64),
							    GFP_KERNEL_ACCOUNT));

	if (hits)
		atomic_inc(&kb_live_hits);
	return (void __force *)hits;
}

void kb_hits_free(const struct kb_ops *ops, void *hits, u32 n)
{
	if (!hits)
		return;
	free_percpu((u64 __percpu __force *)hits);
	atomic_dec(&kb_live_hits);
}

void kb_hits_inc(void *hits, u32 i)
{
	this_cpu_inc(((u64 __percpu __force *)hits)[i]);
}

u64 kb_hits_read(const void *hits, u32 i)
{
	const u64 __percpu *h = (const u64 __percpu __force *)hits;
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(h, cpu)[i]);
	return sum;
}
