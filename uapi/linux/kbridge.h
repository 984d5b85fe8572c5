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
 * EFAULT     the argument (or a pointer inside it) is not readable/writable;
 *            a command that changes something finds out before it acts
 *            that its struct cannot be written back, so then nothing has
 *            changed (KB_IOC_SYSCALL aside, whose call is counted)
 * EINVAL     size smaller than the first version of the struct, an unknown
 *            flag, or a non-zero __reserved field
 * E2BIG      size larger than the kernel's struct and the extra bytes are
 *            not all zero (the caller asks for something this module lacks)
 * ENOENT     the file has no session yet (KB_IOC_SESSION_CREATE first)
 * EPERM      the calling task is not a member of this file's session
 *            (commands that require membership only), or is one of a
 *            KB_SESSION_LOCKED session (commands that change it)
 * EOPNOTSUPP the request is well-formed but names something this module
 *            does not implement
 *
 * Commands are matched on their type (KB_IOC_MAGIC) and number only: the
 * size bits of the command word are ignored, the struct's own @size says
 * which version of the struct the caller passes: from the struct's
 * KB_*_SIZE_VER0 (the size of its first version, as CLONE_ARGS_SIZE_VER0)
 * up. The same holds for the entries of the arrays some commands pass
 * (their @rule_size, @info_size). _IOC_SIZE() of a KB_IOC_* command is the
 * size of its struct's current version.
 */

/* Feature bits reported by KB_IOC_GET_VERSION. */
#define KB_FEATURE_SESSIONS	(1ULL << 0) /* SESSION_CREATE / JOIN */
#define KB_FEATURE_SYSCALL	(1ULL << 1) /* KB_IOC_SYSCALL frames */
#define KB_FEATURE_FOLLOW_FORK	(1ULL << 2) /* children/threads join */
#define KB_FEATURE_STATS	(1ULL << 3) /* KB_IOC_SESSION_STATS */
#define KB_FEATURE_RULES	(1ULL << 4) /* KB_IOC_SET_RULES */
#define KB_FEATURE_PARTIAL	(1ULL << 5) /* KB_TIER_PARTIAL, KB_MATCH_* */
#define KB_FEATURE_GET_RULES	(1ULL << 6) /* KB_IOC_GET_RULES */
#define KB_FEATURE_FASTPATH	(1ULL << 7) /* KB_IOC_SET_FASTPATH */
#define KB_FEATURE_PERSONALITY	(1ULL << 8) /* KB_IOC_SET_PERSONALITY */
#define KB_FEATURE_SCOPE	(1ULL << 9) /* KB_IOC_SET_SCOPE */
#define KB_FEATURE_TRAP_ARGS	(1ULL << 10) /* kb_set_fastpath.fd_floor... */
#define KB_FEATURE_LOCK		(1ULL << 11) /* KB_SESSION_LOCKED, MEMBER_SCOPE */
#define KB_FEATURE_EXEC_RULES	(1ULL << 12) /* KB_IOC_EXEC_RULE_ADD, _DEL, _LIST */
/* KB_IOC_TASK_LIST, kb_session_create.name, KB_EXEC_RUNTIME rules */
#define KB_FEATURE_TASK_LIST	(1ULL << 13)
/* kb_session_stats.uring_ops: io_uring operations counted per opcode */
#define KB_FEATURE_URING_OPS	(1ULL << 14)
/* KB_SYSCALL_RUN: a passed call may be run inside KB_IOC_SYSCALL */
#define KB_FEATURE_SYSCALL_RUN	(1ULL << 15)
/* KB_SESSION_NO_RUNTIME: sessions decided in the kernel, execs native */
#define KB_FEATURE_NO_RUNTIME	(1ULL << 16)

/* kb_version.status bits: the state of the running module */
#define KB_STATUS_FASTPATH	(1U << 0) /* in-kernel decisions are armed */
/* which hook makes them (one of the two with KB_STATUS_FASTPATH) */
#define KB_STATUS_HOOK_DIRECT	(1U << 1) /* an ftrace direct call */
#define KB_STATUS_HOOK_KPROBE	(1U << 2) /* a kprobe */
/* KB_SYSCALL_RUN is honoured: the module can run passed calls */
#define KB_STATUS_SYSCALL_RUN	(1U << 3)

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
 * @status:      out, KB_STATUS_* bits
 * @__reserved:  must be 0
 */
struct kb_version {
	__u32 size;
	__u32 flags;
	__u32 api_version;
	__u32 nr_syscalls;
	__aligned_u64 features;
	char release[KB_VERSION_LEN];
	__u32 status;
	__u32 __reserved;
};
#define KB_VERSION_SIZE_VER0	56 /* sizeof the first version */

