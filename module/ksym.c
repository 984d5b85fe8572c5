// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: the address of a kernel function that is not exported.
 *
 * kallsyms_lookup_name() is not exported since Linux 5.7; a kprobe
 * registered by name resolves the symbol, and goes again at once. Only
 * for functions the module then calls or hooks through an API that takes
 * an address (ftrace), never to patch anything by hand.
 */
#include <linux/kprobes.h>

#include "internal.h"

unsigned long kb_ksym(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	unsigned long addr;

	if (register_kprobe(&kp))
		return 0;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	return addr;
}
