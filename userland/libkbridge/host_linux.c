// SPDX-License-Identifier: GPL-2.0
/*
 * libkbridge's default host services (struct kb_ops) on Linux, through
 * libc: what the layer uses for every member a caller's kb_ops leaves
 * NULL. Program memory is this process's own, read and written with
 * process_vm_readv/writev so that a bad pointer gives EFAULT, as in the
 * kernel, instead of a crash.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kbridge_host.h"

static void *host_alloc(size_t size, unsigned int flags)
{
	void *p;

	if (!size)
		size = 1;
	if (!(flags & KB_ALLOC_SHARED))
		return calloc(1, size);
	/* Shared with the children a program forks: they count here too. */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void host_free(void *ptr, size_t size, unsigned int flags)
{
	if (!ptr)
		return;
	if (flags & KB_ALLOC_SHARED)
		munmap(ptr, size ? size : 1);
	else
		free(ptr);
}

/* One page at most: a fault fails a whole iovec, never half of one. */
static size_t page_chunk(__u64 addr, size_t left)
{
	size_t in_page = 4096 - (addr & 4095);

	return left < in_page ? left : in_page;
}

static int host_copy_from_user(void *dst, __u64 src, size_t n)
{
	while (n) {
		size_t c = page_chunk(src, n);
		struct iovec local = { dst, c };
		struct iovec remote = { (void *)(uintptr_t)src, c };

		if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) !=
		    (ssize_t)c)
			return -EFAULT;
		dst = (char *)dst + c;
		src += c;
		n -= c;
	}
	return 0;
}

static int host_copy_to_user(__u64 dst, const void *src, size_t n)
{
	while (n) {
		size_t c = page_chunk(dst, n);
		struct iovec local = { (void *)src, c };
		struct iovec remote = { (void *)(uintptr_t)dst, c };

		if (process_vm_writev(getpid(), &local, 1, &remote, 1, 0) !=
		    (ssize_t)c)
			return -EFAULT;
		src = (const char *)src + c;
		dst += c;
		n -= c;
	}
	return 0;
}

static long host_strncpy_from_user(char *dst, __u64 src, long n)
{
	long done = 0;

	while (done < n) {
		size_t c = page_chunk(src + done, n - done);
		char *nul;

		if (host_copy_from_user(dst + done, src + done, c))
			return -EFAULT;
		nul = memchr(dst + done, '\0', c);
		if (nul)
			return nul - dst;
		done += c;
	}
	return n;
}

static long host_syscall(long nr, const __u64 *a)
{
	long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);

	return r == -1 ? -errno : r;
}

static pthread_mutex_t host_mutex = PTHREAD_MUTEX_INITIALIZER;

static void host_lock(void)
{
	pthread_mutex_lock(&host_mutex);
}

static void host_unlock(void)
{
	pthread_mutex_unlock(&host_mutex);
}

static void host_log(int level, const char *msg)
{
	fprintf(stderr, "kbridge%s: %s\n",
		level <= KB_LOG_ERR ? " error" :
		level <= KB_LOG_WARNING ? " warning" : "", msg);
}

const struct kb_ops kb_linux_ops = {
	.size = sizeof(struct kb_ops),
	.alloc = host_alloc,
	.free = host_free,
	.copy_from_user = host_copy_from_user,
	.copy_to_user = host_copy_to_user,
	.strncpy_from_user = host_strncpy_from_user,
	.syscall = host_syscall,
	.lock = host_lock,
	.unlock = host_unlock,
	.log = host_log,
};