/**
 * DOC: who may do what
 *
 * Opening /dev/kbridge: the node is root's, mode 0600; the udev rule
 * kbridge installs gives it to group kbridge, mode 0660.
 *
 * An open file is the capability for its session: any holder may read its
 * statistics and rules and, unless the session is KB_SESSION_LOCKED and
 * the holder one of its members, change them. No command names a process:
 * a task joins only itself (KB_IOC_SESSION_JOIN), and tools reach another
 * program's session through its file with pidfd_getfd(2), which asks for
 * the right to ptrace it.
 *
 * Joining needs no_new_privs (prctl(PR_SET_NO_NEW_PRIVS)) or CAP_SYS_ADMIN
 * in the caller's user namespace: a member's exec of a set-user-ID or
 * file-capability program then gains nothing, so such a program never
 * runs under a policy its caller chose without the privilege it would get.
 *
 * Members cannot leave: a member stays one until it exits, and a session
 * whose file is closed lives on until its last member has exited (and
 * holds the module that long).
 */

/* kb_session_create.flags */
#define KB_SESSION_LOCKED	(1U << 0) /* members may not change it */
#define KB_SESSION_MEMBER_SCOPE	(1U << 1) /* ...but may set their scope */
#define KB_SESSION_NO_RUNTIME	(1U << 2) /* no runtime: module dispatches */

/**
 * struct kb_session_create - KB_IOC_SESSION_CREATE: give this file a session
 * @size:       sizeof(struct kb_session_create)
 * @flags:      KB_SESSION_* (KB_FEATURE_LOCK), or 0
 * @session_id: out, identifier unique for the lifetime of the module
 * @name:       in, what KB_IOC_TASK_LIST calls the session (the profile's
 *              name): printable ASCII but space, NUL-terminated; "" for
 *              none (KB_FEATURE_TASK_LIST; a struct without it: none)
 *
 * One session per open file; it lives until the last reference to the
 * file is closed and its last member has exited. All its policy starts as
 * tier 1 (pass). With KB_SESSION_LOCKED, KB_IOC_SET_RULES, SET_FASTPATH
 * and SET_PERSONALITY fail with EPERM when the caller is a member of the
 * session, and so does KB_IOC_SET_SCOPE out of scope unless
 * KB_SESSION_MEMBER_SCOPE is set too: a program cannot loosen the policy
 * it runs under. EEXIST: the file already has a session. EINVAL:
 * KB_SESSION_MEMBER_SCOPE without KB_SESSION_LOCKED.
 *
 * KB_SESSION_NO_RUNTIME (KB_FEATURE_NO_RUNTIME): the members have no
 * runtime in their process. The module turns Syscall User Dispatch on
 * for a member, with no allowed range, at its first exec after joining
 * and again after every exec (its children and threads from then on
 * get it at fork), and decides every syscall in the kernel; execs are
 * the kernel's own. Its policy may hold only what the kernel decides
 * (KB_IOC_SET_RULES: EOPNOTSUPP for a path condition), and it takes no
 * KB_IOC_SET_FASTPATH or KB_IOC_SET_PERSONALITY (EINVAL, EOPNOTSUPP).
 * EOPNOTSUPP: the in-kernel decisions are not armed (KB_STATUS_FASTPATH).
 */
/* Longest name of a session or of an exec rule, NUL excluded. */
#define KB_EXEC_NAME_MAX	31

struct kb_session_create {
	__u32 size;
	__u32 flags;
	__aligned_u64 session_id;
	char name[KB_EXEC_NAME_MAX + 1];
};
#define KB_SESSION_CREATE_SIZE_VER0	16 /* sizeof the first version */

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
 * no-op, which a member may make whatever privileges it has dropped
 * since. EBUSY: the caller is a member of another session. EACCES: the
 * caller, no member yet, has neither no_new_privs nor CAP_SYS_ADMIN (see
 * "who may do what"). ENOMEM: threads that had joined when memory ran out (the
 * process was creating threads meanwhile) stay members, since members
 * never leave; calling again joins the rest.
 */
struct kb_session_join {
	__u32 size;
	__u32 flags;
	__u32 members;
	__u32 __reserved;
};
#define KB_SESSION_JOIN_SIZE_VER0	16 /* sizeof the first version */

/* kb_syscall.verdict: what the runtime must do with the trapped syscall */
#define KB_VERDICT_EXECUTE	0 /* run it, with args[] as returned */
#define KB_VERDICT_RESULT	1 /* do not run it; result is the return */
#define KB_VERDICT_RAN		2 /* the module ran it (KB_SYSCALL_RUN): result */

