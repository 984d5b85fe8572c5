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

/*
 * ownfds.c: the runtime's fds, out of the program's sight. kbrt_fd() is
 * the number now (-1: none); kbrt_fd_call() runs close, dup2, dup3,
 * fcntl, close_range, getdents, getdents64, fstat, newfstatat and
 * statx for the program;
 * kbrt_fd_path() answers ENOENT (*@handled set) for the /proc paths of
 * ours; kbrt_fds_pass() clears close-on-exec on ours for an exec
 * (0 or -errno), kbrt_fds_unpass() sets it back when the exec failed.
 */
enum kbrt_fd_which {
	KBRT_FD_KB, KBRT_FD_CNT, KBRT_FD_SELF, KBRT_FD_ONLY, KBRT_FD_N
};
void kbrt_fds_init(const struct kbrt_config *cfg);
int kbrt_fd(enum kbrt_fd_which w);
int kbrt_own_fd(int fd);
long kbrt_fd_call(long nr, __u64 a[6]);
long kbrt_fd_path(long nr, const __u64 a[6], int *handled);
long kbrt_fds_pass(long out[KBRT_FD_N]);
void kbrt_fds_unpass(const long fds[KBRT_FD_N]);
void kbrt_fds_forked(void);

/*
 * altstack.c: the runtime's alternate stack of each thread (the kernel's)
 * and the program's (virtual). A slot is claimed by the thread creating a
 * task, adopted by the task (which installs the stack), and freed when
 * the task exits or, for a vfork-style child, by its creator.
 */
struct kbrt_as_slot {
	uint64_t owner;			/* see altstack.c */
	uint64_t base;			/* the stack's lowest byte, or 0 */
	struct kbrt_stack prog;		/* the program's: SS_DISABLE, none */
	int disarmed;			/* in a handler on it, SS_AUTODISARM */
};
long kbrt_as_init(void);
long kbrt_as_claim(int creator, struct kbrt_as_slot **out);
long kbrt_as_adopt(struct kbrt_as_slot *s, int tid, int parent_frees);
void kbrt_as_inherit(struct kbrt_as_slot *s, int creator);
void kbrt_as_unclaim(struct kbrt_as_slot *s, int creator, long child);
struct kbrt_as_slot *kbrt_as_mine(int tid);
/* Is thread @tid a vfork-style child (our memory, its own fd table)? */
int kbrt_as_vfork_child(int tid);
void kbrt_as_forked(int parent, int child);
/* exit or exit_group (@nr) for the caller, its slot freed last. */
__attribute__((noreturn)) void kbrt_as_exit(long nr, int tid, int code);
/* The program's alternate stack as sigaltstack() reports it at @sp. */
void kbrt_as_view(const struct kbrt_as_slot *s, uint64_t sp,
		  struct kbrt_stack *st);
/* Record @st (checked by the kernel already) as the program's. */
void kbrt_as_set(struct kbrt_as_slot *s, const struct kbrt_stack *st);
/* The program's action of a signal whose kernel action is kbrt_onstack. */
void kbrt_as_handler_set(int sig, const struct kbrt_sigaction *act);
void kbrt_as_handler_get(int sig, struct kbrt_sigaction *act);
void kbrt_onstack(int sig, struct kbrt_siginfo *info, void *ctx);

/*
 * trampoline.S: exit or exit_group (@nr) with @code after storing 0 to
 * *@owner (if not NULL) without touching the stack in between;
 * sigaltstack() made with the stack pointer @sp (the kernel compares it
 * with the current alternate stack); @fn(@a1, @a2, @a3) called with the
 * stack pointer at @top.
 */
__attribute__((noreturn)) void kbrt_exit_releasing(uint64_t *owner, int code,
						  long nr);
long kbrt_sigaltstack_at(const struct kbrt_stack *ss, struct kbrt_stack *oss,
			 void *sp);
void kbrt_call_on(uint64_t top, uint64_t fn, long a1, void *a2, void *a3);

/* handler.c */
void kbrt_sigsys(int sig, struct kbrt_siginfo *info, void *ctx);

/* executor.c: run a syscall for the program, result into its rax. */
void kbrt_execute(long nr, __u64 args[6], struct kbrt_ucontext *uc);
/* 1: kbrt_execute() runs @nr otherwise than as is (kbrt_own[]) */
int kbrt_is_own(long nr);
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
