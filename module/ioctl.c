// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: the ioctl dispatch table.
 *
 * Every argument starts with __u32 size and __u32 flags. The caller's
 * size says which version of the struct it passes: shorter than the first
 * version is -EINVAL, longer than this module's struct with a non-zero
 * tail is -E2BIG (copy_struct_from_user()), longer with a zero tail is
 * accepted. Unknown flags and non-zero __reserved fields are -EINVAL.
 * Handlers only ever see a checked kernel copy; on success, and on ENOSPC
 * (which reports the room needed), the first min(caller's size, module's
 * size) bytes are copied back.
 *
 * Commands are matched on type and number only: the size bits of the
 * command word carry no meaning, the struct's own size does.
 */
#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/pagemap.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "internal.h"

union kb_ioctl_buffer {
	struct {
		u32 size;
		u32 flags;
	} hdr;
	struct kb_version version;
	struct kb_session_create session_create;
	struct kb_session_join session_join;
	struct kb_syscall syscall;
	struct kb_session_stats session_stats;
	struct kb_set_rules set_rules;
	struct kb_get_rules get_rules;
	struct kb_set_fastpath set_fastpath;
	struct kb_set_personality set_personality;
	struct kb_set_scope set_scope;
	struct kb_exec_rule_add exec_rule_add;
	struct kb_exec_rule_del exec_rule_del;
	struct kb_exec_rule_list exec_rule_list;
	struct kb_task_list task_list;
};

struct kb_ioctl_op {
	int (*execute)(struct file *file, void *arg);
	u32 size;	/* sizeof() the struct this module knows */
	u32 min_size;	/* its first version's (uapi KB_*_SIZE_VER0) */
	u32 reserved;	/* offset of a __u32 __reserved, 0 if none */
	u32 flags;	/* the flags it takes */
};

/* The struct's sizes come from the uapi: _IOC_SIZE() and its VER0. */
#define __IOCTL_OP(_ioc, _fn, _ver0, _rsv_off, _flags)			\
	[_IOC_NR(_ioc)] = {						\
		.execute = _fn,						\
		.flags = _flags,					\
		.size = _IOC_SIZE(_ioc) +				\
			BUILD_BUG_ON_ZERO(sizeof(union kb_ioctl_buffer) < \
					  _IOC_SIZE(_ioc)) +		\
			BUILD_BUG_ON_ZERO(_ver0 > _IOC_SIZE(_ioc)),	\
		.min_size = _ver0,					\
		.reserved = _rsv_off,					\
	}
#define IOCTL_OP(_ioc, _fn, _ver0)					\
	__IOCTL_OP(_ioc, _fn, _ver0, 0, 0)
/* ... whose struct _struct has a __u32 __reserved that must be 0 */
#define IOCTL_OP_RSV(_ioc, _fn, _ver0, _struct)			\
	__IOCTL_OP(_ioc, _fn, _ver0, offsetof(struct _struct, __reserved) + \
		   BUILD_BUG_ON_ZERO(offsetof(struct _struct, flags) != 4), 0)

/*
 * Commands that change something. Their answer must be deliverable before
 * the change is made: an EFAULT from the copy back would otherwise leave
 * it made and unreported (a session the caller cannot know it has, an
 * exec rule whose id it never learns). KB_IOC_SYSCALL is not among them:
 * it only counts, and it is the SIGSYS path's every call, unless it may
 * run the call (KB_SYSCALL_RUN).
 */
static const bool kb_ioctl_changes[] = {
	[KB_CMD_SESSION_CREATE] = true,
	[KB_CMD_SESSION_JOIN] = true,
	[KB_CMD_SET_RULES] = true,
	[KB_CMD_SET_FASTPATH] = true,
	[KB_CMD_SET_PERSONALITY] = true,
	[KB_CMD_SET_SCOPE] = true,
	[KB_CMD_EXEC_RULE_ADD] = true,
	[KB_CMD_EXEC_RULE_DEL] = true,
};

static int kb_ioctl_get_version(struct file *file, void *arg)
{
	struct kb_version *v = arg;

	v->api_version = KB_API_VERSION;
	v->nr_syscalls = KB_NR_SYSCALLS;
	v->features = KB_FEATURES;
	strscpy(v->release, KB_RELEASE, sizeof(v->release));
	v->status = kb_fastpath_status() |
		    (kb_syscall_run_armed() ? KB_STATUS_SYSCALL_RUN : 0);
	return 0;
}