/* kb_syscall.flags */
#define KB_SYSCALL_RUN		(1U << 0) /* run a passed call here if safe */

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
 * @flags:   KB_SYSCALL_RUN (KB_FEATURE_SYSCALL_RUN), or 0
 * @nr:      in, syscall number (x86_64 numbering)
 * @verdict: out, KB_VERDICT_*
 * @args:    in, the six argument registers; out, the arguments to run the
 *           syscall with when the verdict is KB_VERDICT_EXECUTE
 * @result:  out, the return value (a -errno for failures) when the verdict
 *           is KB_VERDICT_RESULT or KB_VERDICT_RAN
 * @tier:    out, KB_TIER_* that decided
 * @action:  out, KB_ACTION_*
 * @__reserved: must be 0
 *
 * Only members of the file's session may call it (EPERM otherwise). Every
 * call is counted in the session's statistics, numbers outside
 * [0, nr_syscalls) included.
 *
 * With KB_SYSCALL_RUN, a call the policy passes is run by the module in
 * the caller's context when that is the same as the caller issuing it
 * (README.md lists the calls and conditions): the verdict is then
 * KB_VERDICT_RAN and @result its return value, one syscall instead of
 * two; else KB_VERDICT_EXECUTE as without the flag. A call a signal
 * interrupts makes the ioctl return what the call would have returned
 * to the signal code (-ERESTARTSYS...): the kernel restarts the ioctl
 * where it would have restarted the call, or the ioctl fails with EINTR
 * and the struct says KB_VERDICT_RAN with @result -EINTR, what the call
 * returns to the program.
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
#define KB_SYSCALL_SIZE_VER0	80 /* sizeof the first version */

/**
 * struct kb_session_stats - KB_IOC_SESSION_STATS: counters of the session
 * @size:      sizeof(struct kb_session_stats)
 * @flags:     must be 0
 * @total:     out, syscalls of members decided in the session, through
 *             KB_IOC_SYSCALL or in-kernel (@fastpath)
 * @nr_counts: in, entries the caller's @counts array holds; out, entries
 *             the module has (nr_syscalls), whatever was copied
 * @members:   out, live member tasks
 * @counts:    in, user pointer to __u64[nr_counts] filled with the number
 *             of calls per syscall number, or 0 to skip
 * @out_of_range: out, calls whose number was >= nr_syscalls
 * @joined:    out, tasks that have ever been members
 * @fastpath:  out, of @total, the syscalls decided in the kernel without a
 *             SIGSYS (see KB_IOC_SET_FASTPATH)
 * @state:     out, KB_SESSION_* bits
 * @__reserved: must be 0
 * @last_changed: out, 1 + the number of the latest call the session's
 *             policy stubbed or faked, on either path; 0 when none was
 * @nr_uring_ops: in, entries the caller's @uring_ops array holds; out,
 *             KB_URING_OPS (KB_FEATURE_URING_OPS)
 * @uring_armed: out, 1 when this kernel's io_uring submissions are being
 *             counted, 0 when the module found no hook for them
 * @uring_ops: in, user pointer to __u64[nr_uring_ops] filled with the
 *             io_uring operations the members submitted (no syscall per
 *             operation), per opcode (IORING_OP_*; the last entry also
 *             counts every opcode >= KB_URING_OPS - 1), or 0 to skip
 *
 * Any holder of the file may read it, member of the session or not.
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
	__aligned_u64 fastpath;
	__u32 state;
	__u32 __reserved;
	__aligned_u64 last_changed;
	__u32 nr_uring_ops;
	__u32 uring_armed;
	__aligned_u64 uring_ops;
};
#define KB_SESSION_STATS_SIZE_VER0	48 /* sizeof the first version */

/* Entries of kb_session_stats.uring_ops the module counts. */
#define KB_URING_OPS		64

/* kb_session_stats.state bits */
#define KB_SESSION_FASTPATH	(1U << 0) /* enabled and the hook is armed */

/* kb_rule_desc.match: which calls of the syscall an entry applies to */
#define KB_MATCH_NONE		0 /* all: the syscall's rule (see below) */
#define KB_MATCH_EQ		1 /* (args[arg] & mask) == operand */
#define KB_MATCH_ANY_BIT	2 /* (args[arg] & mask) != 0 */
#define KB_MATCH_PATH		3 /* the string at args[arg] matches glob */

/* Longest glob of a KB_MATCH_PATH entry, NUL excluded. */
#define KB_PATH_MAX		4095

