/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KernelBridge API: the tiered syscall layer as a library.
 *
 * The same declarations serve kbridge.ko, where personality modules call
 * kb_init_dynamic(), and libkbridge (libkbridge.a, libkbridge.so), which
 * an OS, a runtime or a language embeds: kb_init_static() or
 * kb_init_dynamic(), then kb_handle_syscall() for every trapped syscall.
 * Both are built from one tier core (core/); only struct kb_ops,
 * the host's services, differs between them. Installed as <kbridge.h>.
 *
 * Return values follow the kernel's convention everywhere: 0 or a
 * negative errno; kb_handle_syscall() returns what the syscall returns.
 */
#ifndef _KBRIDGE_API_H
#define _KBRIDGE_API_H

#ifdef __KERNEL__
#include <linux/types.h>
struct module;
#else
#include <stddef.h>
#include <linux/types.h>
#endif
#include <linux/kbridge.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Version of the personality-module ABI (struct kb_module and what a
 * handler is given); kb_module.abi must hold it. Distinct from
 * KB_API_VERSION, the version of the ioctl ABI (<linux/kbridge.h>).
 */
#define KB_MODULE_ABI_VERSION	1

/*
 * kb_ops.alloc flags. KB_ALLOC_SHARED: counters that every thread and
 * process running the layer must see (shared memory across fork).
 */
#define KB_ALLOC_SHARED		(1U << 0)

/* kb_ops.log levels */
#define KB_LOG_ERR		3
#define KB_LOG_WARNING		4
#define KB_LOG_INFO		6

/**
 * struct kb_ops - the host's services: what the layer needs from the OS
 * it runs in. Any member may be NULL: the layer then uses its default
 * for the host it was built for (in kbridge.ko the kernel's, in
 * libkbridge Linux's through libc). "Program memory" is the memory of the
 * program whose syscalls are decided: the caller's own by default.
 * @size:              sizeof(struct kb_ops) as the caller knows it
 * @alloc:             @size bytes of zeroed memory, or NULL
 * @free:              release what @alloc returned (@size and @flags as
 *                     given to it)
 * @copy_from_user:    @n bytes from program address @src: 0 or -EFAULT
 * @copy_to_user:      @n bytes to program address @dst: 0 or -EFAULT
 * @strncpy_from_user: the string at @src into @dst, at most @n bytes with
 *                     its NUL: its length, @n if it is longer, or -EFAULT
 * @syscall:           run syscall @nr natively, the host's way (tier 1
 *                     and passes): its result, or a negative errno
 * @lock, @unlock:     exclude policy updates from each other and from
 *                     decisions (KB_THREADS_MULTI)
 * @log:               one message for the host's log, KB_LOG_* level
 */
struct kb_ops {
	__u32 size;
	__u32 __reserved;
	void *(*alloc)(size_t size, unsigned int flags);
	void (*free)(void *ptr, size_t size, unsigned int flags);
	int (*copy_from_user)(void *dst, __u64 src, size_t n);
	int (*copy_to_user)(__u64 dst, const void *src, size_t n);
	long (*strncpy_from_user)(char *dst, __u64 src, long n);
	long (*syscall)(long nr, const __u64 *args);
	void (*lock)(void);
	void (*unlock)(void);
	void (*log)(int level, const char *msg);
};

/* kb_config.stub: what a syscall no rule names gets */
#define KB_STUB_PASS		0 /* tier 1: run it (the default) */
#define KB_STUB_ENOSYS		1 /* tier 3: fail it with ENOSYS */
#define KB_STUB_FAKE		2 /* tier 3: return 0 without running it */

/* kb_config.threading */
#define KB_THREADS_SINGLE	0 /* one thread calls the layer: no locks */
#define KB_THREADS_MULTI	1 /* several: updates go through kb_ops.lock */

