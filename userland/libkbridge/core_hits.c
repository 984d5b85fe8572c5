// SPDX-License-Identifier: GPL-2.0
/*
 * The tier core's counters in user space: plain u64 counters in memory
 * the host marks KB_ALLOC_SHARED, so that the threads and the forked
 * children running one policy count into the same place; relaxed atomic
 * adds, since a reader wants totals, not an order. Freestanding: also
 * linked into the in-process runtime.
 */
#include "../../core/core.h"

void *kb_hits_alloc(const struct kb_ops *ops, u32 n)
{
	return ops->alloc(n * sizeof(u64), KB_ALLOC_SHARED);
}

void kb_hits_free(const struct kb_ops *ops, void *hits, u32 n)
{
	if (hits)
		ops->free(hits, n * sizeof(u64), KB_ALLOC_SHARED);
}

void kb_hits_inc(void *hits, u32 i)
{
	__atomic_fetch_add(&((u64 *)hits)[i], 1, __ATOMIC_RELAXED);
}

u64 kb_hits_read(const void *hits, u32 i)
{
	return __atomic_load_n(&((const u64 *)hits)[i], __ATOMIC_RELAXED);
}