/**
 * struct kb_rule_desc - one entry of KB_IOC_SET_RULES and KB_IOC_GET_RULES
 * @nr:       syscall number, < nr_syscalls
 * @tier:     KB_TIER_*
 * @action:   KB_ACTION_*
 * @value:    KB_ACTION_STUB: the errno to fail with, positive (1..4095), or
 *            0 for ENOSYS; KB_ACTION_FAKE: the return value; otherwise 0
 * @match:    KB_MATCH_*; the first version of this struct ends before it,
 *            and a caller that stops there means KB_MATCH_NONE
 * @arg:      argument (0..5) the condition reads
 * @path_len: KB_MATCH_PATH: bytes of the glob at @path, NUL excluded,
 *            1..KB_PATH_MAX; otherwise 0
 * @mask:     KB_MATCH_EQ, KB_MATCH_ANY_BIT: bits of the argument compared
 *            (0xffffffff for an int argument); otherwise 0
 * @operand:  KB_MATCH_EQ: the value, with no bit outside @mask; otherwise 0
 * @path:     KB_MATCH_PATH: user pointer to the glob; otherwise 0
 *
 * A syscall's rule is one KB_MATCH_NONE entry and, when its tier is
 * KB_TIER_PARTIAL, the conditions that follow it: entries of the same @nr
 * with @match != KB_MATCH_NONE and @tier KB_TIER_PARTIAL (entries of other
 * numbers may come between). A call is decided by the first condition it
 * matches, in order, and by the KB_MATCH_NONE entry's action when it
 * matches none (a partial rule may have no condition at all). Its tier is
 * the rule's. Valid (tier, action) pairs: (KB_TIER_FULL, KB_ACTION_PASS),
 * (KB_TIER_STUBBED, KB_ACTION_STUB), (KB_TIER_STUBBED, KB_ACTION_FAKE),
 * and KB_TIER_PARTIAL with any action.
 *
 * Globs are the kernel's glob_match(): '*' (which also matches '/'), '?',
 * '[a-z]' and '[!a-z]', '\\' escaping the next character, case-sensitive,
 * against the whole string the program passed, unresolved (kbridge's own
 * implementation, core/glob.c, shared with libkbridge). A string
 * that cannot be read, or longer than KB_PATH_MAX, matches no glob.
 *
 * Conditions on registers are decided in the kernel at syscall entry;
 * a KB_MATCH_PATH condition needs the program's memory and is decided in
 * KB_IOC_SYSCALL (a call reaches it only if no earlier condition took it).
 */
struct kb_rule_desc {
	__u32 nr;
	__u16 tier;
	__u16 action;
	__s64 value;
	__u16 match;
	__u16 arg;
	__u32 path_len;
	__aligned_u64 mask;
	__aligned_u64 operand;
	__aligned_u64 path;
};
#define KB_RULE_DESC_SIZE_VER0	16 /* sizeof the first version */

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
 * Each KB_MATCH_NONE entry replaces the whole rule of its syscall
 * (conditions included, and the rule's KB_IOC_GET_RULES hit counts start
 * again from 0); syscalls no entry names keep their rule. When a number
 * has several KB_MATCH_NONE entries, the last one and its conditions win.
 *
 * All or nothing: every entry is checked before the new policy is
 * published in one step, so a concurrent syscall is decided by either the
 * old rule or the new one, and nothing changes on any error.
 *
 * Any holder of the file may set rules, member of the session or not.
 *
 * EINVAL: bad @nr, tier, action, errno, match, arg, mask or path_len, a
 *         condition that does not follow a KB_TIER_PARTIAL entry of its
 *         syscall, or @rule_size too small.
 * E2BIG: @count > 4 * nr_syscalls, the globs add up to more than 256 KiB,
 *        or an entry's tail is not zero.
 * EFAULT: @rules or a @path is not readable.
 */
struct kb_set_rules {
	__u32 size;
	__u32 flags;
	__u32 count;
	__u32 rule_size;
	__aligned_u64 rules;
};
#define KB_SET_RULES_SIZE_VER0	24 /* sizeof the first version */

/**
 * struct kb_get_rules - KB_IOC_GET_RULES: read the session's policy back
 * @size:         sizeof(struct kb_get_rules)
 * @flags:        must be 0
 * @count:        in, entries @rules and @hits can hold; out, entries the
 *                policy has
 * @rule_size:    sizeof(struct kb_rule_desc) as known to the caller
 * @rules:        out, user pointer to @count entries in the order
 *                KB_IOC_SET_RULES takes them, for every syscall
 *                KB_IOC_SET_RULES gave a rule (an explicit tier 1 pass
 *                included); @path points into @strings
 * @hits:         out, user pointer to __u64[@count], or 0: how many calls
 *                each entry decided since its rule was set
 * @strings:      out, user pointer to @strings_size bytes for the globs of
 *                KB_MATCH_PATH entries, each NUL-terminated
 * @strings_size: in, bytes at @strings; out, bytes needed
 * @__reserved:   must be 0
 *
 * One consistent snapshot. With @count and @strings_size 0 it only reports
 * the sizes needed and returns 0 (@rule_size may then be 0). Entries are
 * written in the caller's @rule_size, cut or zero-filled. A stub's @value reads back
 * as the errno it answers (ENOSYS for 0). Any holder of the file may read
 * it. EINVAL: @rule_size smaller than the first version of the struct.
 * ENOSPC: @count or @strings_size is too small; both are set to what is
 * needed and nothing else is written.
 */
