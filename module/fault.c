// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: allocation failures on demand, so that the module's
 * out-of-memory paths can be tested on a kernel built without
 * CONFIG_FAULT_INJECTION (Debian's). With fail_every=N, every Nth
 * allocation the module attempts fails as if the allocator had returned
 * NULL; the count of failures made so far reads from fault_injected.
 */
#include <linux/atomic.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>

#include "internal.h"

static unsigned int fail_every;
module_param(fail_every, uint, 0644);
MODULE_PARM_DESC(fail_every,
		 "Testing: make every Nth allocation of the module fail (0: never, the default)");

static atomic_t kb_fault_calls = ATOMIC_INIT(0);
static atomic_long_t kb_faults = ATOMIC_LONG_INIT(0);

static int kb_fault_injected_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&kb_faults));
}

static const struct kernel_param_ops kb_fault_injected_ops = {
	.get = kb_fault_injected_get,
};
module_param_cb(fault_injected, &kb_fault_injected_ops, NULL, 0444);
MODULE_PARM_DESC(fault_injected, "Allocations failed on purpose so far");

/* May run in any context, the fork probe's included. */
bool kb_fault(void)
{
	unsigned int every = READ_ONCE(fail_every);

	if (likely(!every))
		return false;
	if ((unsigned int)atomic_inc_return(&kb_fault_calls) % every)
		return false;
	atomic_long_inc(&kb_faults);
	return true;
}
