/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbridge runtime: raw syscalls. Every one goes through kbrt_syscall6 in
 * the allowed range (trampoline.S), so it never traps, and returns the
 * kernel's value: the result, or a -errno. No errno, no libc.
 */
#ifndef KBRT_SYS_H
#define KBRT_SYS_H

#include "kabi.h"

/* All of the runtime is one executable: no GOT or PLT between its parts. */
#pragma GCC visibility push(hidden)

long kbrt_syscall6(long nr, long a1, long a2, long a3, long a4, long a5,
		   long a6);
long kbrt_clone_on_stack(long nr, long a1, long a2, long a3, long a4,
			 long a5);
void kbrt_rt_sigreturn(void);

#define KBRT_SYS0(nr) kbrt_syscall6((nr), 0, 0, 0, 0, 0, 0)
#define KBRT_SYS2(nr, a, b) \
	kbrt_syscall6((nr), (long)(a), (long)(b), 0, 0, 0, 0)
#define KBRT_SYS3(nr, a, b, c) \
	kbrt_syscall6((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define KBRT_SYS4(nr, a, b, c, d) \
	kbrt_syscall6((nr), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define KBRT_SYS5(nr, a, b, c, d, e) \
	kbrt_syscall6((nr), (long)(a), (long)(b), (long)(c), (long)(d), \
		      (long)(e), 0)
#define KBRT_SYS6(nr, a, b, c, d, e, f) \
	kbrt_syscall6((nr), (long)(a), (long)(b), (long)(c), (long)(d), \
		      (long)(e), (long)(f))

/* The program's syscall @nr with its six arguments @a, as it asked. */
static inline long raw(long nr, const __u64 a[6])
{
	return kbrt_syscall6(nr, (long)a[0], (long)a[1], (long)a[2],
			     (long)a[3], (long)a[4], (long)a[5]);
}

static inline long sys_write(int fd, const void *buf, uint64_t len)
{
	return KBRT_SYS3(__NR_write, fd, buf, len);
}

static inline long sys_ioctl(int fd, unsigned long cmd, void *arg)
{
	return KBRT_SYS3(__NR_ioctl, fd, cmd, arg);
}

static inline long sys_getpid(void)
{
	return KBRT_SYS0(__NR_getpid);
}

static inline long sys_gettid(void)
{
	return KBRT_SYS0(__NR_gettid);
}

static inline long sys_tgkill(long tgid, long tid, int sig)
{
	return KBRT_SYS3(__NR_tgkill, tgid, tid, sig);
}

static inline __attribute__((noreturn)) void sys_exit_group(int status)
{
	for (;;)
		KBRT_SYS2(__NR_exit_group, status, 0);
}

static inline long sys_rt_sigaction(int sig, const struct kbrt_sigaction *act,
				    struct kbrt_sigaction *oact)
{
	return KBRT_SYS4(__NR_rt_sigaction, sig, act, oact, KBRT_SIGSET_SIZE);
}

static inline long sys_rt_sigprocmask(int how, const kbrt_sigset_t *set,
				      kbrt_sigset_t *oset)
{
	return KBRT_SYS4(__NR_rt_sigprocmask, how, set, oset,
			 KBRT_SIGSET_SIZE);
}

static inline long sys_sigaltstack(const struct kbrt_stack *ss,
				   struct kbrt_stack *oss)
{
	return KBRT_SYS2(__NR_sigaltstack, ss, oss);
}

static inline long sys_mprotect(void *addr, uint64_t len, int prot)
{
	return KBRT_SYS3(__NR_mprotect, addr, len, prot);
}

static inline long sys_prctl(long option, long a2, long a3, long a4, long a5)
{
	return KBRT_SYS5(__NR_prctl, option, a2, a3, a4, a5);
}

static inline long sys_openat(int dirfd, const char *path, int flags,
			     int mode)
{
	return KBRT_SYS4(__NR_openat, dirfd, path, flags, mode);
}

static inline long sys_close(int fd)
{
	return KBRT_SYS2(__NR_close, fd, 0);
}

static inline long sys_fcntl(int fd, int cmd, long arg)
{
	return KBRT_SYS3(__NR_fcntl, fd, cmd, arg);
}

static inline long sys_pread(int fd, void *buf, uint64_t len, uint64_t off)
{
	return KBRT_SYS4(__NR_pread64, fd, buf, len, off);
}

static inline long sys_fstat(int fd, struct stat *st)
{
	return KBRT_SYS2(__NR_fstat, fd, st);
}

static inline long sys_fstatfs(int fd, struct statfs *st)
{
	return KBRT_SYS2(__NR_fstatfs, fd, st);
}

static inline long sys_faccessat2(int dirfd, const char *path, int mode,
				  int flags)
{
	return KBRT_SYS4(__NR_faccessat2, dirfd, path, mode, flags);
}

static inline long sys_fgetxattr(int fd, const char *name, void *val,
				 uint64_t size)
{
	return KBRT_SYS4(__NR_fgetxattr, fd, name, val, size);
}

static inline long sys_mmap(void *addr, uint64_t len, int prot, int flags,
			    int fd, uint64_t off)
{
	return KBRT_SYS6(__NR_mmap, addr, len, prot, flags, fd, off);
}

static inline long sys_munmap(void *addr, uint64_t len)
{
	return KBRT_SYS2(__NR_munmap, addr, len);
}

#pragma GCC visibility pop

#endif /* KBRT_SYS_H */
