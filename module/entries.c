// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: arrays of versioned structs copied out to user space.
 *
 * A list ioctl (exec rules, tasks) returns an array whose entries are
 * structs that may grow between releases, as the ioctl arguments do: the
 * caller says which size it knows, and gets each entry cut or
 * zero-extended to it.
 */
#include <linux/minmax.h>
#include <linux/uaccess.h>

#include "internal.h"

/*
 * Copies @n entries of @ksize bytes from @buf to the user array @uptr,
 * whose entries are @usize bytes (the caller's version of the struct):
 * the first min(@ksize, @usize) bytes of each, zeros past ours.
 */
int kb_copy_entries(u64 uptr, const void *buf, u32 n, u32 ksize, u32 usize)
{
	u32 size = min(ksize, usize), i;

	for (i = 0; i < n; i++) {
		char __user *to = u64_to_user_ptr(uptr) + (u64)i * usize;

		if (copy_to_user(to, buf + (size_t)i * ksize, size) ||
		    (usize > size && clear_user(to + size, usize - size)))
			return -EFAULT;
	}
	return 0;
}
