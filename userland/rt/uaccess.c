// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge runtime: reading and writing the program's memory at addresses
 * the program passed in a syscall. A bad pointer must give the program
 * -EFAULT, as the kernel would, not crash the handler; so the kernel does
 * the copy: process_vm_readv/writev on our own process (always allowed on
 * one's own thread group, whatever the ptrace policy).
 *
 * The program's memory is always the "local" side, which the kernel
 * copies with copy_{from,to}_user and so faults in as the program's own
 * syscall would: pages never touched yet, and the main thread's stack
 * grown below its lowest page (ld.so reads /proc/self/exe into a 4 KiB
 * buffer there). The runtime's buffer is the "remote" side, which the
 * kernel reaches through get_user_pages, and since Linux 6.5 (and its
 * stable backports) that never grows a stack: EFAULT.
 */
#include "internal.h"
#include "sys.h"

struct kbrt_iovec {
	uint64_t base;
	uint64_t len;
};

/*
 * @len bytes from @from to @to, one of them the program's (@prog_is_to:
 * the destination). Bytes copied (fewer at an unmapped page), or -EFAULT.
 * @str: the data is a NUL-terminated string, the direct copy stops after
 * its NUL.
 */
static long vm_copy_some(uint64_t to, uint64_t from, uint64_t len,
			 int prog_is_to, int str)
{
	struct kbrt_iovec t = { .base = to, .len = len };
	struct kbrt_iovec f = { .base = from, .len = len };
	char *dst = (char *)to;
	const char *src = (const char *)from;
	uint64_t i;
	long ret;

	if (!len)
		return 0;
	/* readv: remote -> local; writev: local -> remote */
	if (prog_is_to)
		ret = kbrt_syscall6(__NR_process_vm_readv, sys_getpid(),
				    (long)&t, 1, (long)&f, 1, 0);
	else
		ret = kbrt_syscall6(__NR_process_vm_writev, sys_getpid(),
				    (long)&f, 1, (long)&t, 1, 0);
	if (ret != -ENOSYS && ret != -EPERM)
		return ret;
	/*
	 * A seccomp sandbox may forbid these: copy directly. A bad pointer
	 * then crashes the program instead of failing its syscall with
	 * EFAULT; a correct program never notices.
	 */
	for (i = 0; i < len; i++) {
		dst[i] = src[i];
		if (str && !src[i])
			return (long)i + 1;
	}
	return (long)len;
}

static long vm_copy(uint64_t to, uint64_t from, uint64_t len, int prog_is_to)
{
	if (!len)
		return 0;
	return vm_copy_some(to, from, len, prog_is_to, 0) == (long)len ?
	       0 : -EFAULT;
}

long kbrt_copy_str_from_user(char *dst, uint64_t src, uint64_t len)
{
	return vm_copy_some((uint64_t)dst, src, len, 0, 1);
}

long kbrt_copy_some_from_user(void *dst, uint64_t src, uint64_t len)
{
	return vm_copy_some((uint64_t)dst, src, len, 0, 0);
}

long kbrt_copy_from_user(void *dst, uint64_t src, uint64_t len)
{
	return vm_copy((uint64_t)dst, src, len, 0);
}

long kbrt_copy_to_user(uint64_t dst, const void *src, uint64_t len)
{
	return vm_copy(dst, (uint64_t)src, len, 1);
}
