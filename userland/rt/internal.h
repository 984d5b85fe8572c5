/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbridge runtime: declarations shared by the runtime's own files.
 * Everything here is async-signal-safe and reentrant: state lives on the
 * caller's stack, or in constants fixed before the program started.
 */
#ifndef KBRT_INTERNAL_H
#define KBRT_INTERNAL_H

#include "kabi.h"
#include "rt.h"

/* All of the runtime is one executable: no GOT or PLT between its parts. */
#pragma GCC visibility push(hidden)

#include "clone_block.h"

#define KBRT_SIGSYS_BIT		KBRT_SIGBIT(SIGSYS)

/* setup.c: the constants kblaunch set, read-only once the program runs. */
extern const struct kbrt_config *const kbrt_cfg;
long kbrt_install_sigsys(void);
long kbrt_arm_sud(void);
int kbrt_own_fd(int fd);

/* handler.c */
void kbrt_sigsys(int sig, struct kbrt_siginfo *info, void *ctx);

/* executor.c: run a syscall for the program, result into its rax. */
void kbrt_execute(long nr, __u64 args[6], struct kbrt_ucontext *uc);
void kbrt_child_start(struct kbrt_clone_block *b);

/*
 * virtsig.c: the program's own SIGSYS: action, per-thread blocked bit and
 * pending signal, kept apart from the runtime's real one. @tid caches the
 * caller's thread id (start with 0; asked only when needed).
 */
long kbrt_virt_sigaction(uint64_t act, uint64_t oact, uint64_t size);
void kbrt_foreign_sigsys(struct kbrt_siginfo *info, struct kbrt_ucontext *uc);
void kbrt_deliver_sigsys(struct kbrt_siginfo *info, struct kbrt_ucontext *uc);
int kbrt_vsig_blocked(int *tid);
int kbrt_vsig_set_blocked(int *tid, int blocked, struct kbrt_siginfo *info);
int kbrt_vsig_take_pending(int *tid, struct kbrt_siginfo *info);
int kbrt_vsig_pending(int *tid);
int kbrt_vsig_hold(const struct kbrt_siginfo *info);
void kbrt_vsig_forked(int blocked);
void kbrt_vsig_forget(int *tid, struct kbrt_siginfo *pending);
void kbrt_vsig_init(int state);
int kbrt_vsig_ignored(void);

/*
 * exec.c: execve/execveat re-enter through kblaunch. @name: the path as
 * the program gave it (AT_EXECFN), when a[] runs another (selfexe.c).
 */
long kbrt_exec(long nr, const __u64 a[6], uint64_t name);

/* local.c: the --no-module decision. */
void kbrt_decide_local(struct kb_syscall *call);

/* uaccess.c: copies that fail with -EFAULT instead of faulting. */
long kbrt_copy_from_user(void *dst, uint64_t src, uint64_t len);
long kbrt_copy_to_user(uint64_t dst, const void *src, uint64_t len);
/* Up to @len bytes of a string (may stop early): bytes copied or -EFAULT. */
long kbrt_copy_str_from_user(char *dst, uint64_t src, uint64_t len);
/* Up to @len bytes, fewer at an unmapped page: bytes copied or -EFAULT. */
long kbrt_copy_some_from_user(void *dst, uint64_t src, uint64_t len);

/* selfexe.c: /proc/self/exe names the program, not kblaunch. */
long kbrt_selfexe(long nr, __u64 a[6], int *handled);

/* mem.c */
void kbrt_memset(void *dst, int c, uint64_t len);
void kbrt_memcpy(void *dst, const void *src, uint64_t len);
uint64_t kbrt_strlen(const char *s);
void kbrt_say(const char *msg, long err);
void kbrt_write_line(const char *const *parts, unsigned int n);
char *kbrt_fmt_int(char *end, long v);
__attribute__((noreturn)) void kbrt_die(const char *msg, long err);

#pragma GCC visibility pop

#endif /* KBRT_INTERNAL_H */
