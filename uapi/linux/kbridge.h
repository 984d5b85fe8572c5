/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kbridge: tiered Linux syscall compatibility layer, user/kernel ABI.
 *
 * The only header shared by kbridge.ko and its userland. Rules, so that
 * old binaries keep working against new modules and the other way round:
 *  - every ioctl argument starts with __u32 size (the caller's sizeof) and
 *    __u32 flags; fields are only ever appended;
 *  - a field the kernel does not know must be zero (checked, E2BIG);
 *  - a flag the kernel does not know is rejected (EINVAL);
 *  - 64-bit values and user pointers are __aligned_u64; structs are padded
 *    to a multiple of 8 bytes so that 32/64-bit layouts agree.
 */
#ifndef _UAPI_LINUX_KBRIDGE_H
#define _UAPI_LINUX_KBRIDGE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define KB_DEVICE_NAME		"kbridge"
#define KB_DEVICE_PATH		"/dev/kbridge"

/*
 * KB_API_VERSION changes only when an existing ioctl changes meaning.
 * Additions are announced through KB_FEATURE_* bits instead.
 */
#define KB_API_VERSION		1

/* Syscall numbers the module keeps per-number policy and counters for. */
#define KB_NR_SYSCALLS		512

/*
 * 0xBB is unused in Documentation/userspace-api/ioctl/ioctl-number.rst and
 * far from the numbers the VFS interprets before a driver sees them
 * (FIOCLEX, FIGETBSZ, FS_IOC_*).
 */
#define KB_IOC_MAGIC		0xBB

/**
 * DOC: errors common to every kbridge ioctl
 *
 * ENOTTY     unknown command number
 * EFAULT     the argument (or a pointer inside it) is not readable/writable
 * EINVAL     size smaller than the first version of the struct, an unknown
 *            flag, or a non-zero __reserved field
 * E2BIG      size larger than the kernel's struct and the extra bytes are
 *            not all zero (the caller asks for something this module lacks)
 * ENOENT     the file has no session yet (KB_IOC_SESSION_CREATE first)
 * EPERM      the calling task is not a member of this file's session
 *            (commands that require membership only)
 * EOPNOTSUPP the request is well-formed but names something this module
 *            does not implement yet (KB_IOC_SET_RULES: KB_TIER_PARTIAL)
 *
 * Commands are matched on their type (KB_IOC_MAGIC) and number only: the
 * size bits of the command word are ignored, the struct's own @size says
 * which version of the struct the caller passes.
 */

/* Feature bits reported by KB_IOC_GET_VERSION. */
#define KB_FEATURE_SESSIONS	(1ULL << 0) /* SESSION_CREATE / JOIN */
#define KB_FEATURE_SYSCALL	(1ULL << 1) /* KB_IOC_SYSCALL frames */
#define KB_FEATURE_FOLLOW_FORK	(1ULL << 2) /* children/threads join */
#define KB_FEATURE_STATS	(1ULL << 3) /* KB_IOC_SESSION_STATS */
#define KB_FEATURE_RULES	(1ULL << 4) /* KB_IOC_SET_RULES */

#define KB_VERSION_LEN		32

/**
 * struct kb_version - KB_IOC_GET_VERSION: what the loaded module speaks
 * @size:        sizeof(struct kb_version) as known to the caller
 * @flags:       must be 0
 * @api_version: out, KB_API_VERSION of the module
 * @nr_syscalls: out, syscall numbers with their own policy and counter
 * @features:    out, KB_FEATURE_* bits
 * @release:     out, NUL-terminated module release ("0.1.0"); tools refuse
 *               to run against a module of another release
 */
struct kb_version {
	__u32 size;
	__u32 flags;
	__u32 api_version;
	__u32 nr_syscalls;
	__aligned_u64 features;
	char release[KB_VERSION_LEN];
};

/**
 * struct kb_session_create - KB_IOC_SESSION_CREATE: give this file a session
 * @size:       sizeof(struct kb_session_create)
 * @flags:      must be 0
 * @session_id: out, identifier unique for the lifetime of the module
 *
 * One session per open file; it lives until the last reference to the
 * file is closed. All its policy starts as tier 1 (pass).
 * EEXIST: the file already has a session.
 */
struct kb_session_create {
	__u32 size;
	__u32 flags;
	__aligned_u64 session_id;
};

/**
 * struct kb_session_join - KB_IOC_SESSION_JOIN: make the caller a member
 * @size:    sizeof(struct kb_session_join)
 * @flags:   must be 0
 * @members: out, threads of the calling process that joined
 * @__reserved: must be 0
 *
 * Joins every thread of the calling process. From then on, threads and
 * children they create join automatically before they run, and a member
 * leaves when it exits or when the session is freed. Joining twice is a
 * no-op. EBUSY: the caller is a member of another session.
 */
struct kb_session_join {
	__u32 size;
	__u32 flags;
	__u32 members;
	__u32 __reserved;
};

/* kb_syscall.verdict: what the runtime must do with the trapped syscall */
#define KB_VERDICT_EXECUTE	0 /* run it, with args[] as returned */
#define KB_VERDICT_RESULT	1 /* do not run it; result is the return */

/* Tiers, as in the KernelBridge design. */
#define KB_TIER_FULL		1 /* implemented: passthrough to Linux */
#define KB_TIER_PARTIAL		2 /* implemented for some arguments only */
#define KB_TIER_STUBBED		3 /* not implemented: stubbed or faked */

/* Action the tier took for one call. */
#define KB_ACTION_PASS		0 /* executed natively */
#define KB_ACTION_STUB		1 /* refused with an errno */
#define KB_ACTION_FAKE		2 /* success returned without running it */

/**
 * struct kb_syscall - KB_IOC_SYSCALL: one trapped syscall, the fast path
 * @size:    sizeof(struct kb_syscall)
 * @flags:   must be 0
 * @nr:      in, syscall number (x86_64 numbering)
 * @verdict: out, KB_VERDICT_*
 * @args:    in, the six argument registers; out, the arguments to run the
 *           syscall with when the verdict is KB_VERDICT_EXECUTE
 * @result:  out, the return value (a -errno for failures) when the verdict
 *           is KB_VERDICT_RESULT
 * @tier:    out, KB_TIER_* that decided
 * @action:  out, KB_ACTION_*
 * @__reserved: must be 0
 *
 * Only members of the file's session may call it (EPERM otherwise). Every
 * call is counted in the session's statistics, numbers outside
 * [0, nr_syscalls) included.
 */
struct kb_syscall {
	__u32 size;
	__u32 flags;
	__u32 nr;
	__u32 verdict;
	__aligned_u64 args[6];
	__s64 result;
	__u16 tier;
	__u16 action;
	__u32 __reserved;
};

/**
 * struct kb_session_stats - KB_IOC_SESSION_STATS: counters of the session
 * @size:      sizeof(struct kb_session_stats)
 * @flags:     must be 0
 * @total:     out, KB_IOC_SYSCALL calls dispatched in the session
 * @nr_counts: in, entries the caller's @counts array holds; out, entries
 *             the module has (nr_syscalls), whatever was copied
 * @members:   out, live member tasks
 * @counts:    in, user pointer to __u64[nr_counts] filled with the number
 *             of calls per syscall number, or 0 to skip
 * @out_of_range: out, calls whose number was >= nr_syscalls
 * @joined:    out, tasks that have ever been members
 *
 * The file's owner may read it whether or not it is a member.
 */
struct kb_session_stats {
	__u32 size;
	__u32 flags;
	__aligned_u64 total;
	__u32 nr_counts;
	__u32 members;
	__aligned_u64 counts;
	__aligned_u64 out_of_range;
	__aligned_u64 joined;
};

/**
 * struct kb_rule_desc - one entry of KB_IOC_SET_RULES
 * @nr:     syscall number, < nr_syscalls
 * @tier:   KB_TIER_*
 * @action: KB_ACTION_*
 * @value:  KB_ACTION_STUB: the errno to fail with, positive (1..4095), or 0
 *          for ENOSYS; KB_ACTION_FAKE: the return value; otherwise 0
 *
 * Valid (tier, action) pairs: (KB_TIER_FULL, KB_ACTION_PASS),
 * (KB_TIER_STUBBED, KB_ACTION_STUB), (KB_TIER_STUBBED, KB_ACTION_FAKE).
 */
struct kb_rule_desc {
	__u32 nr;
	__u16 tier;
	__u16 action;
	__s64 value;
};

/**
 * struct kb_set_rules - KB_IOC_SET_RULES: change the session's policy
 * @size:      sizeof(struct kb_set_rules)
 * @flags:     must be 0
 * @count:     entries in @rules; 0 is a no-op
 * @rule_size: sizeof(struct kb_rule_desc) as known to the caller, so that
 *             entries can grow like every other struct: smaller than the
 *             first version is EINVAL, larger with a non-zero tail E2BIG
 * @rules:     in, user pointer to @count entries of @rule_size bytes
 *
 * All or nothing: every entry is checked before the new policy is
 * published in one step, so a concurrent KB_IOC_SYSCALL sees either the
 * old rule or the new one, and nothing changes on any error. When an
 * entry names a number twice, the last one wins.
 *
 * Any holder of the file may set rules, member of the session or not.
 *
 * EINVAL: bad @nr, tier, action or errno, or @rule_size too small.
 * EOPNOTSUPP: KB_TIER_PARTIAL (no partial rules exist yet).
 * E2BIG: @count > 4 * nr_syscalls, or an entry's tail is not zero.
 * EFAULT: @rules is not readable.
 */
struct kb_set_rules {
	__u32 size;
	__u32 flags;
	__u32 count;
	__u32 rule_size;
	__aligned_u64 rules;
};

enum {
	KB_CMD_GET_VERSION = 0x00,
	KB_CMD_SESSION_CREATE,
	KB_CMD_SESSION_JOIN,
	KB_CMD_SYSCALL,
	KB_CMD_SESSION_STATS,
	KB_CMD_SET_RULES,
};

/* Each returns 0 or -1 with errno set as documented above. */
#define KB_IOC_GET_VERSION \
	_IOWR(KB_IOC_MAGIC, KB_CMD_GET_VERSION, struct kb_version)
#define KB_IOC_SESSION_CREATE \
	_IOWR(KB_IOC_MAGIC, KB_CMD_SESSION_CREATE, struct kb_session_create)
#define KB_IOC_SESSION_JOIN \
	_IOWR(KB_IOC_MAGIC, KB_CMD_SESSION_JOIN, struct kb_session_join)
#define KB_IOC_SYSCALL \
	_IOWR(KB_IOC_MAGIC, KB_CMD_SYSCALL, struct kb_syscall)
#define KB_IOC_SESSION_STATS \
	_IOWR(KB_IOC_MAGIC, KB_CMD_SESSION_STATS, struct kb_session_stats)
#define KB_IOC_SET_RULES \
	_IOWR(KB_IOC_MAGIC, KB_CMD_SET_RULES, struct kb_set_rules)

#endif /* _UAPI_LINUX_KBRIDGE_H */