static const struct kb_ioctl_op kb_ioctl_ops[] = {
	IOCTL_OP_RSV(KB_IOC_GET_VERSION, kb_ioctl_get_version,
		     KB_VERSION_SIZE_VER0, kb_version),
	__IOCTL_OP(KB_IOC_SESSION_CREATE, kb_ioctl_session_create,
		   KB_SESSION_CREATE_SIZE_VER0, 0,
		   KB_SESSION_LOCKED | KB_SESSION_MEMBER_SCOPE |
		   KB_SESSION_NO_RUNTIME),
	IOCTL_OP_RSV(KB_IOC_SESSION_JOIN, kb_ioctl_session_join,
		     KB_SESSION_JOIN_SIZE_VER0, kb_session_join),
	__IOCTL_OP(KB_IOC_SYSCALL, kb_ioctl_syscall, KB_SYSCALL_SIZE_VER0,
		   offsetof(struct kb_syscall, __reserved), KB_SYSCALL_RUN),
	IOCTL_OP_RSV(KB_IOC_SESSION_STATS, kb_ioctl_session_stats,
		     KB_SESSION_STATS_SIZE_VER0, kb_session_stats),
	IOCTL_OP(KB_IOC_SET_RULES, kb_ioctl_set_rules, KB_SET_RULES_SIZE_VER0),
	IOCTL_OP_RSV(KB_IOC_GET_RULES, kb_ioctl_get_rules,
		     KB_GET_RULES_SIZE_VER0, kb_get_rules),
	IOCTL_OP_RSV(KB_IOC_SET_FASTPATH, kb_ioctl_set_fastpath,
		     KB_SET_FASTPATH_SIZE_VER0, kb_set_fastpath),
	IOCTL_OP_RSV(KB_IOC_SET_PERSONALITY, kb_ioctl_set_personality,
		     KB_SET_PERSONALITY_SIZE_VER0, kb_set_personality),
	IOCTL_OP_RSV(KB_IOC_SET_SCOPE, kb_ioctl_set_scope,
		     KB_SET_SCOPE_SIZE_VER0, kb_set_scope),
	__IOCTL_OP(KB_IOC_EXEC_RULE_ADD, kb_ioctl_exec_rule_add,
		   KB_EXEC_RULE_ADD_SIZE_VER0,
		   offsetof(struct kb_exec_rule_add, __reserved),
		   KB_EXEC_GLOBAL | KB_EXEC_INHERIT | KB_EXEC_RUNTIME),
	IOCTL_OP(KB_IOC_EXEC_RULE_DEL, kb_ioctl_exec_rule_del,
		 KB_EXEC_RULE_DEL_SIZE_VER0),
	IOCTL_OP(KB_IOC_EXEC_RULE_LIST, kb_ioctl_exec_rule_list,
		 KB_EXEC_RULE_LIST_SIZE_VER0),
	IOCTL_OP(KB_IOC_TASK_LIST, kb_ioctl_task_list, KB_TASK_LIST_SIZE_VER0),
};

long kb_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	const struct kb_ioctl_op *op;
	union kb_ioctl_buffer buf;
	unsigned int nr;
	u32 usize, rsv;
	int ret;

	if (_IOC_TYPE(cmd) != KB_IOC_MAGIC)
		return -ENOTTY;
	nr = _IOC_NR(cmd);
	if (nr >= ARRAY_SIZE(kb_ioctl_ops))
		return -ENOTTY;
	op = &kb_ioctl_ops[array_index_nospec(nr, ARRAY_SIZE(kb_ioctl_ops))];
	if (!op->execute)
		return -ENOTTY;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < op->min_size)
		return -EINVAL;
	/* Bound the zero-tail scan; no struct will ever grow that large. */
	if (usize > PAGE_SIZE)
		return -E2BIG;
	ret = copy_struct_from_user(&buf, op->size, uarg, usize);
	if (ret)
		return ret;

	if (buf.hdr.flags & ~op->flags)
		return -EINVAL;
	if (op->reserved) {
		memcpy(&rsv, (u8 *)&buf + op->reserved, sizeof(rsv));
		if (rsv)
			return -EINVAL;
	}

	/*
	 * Fault the struct's pages in for writing, as the copy back will,
	 * without writing: read-only or unmapped memory is EFAULT before
	 * anything changes. (A thread that unmaps it in between still gets
	 * EFAULT after the change; it asked for that race.)
	 */
	if (nr < ARRAY_SIZE(kb_ioctl_changes) && kb_ioctl_changes[nr] &&
	    fault_in_safe_writeable(uarg, min_t(u32, usize, op->size)))
		return -EFAULT;
	/*
	 * A call KB_IOC_SYSCALL may run must have its answer deliverable
	 * too, but this is the SIGSYS path's every call: rather than a
	 * page walk, store what its first and last words already hold
	 * (80 bytes span two pages at most).
	 */
	if (nr == KB_CMD_SYSCALL && (buf.hdr.flags & KB_SYSCALL_RUN) &&
	    (put_user(buf.hdr.size, (u32 __user *)uarg) ||
	     put_user(buf.syscall.__reserved,
		      &((struct kb_syscall __user *)uarg)->__reserved)))
		return -EFAULT;

	ret = op->execute(file, &buf);
	/*
	 * ENOSPC says how much room is needed, a restart code that the call
	 * KB_IOC_SYSCALL ran was interrupted: the struct goes back too.
	 */
	if (ret && ret != -ENOSPC && !(nr == KB_CMD_SYSCALL && kb_restart_code(ret)))
		return ret;
	if (copy_to_user(uarg, &buf, min_t(u32, usize, op->size)))
		return -EFAULT;
	return ret;
}