struct kb_get_rules {
	__u32 size;
	__u32 flags;
	__u32 count;
	__u32 rule_size;
	__aligned_u64 rules;
	__aligned_u64 hits;
	__aligned_u64 strings;
	__u32 strings_size;
	__u32 __reserved;
};
#define KB_GET_RULES_SIZE_VER0	48 /* sizeof the first version */

/**
 * struct kb_set_fastpath - KB_IOC_SET_FASTPATH: decide in the kernel
 * @size:     sizeof(struct kb_set_fastpath)
 * @flags:    must be 0
 * @enable:   in, 1: decide members' syscalls at syscall entry when the
 *            rule allows, 0: every trapped syscall raises SIGSYS
 * @armed:    out, 1 if the module's in-kernel hook is armed; with 0 the
 *            session keeps working through SIGSYS and KB_IOC_SYSCALL
 * @nr_bits:  in, bits in @trap: nr_syscalls (or 0 when @trap is 0)
 * @__reserved: must be 0
 * @trap:     in, user pointer to a bitmap (unsigned long words, bit n of
 *            word n / BITS_PER_LONG) of the syscalls the runtime must see
 *            itself when its rule passes them (signals, fork, exec): those
 *            still raise SIGSYS unless stubbed or faked; 0 for none.
 *            Replaces the previous set.
 * @fd_floor: in, 0, or the lowest of the runtime's own fds: then close,
 *            dup2 and dup3 in @trap raise SIGSYS only when their fd
 *            (close's, the new one of dup2 and dup3) is at least this,
 *            fcntl only for F_DUPFD and F_DUPFD_CLOEXEC when the lowest
 *            free fd from their argument is at least this, getdents and
 *            getdents64 only on a directory of procfs, and fstat,
 *            newfstatat, statx and every other fcntl only when their fd
 *            is in [@fd_floor, @fd_floor + KB_FD_FLOOR_SPAN), where the
 *            runtime keeps its fds (KB_FEATURE_TRAP_ARGS; a struct
 *            without it leaves it 0)
 * @path_prefix_len: in, 0 to KB_PATH_PREFIX_MAX; when non-zero, open,
 *            openat, openat2, readlink and readlinkat in @trap raise
 *            SIGSYS only when their path starts with the first
 *            @path_prefix_len bytes of @path_prefix, or cannot be read
 *            at syscall entry (KB_FEATURE_TRAP_ARGS)
 * @path_prefix: in, see @path_prefix_len
 *
 * When enabled, a member's syscall made outside the runtime's allowed
 * range is decided at syscall entry, with no signal, whenever its rule
 * needs only the syscall number and registers; the others (KB_MATCH_PATH
 * conditions, @trap) raise SIGSYS as before. Counts and rule hits are
 * the same on both paths. Needs the file's session; any holder may call.
 */
#define KB_PATH_PREFIX_MAX	16
/*
 * The fd numbers from kb_set_fastpath.fd_floor where the runtime keeps its
 * fds, also when it moves them out of the program's way.
 */
#define KB_FD_FLOOR_SPAN	64

struct kb_set_fastpath {
	__u32 size;
	__u32 flags;
	__u32 enable;
	__u32 armed;
	__u32 nr_bits;
	__u32 __reserved;
	__aligned_u64 trap;
	__u32 fd_floor;
	__u32 path_prefix_len;
	__u8 path_prefix[KB_PATH_PREFIX_MAX];
};
#define KB_SET_FASTPATH_SIZE_VER0	32 /* sizeof the first version */

/* Longest personality name, NUL excluded: [a-z0-9_-]{1,31}. */
#define KB_PERSONALITY_NAME_MAX	31

/**
 * struct kb_set_personality - KB_IOC_SET_PERSONALITY: name the session's
 * personality, a module that registered with kb_init_dynamic()
 * @size:     sizeof(struct kb_set_personality)
 * @flags:    must be 0
 * @name:     in, the personality's name, NUL-terminated; "" for none
 * @handlers: out, syscalls it implements now (0: not loaded at present)
 * @__reserved: must be 0
 *
 * Where the session's policy passes a syscall (tier 1, or a tier 2
 * condition that passes it) and the personality implements it, the
 * personality's handler decides the call instead of Linux running it;
 * such calls always go through SIGSYS and KB_IOC_SYSCALL. The name is
 * kept while the module comes and goes: while it is not loaded, those
 * syscalls run natively. EINVAL: a bad name. Needs the file's session;
 * any holder may call.
 */
struct kb_set_personality {
	__u32 size;
	__u32 flags;
	char name[KB_PERSONALITY_NAME_MAX + 1];
	__u32 handlers;
	__u32 __reserved;
};
#define KB_SET_PERSONALITY_SIZE_VER0	48 /* sizeof the first version */