/**
 * struct kb_config - how kb_init_static() sets the layer up
 * @size:      sizeof(struct kb_config) as the caller knows it
 * @stub:      KB_STUB_*: the default for syscalls no rule names
 * @threading: KB_THREADS_*
 * @dynamic:   1: personality modules may register (kb_init_dynamic())
 * @rules:     the policy, as KB_IOC_SET_RULES takes it (user pointers
 *             are program memory), or NULL
 * @nr_rules:  entries at @rules
 * @personality: name of the personality module whose handlers decide
 *             the syscalls they implement and no rule names, or NULL
 */
struct kb_config {
	__u32 size;
	__u32 stub;
	__u32 threading;
	__u32 dynamic;
	const struct kb_rule_desc *rules;
	__u32 nr_rules;
	__u32 __reserved;
	const char *personality;
};

/**
 * struct kb_call - one syscall as a personality handler sees it
 * @nr:      syscall number
 * @args:    its arguments; a handler that passes may rewrite them
 * @result:  the handler's return value for the program (a negative errno
 *           fails the call)
 * @ops:     the host's services, to read and write program memory (in
 *           kbridge.ko the calling task is the program)
 * @priv:    kb_module.priv
 * @session: kbridge.ko: the caller's session id (KB_IOC_SESSION_CREATE);
 *           libkbridge: 0
 */
struct kb_call {
	__u32 nr;
	__u32 __reserved;
	__u64 args[6];
	__s64 result;
	const struct kb_ops *ops;
	void *priv;
	__u64 session;
};

/**
 * struct kb_handler - a personality's implementation of one syscall
 * @nr:     the syscall
 * @tier:   KB_TIER_* reported for the calls it decides
 * @handle: decide @call: KB_ACTION_FAKE (call->result is the result),
 *          KB_ACTION_STUB (call->result is a negative errno) or
 *          KB_ACTION_PASS (run it natively, with call->args)
 */
struct kb_handler {
	__u32 nr;
	__u16 tier;
	__u16 __reserved;
	int (*handle)(struct kb_call *call);
};

/**
 * struct kb_module - a personality: handlers for some syscalls, loaded
 * and unloaded at run time. Where the policy passes a syscall the
 * personality implements, its handler decides the call in place of the
 * host's implementation; stubs, fakes and conditions that do not pass
 * still win.
 * @size:        sizeof(struct kb_module) as the caller knows it
 * @abi:         KB_MODULE_ABI_VERSION
 * @name:        what profiles call it: 1..31 of [a-z0-9_-]
 * @handlers:    @nr_handlers handlers, at most one per syscall
 * @nr_handlers: entries at @handlers
 * @priv:        passed to every handler as kb_call.priv
 * @owner:       kbridge.ko: THIS_MODULE of the personality module
 * @kb:          the layer's; zero before kb_init_dynamic()
 */
struct kb_module {
	__u32 size;
	__u32 abi;
	const char *name;
	const struct kb_handler *handlers;
	__u32 nr_handlers;
	__u32 __reserved;
	void *priv;
#ifdef __KERNEL__
	struct module *owner;
#else
	void *owner;
#endif
	void *kb;
};

#ifndef __KERNEL__
/* Set the layer up in this process, statically linked: 0 or -errno. */
int kb_init_static(const struct kb_ops *ops, const struct kb_config *cfg);
#endif

/*
 * Register personality @mod (and, in libkbridge, set the layer up with
 * @ops and defaults if kb_init_static() has not; kbridge.ko takes no
 * @ops, its own services are the kernel's): 0 or -errno.
 */
int kb_init_dynamic(struct kb_module *mod, const struct kb_ops *ops);

/* Unregister @mod; when it returns, none of its handlers runs any more. */
void kb_exit_dynamic(struct kb_module *mod);

#ifndef __KERNEL__
/* Decide syscall @nr and carry the verdict out: what the program gets. */
long kb_handle_syscall(long nr, __u64 a0, __u64 a1, __u64 a2, __u64 a3,
		       __u64 a4, __u64 a5);

/* Calls decided so far for syscall @nr (-1: all), for statistics. */
__u64 kb_syscall_count(long nr);

/* Tear the layer down; kb_init_static() may be called again after. */
void kb_exit(void);
#endif

#ifdef __cplusplus
}
#endif

#endif /* _KBRIDGE_API_H */
