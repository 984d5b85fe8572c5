// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge runtime: reading and writing the program's memory at addresses
 * the program passed in a syscall. A bad pointer must give the program
 * -EFAULT, as the kernel would, not crash the handler; so the kernel does
 * the copy: process_vm_readv/writev on our own process (always allowed on
 * one's own thread group, whatever the ptrace policy).
 */
#include "internal.h"
#include "sys.h"

struct kbrt_iovec {
	uint64_t base;
	uint64_t len;
};

/*
 * Bytes copied (fewer at an unmapped page), or -EFAULT. @str: the data is
 * a NUL-terminated string, the direct copy stops after its NUL.
 */
static long vm_copy_some(long nr, uint64_t local, uint64_t remote,
			 uint64_t len, int str)
{
	struct kbrt_iovec l = { .base = local, .len = len };
	struct kbrt_iovec r = { .base = remote, .len = len };
	const char *from;
	char *to;
	uint64_t i;
	long ret;

	if (!len)
		return 0;
	ret = kbrt_syscall6(nr, sys_getpid(), (long)&l, 1, (long)&r, 1, 0);
	if (ret != -ENOSYS && ret != -EPERM)
		return ret;
	/*
	 * A seccomp sandbox may forbid these: copy directly. A bad pointer
	 * then crashes the program instead of failing its syscall with
	 * EFAULT; a correct program never notices.
	 */
	from = (const char *)(nr == __NR_process_vm_readv ? remote : local);
	to = (char *)(nr == __NR_process_vm_readv ? local : remote);
	for (i = 0; i < len; i++) {
		to[i] = from[i];
		if (str && !from[i])
			return (long)i + 1;
	}
	return (long)len;
}

static long vm_copy(long nr, uint64_t local, uint64_t remote, uint64_t len)
{
	if (!len)
		return 0;
	return vm_copy_some(nr, local, remote, len, 0) == (long)len ?
	       0 : -EFAULT;
}

long kbrt_copy_str_from_user(char *dst, uint64_t src, uint64_t len)
{
	return vm_copy_some(__NR_process_vm_readv, (uint64_t)dst, src, len, 1);
}

long kbrt_copy_some_from_user(void *dst, uint64_t src, uint64_t len)
{
	return vm_copy_some(__NR_process_vm_readv, (uint64_t)dst, src, len, 0);
}

long kbrt_copy_from_user(void *dst, uint64_t src, uint64_t len)
{
	return vm_copy(__NR_process_vm_readv, (uint64_t)dst, src, len);
}

long kbrt_copy_to_user(uint64_t dst, const void *src, uint64_t len)
{
	return vm_copy(__NR_process_vm_writev, (uint64_t)src, dst, len);
}