/**
 * struct kb_set_scope - KB_IOC_SET_SCOPE: whether the calling process is
 * under the session's policy
 * @size:     sizeof(struct kb_set_scope)
 * @flags:    must be 0
 * @in_scope: in, 1: the calling process's syscalls are decided by the
 *            policy and counted (every member starts so); 0: they run
 *            natively and are not counted, as for a process outside the
 *            session, though the process stays a member (the runtime
 *            still sees the syscalls of the fast path's trap set)
 * @__reserved: must be 0
 *
 * For analyses that put only some programs of a workload under test
 * (kblaunch --only): the runtime sets it for each program it starts or
 * execs. Applies to every thread of the caller; threads and children
 * created later inherit it. EPERM: the caller is not a member, or
 * asks for 0 in a KB_SESSION_LOCKED session without KB_SESSION_MEMBER_SCOPE.
 */
struct kb_set_scope {
	__u32 size;
	__u32 flags;
	__u32 in_scope;
	__u32 __reserved;
};
#define KB_SET_SCOPE_SIZE_VER0	16 /* sizeof the first version */

/* kb_exec_rule_add.match: what an exec'd program must be to match */
#define KB_EXEC_MATCH_PATH	1 /* its file's path matches @pattern */
#define KB_EXEC_MATCH_OSABI	2 /* its ELF header's EI_OSABI is @osabi */
/* KB_EXEC_MATCH_NOTE: it has an ELF note named @pattern, described @name */
#define KB_EXEC_MATCH_NOTE	3

/* kb_exec_rule_add.flags */
#define KB_EXEC_GLOBAL		(1U << 0) /* every namespace; else the caller's */
#define KB_EXEC_INHERIT		(1U << 1) /* kept across non-matching execs */
/* the program runs through @runtime's command (KB_FEATURE_TASK_LIST) */
#define KB_EXEC_RUNTIME		(1U << 2)

/* Bytes of a KB_EXEC_RUNTIME rule's command, its last NUL included. */
#define KB_EXEC_RUNTIME_MAX	1024

/**
 * struct kb_exec_rule_add - KB_IOC_EXEC_RULE_ADD: a personality by exec
 * @size:      sizeof(struct kb_exec_rule_add)
 * @flags:     KB_EXEC_*
 * @match:     KB_EXEC_MATCH_*
 * @osabi:     KB_EXEC_MATCH_OSABI: the value (0..255); otherwise 0
 * @pattern:   KB_EXEC_MATCH_PATH: user pointer to a glob (as in
 *             KB_MATCH_PATH rules) against the absolute path of the ELF
 *             file that runs and, when the exec named a file run through
 *             an interpreter ("#!" script, binfmt_misc), against that
 *             file's (KB_FEATURE_TASK_LIST); KB_EXEC_MATCH_NOTE:
 *             to the note's name (e.g. "kbridge.personality"), looked
 *             for in the file's SHT_NOTE sections (objcopy --add-section
 *             .note.kbridge.personality=FILE makes one); otherwise 0
 * @pattern_len: bytes at @pattern, NUL excluded, 1..KB_PATH_MAX (a note's
 *             name: 1..KB_EXEC_NAME_MAX)
 * @count:     entries at @rules: the personality's policy, as for
 *             KB_IOC_SET_RULES, every entry decidable in the kernel (no
 *             KB_MATCH_PATH: there is no runtime to decide it); 0: every
 *             syscall passes (a passthrough profile), counted
 * @rule_size: sizeof(struct kb_rule_desc) as known to the caller
 * @rules:     user pointer to the entries
 * @name:      in, the personality's name ([a-z0-9_-]{1,31}), for kbctl
 * @id:        out, the rule's identifier (KB_IOC_EXEC_RULE_DEL)
 * @runtime:   KB_EXEC_RUNTIME: user pointer to a command, its arguments
 *             each ended by a NUL, the first an absolute path (e.g.
 *             "/usr/bin/kblaunch\0--profile\0/etc/x.profile\0--\0");
 *             otherwise 0
 * @runtime_len: bytes at @runtime, 2..KB_EXEC_RUNTIME_MAX, at most 64
 *             arguments
 * @__reserved2: must be 0
 *
 * From now on, every exec of a matching program (by a task of the
 * caller's user namespace, or of any with KB_EXEC_GLOBAL) puts the new
 * program under the policy before its first instruction, decided in the
 * kernel through Syscall User Dispatch with no runtime in the process:
 * its threads and children follow it. An exec of a program that matches
 * no rule ends it unless the rule was KB_EXEC_INHERIT. Rules are tried in
 * the order they were added. A task that is a member of a session of
 * /dev/kbridge (kblaunch) is left to it.
 *
 * With KB_EXEC_RUNTIME the rule has no policy (@count 0) but says how to
 * inject the runtime the profile needs: the exec of a matching file runs
 * @runtime's command instead, as binfmt_misc runs an interpreter, with
 * the file's path and the exec's arguments but the first appended
 * (kblaunch then puts the program under its profile, runtime included).
 * Such a rule matches the file the exec names (for a "#!" script, the
 * script), before any in-kernel rule. The command's own exec matches no
 * in-kernel rule, and the execs the command makes are not redirected (it
 * may exec the program); members of kblaunch's sessions and of
 * KB_EXEC_INHERIT ones are left to them.
 *
 * EPERM: KB_EXEC_GLOBAL without CAP_SYS_ADMIN, or no CAP_SYS_ADMIN in the
 * caller's user namespace. EINVAL: a bad match, name, pattern, rule or
 * command. ENOENT, ENOTDIR, EACCES, ELOOP, ENAMETOOLONG: the command's
 * path cannot be looked up, or is not a regular file (EACCES). EOPNOTSUPP: a rule needs a runtime
 * (KB_MATCH_PATH conditions) and has no KB_EXEC_RUNTIME.
 */
struct kb_exec_rule_add {
	__u32 size;
	__u32 flags;
	__u32 match;
	__u32 osabi;
	__aligned_u64 pattern;
	__u32 pattern_len;
	__u32 count;
	__aligned_u64 rules;
	__u32 rule_size;
	__u32 __reserved;
	char name[KB_EXEC_NAME_MAX + 1];
	__aligned_u64 id;
	__aligned_u64 runtime;
	__u32 runtime_len;
	__u32 __reserved2;
};
#define KB_EXEC_RULE_ADD_SIZE_VER0	88 /* sizeof the first version */

/**
 * struct kb_exec_rule_del - KB_IOC_EXEC_RULE_DEL: remove an exec rule
 * @size:  sizeof(struct kb_exec_rule_del)
 * @flags: must be 0
 * @id:    the rule's identifier
 *
 * Only new execs are affected: programs already under the rule keep its
 * policy until they exit. ENOENT: no such rule. EPERM: as for adding it.
 */
struct kb_exec_rule_del {
	__u32 size;
	__u32 flags;
	__aligned_u64 id;
};
#define KB_EXEC_RULE_DEL_SIZE_VER0	16 /* sizeof the first version */

/* Bytes of a rule's pattern KB_IOC_EXEC_RULE_LIST shows, NUL included. */
#define KB_EXEC_PATTERN_SHOW	256

/**
 * struct kb_exec_rule_info - one entry of KB_IOC_EXEC_RULE_LIST
 * @id:          the rule's identifier
 * @match:       KB_EXEC_MATCH_*
 * @osabi:       KB_EXEC_MATCH_OSABI's value
 * @flags:       KB_EXEC_* it was added with
 * @members:     tasks under it now, those of a deleted rule aside
 * @pattern_len: bytes of its whole pattern, NUL excluded
 * @__pad:       0
 * @name:        its personality's name
 * @pattern:     KB_EXEC_MATCH_PATH's glob, NUL-terminated, cut to fit
 * @calls:       syscalls of its programs decided so far
 * @session:     the id of the session its programs join, 0 for a
 *               KB_EXEC_RUNTIME rule (KB_FEATURE_TASK_LIST, as the rest)
 * @execs:       execs it has matched
 * @runtime_len: bytes of its whole KB_EXEC_RUNTIME command, else 0
 * @__pad2:      0
 * @runtime:     the command, arguments NUL-separated, cut to fit
 */
struct kb_exec_rule_info {
	__aligned_u64 id;
	__u32 match;
	__u32 osabi;
	__u32 flags;
	__u32 members;
	__u32 pattern_len;
	__u32 __pad;
	char name[KB_EXEC_NAME_MAX + 1];
	char pattern[KB_EXEC_PATTERN_SHOW];
	__aligned_u64 calls;
	__aligned_u64 session;
	__aligned_u64 execs;
	__u32 runtime_len;
	__u32 __pad2;
	char runtime[KB_EXEC_PATTERN_SHOW];
};
#define KB_EXEC_RULE_INFO_SIZE_VER0	328 /* sizeof the first version */

/**
 * struct kb_exec_rule_list - KB_IOC_EXEC_RULE_LIST: the rules in force
 * @size:      sizeof(struct kb_exec_rule_list)
 * @flags:     must be 0
 * @count:     in, entries @rules holds; out, rules there are
 * @info_size: sizeof(struct kb_exec_rule_info) as known to the caller
 * @rules:     user pointer to @count entries, in the order rules apply
 *
 * The rules the caller's execs see: global ones and those of its user
 * namespace. ENOSPC: @count too small (set to what is needed, nothing
 * written). EINVAL: @info_size smaller than this struct's first version.
 */
struct kb_exec_rule_list {
	__u32 size;
	__u32 flags;
	__u32 count;
	__u32 info_size;
	__aligned_u64 rules;
};
#define KB_EXEC_RULE_LIST_SIZE_VER0	24 /* sizeof the first version */

/* kb_task_info.flags */
#define KB_TASK_EXEC		(1U << 0) /* in an exec rule's session */
#define KB_TASK_OUT_OF_SCOPE	(1U << 1) /* KB_IOC_SET_SCOPE 0 */
/* its session's file is closed, or the process that created it exited */
#define KB_TASK_CLOSED		(1U << 2)

/**
 * struct kb_task_info - one entry of KB_IOC_TASK_LIST
 * @pid:     the task's thread id in the caller's pid namespace
 * @tgid:    its process id there
 * @session: the id of its session
 * @rule:    the exec rule whose session it is; 0: a file's (kblaunch)
 * @flags:   KB_TASK_*
 * @uid:     its effective uid in the caller's user namespace (overflow
 *           uid when unmapped)
 * @name:    the session's name: the exec rule's, else that given to
 *           KB_IOC_SESSION_CREATE, else that of its personality, or ""
 * @comm:    the task's command name
 */
struct kb_task_info {
	__u32 pid;
	__u32 tgid;
	__aligned_u64 session;
	__aligned_u64 rule;
	__u32 flags;
	__u32 uid;
	char name[KB_EXEC_NAME_MAX + 1];
	char comm[16];
};
#define KB_TASK_INFO_SIZE_VER0	80 /* sizeof the first version */

/**
 * struct kb_task_list - KB_IOC_TASK_LIST: the tasks under kbridge
 * @size:      sizeof(struct kb_task_list)
 * @flags:     must be 0
 * @count:     in, entries @tasks holds; out, tasks there are
 * @info_size: sizeof(struct kb_task_info) as known to the caller
 * @tasks:     user pointer to @count entries, by session, then as joined
 *
 * Every member task of every session that the caller's pid namespace
 * can see, as /proc shows every process's seccomp mode. The list is a
 * snapshot: tasks come and go. ENOSPC: @count too small (set to what is
 * needed now, nothing written). EINVAL: @info_size smaller than this
 * struct's first version. EAGAIN: tasks kept joining faster than the
 * list could be taken; call again.
 */
struct kb_task_list {
	__u32 size;
	__u32 flags;
	__u32 count;
	__u32 info_size;
	__aligned_u64 tasks;
};
#define KB_TASK_LIST_SIZE_VER0	24 /* sizeof the first version */

enum {
	KB_CMD_GET_VERSION = 0x00,
	KB_CMD_SESSION_CREATE,
	KB_CMD_SESSION_JOIN,
	KB_CMD_SYSCALL,
	KB_CMD_SESSION_STATS,
	KB_CMD_SET_RULES,
	KB_CMD_GET_RULES,
	KB_CMD_SET_FASTPATH,
	KB_CMD_SET_PERSONALITY,
	KB_CMD_SET_SCOPE,
	KB_CMD_EXEC_RULE_ADD,
	KB_CMD_EXEC_RULE_DEL,
	KB_CMD_EXEC_RULE_LIST,
	KB_CMD_TASK_LIST,
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
#define KB_IOC_GET_RULES \
	_IOWR(KB_IOC_MAGIC, KB_CMD_GET_RULES, struct kb_get_rules)
#define KB_IOC_SET_FASTPATH \
	_IOWR(KB_IOC_MAGIC, KB_CMD_SET_FASTPATH, struct kb_set_fastpath)
#define KB_IOC_SET_PERSONALITY \
	_IOWR(KB_IOC_MAGIC, KB_CMD_SET_PERSONALITY, struct kb_set_personality)
#define KB_IOC_SET_SCOPE \
	_IOWR(KB_IOC_MAGIC, KB_CMD_SET_SCOPE, struct kb_set_scope)
#define KB_IOC_EXEC_RULE_ADD \
	_IOWR(KB_IOC_MAGIC, KB_CMD_EXEC_RULE_ADD, struct kb_exec_rule_add)
#define KB_IOC_EXEC_RULE_DEL \
	_IOWR(KB_IOC_MAGIC, KB_CMD_EXEC_RULE_DEL, struct kb_exec_rule_del)
#define KB_IOC_EXEC_RULE_LIST \
	_IOWR(KB_IOC_MAGIC, KB_CMD_EXEC_RULE_LIST, struct kb_exec_rule_list)
#define KB_IOC_TASK_LIST \
	_IOWR(KB_IOC_MAGIC, KB_CMD_TASK_LIST, struct kb_task_list)

#endif /* _UAPI_LINUX_KBRIDGE_H */
