// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: the ioctls that set and read a session's policy: its rules
 * (policy.c), its fast path (fastpath.c) and its personality
 * (personality.c). Each checks its request here and leaves the publishing,
 * with the barriers and grace periods it needs, to the file that owns
 * what is published.
 *
 * Any holder of the file may set and read them: the file is the
 * capability, as for KB_IOC_SESSION_STATS; membership is not required.
 * In a KB_SESSION_LOCKED session, members may not set them
 * (kb_session_may_change()).
 */
#include <linux/bitmap.h>
#include <linux/uaccess.h>

#include "internal.h"

int kb_ioctl_set_rules(struct file *file, void *arg)
{
	struct kb_session *s = kb_file_session(file);
	int ret;

	ret = kb_session_may_change(s);
	if (ret)
		return ret;
	/* No runtime in the process: nothing may need one. */
	return kb_session_policy_set(s, arg,
				     s->flags & KB_SESSION_NO_RUNTIME);
}

int kb_ioctl_get_rules(struct file *file, void *arg)
{
	struct kb_session *s = kb_file_session(file);

	if (!s)
		return -ENOENT;
	return kb_session_policy_get(s, arg);
}

int kb_ioctl_set_fastpath(struct file *file, void *arg)
{
	struct kb_session *s = kb_file_session(file);
	struct kb_set_fastpath *req = arg;
	DECLARE_BITMAP(trap, KB_NR_SYSCALLS);
	int ret;

	ret = kb_session_may_change(s);
	if (ret)
		return ret;
	/* Always on, with nothing trapped: there is no runtime to trap to. */
	if (s->flags & KB_SESSION_NO_RUNTIME)
		return -EINVAL;
	if (req->enable > 1 || req->path_prefix_len > KB_PATH_PREFIX_MAX)
		return -EINVAL;
	if (!req->trap) {
		if (req->nr_bits && req->nr_bits != KB_NR_SYSCALLS)
			return -EINVAL;
		bitmap_zero(trap, KB_NR_SYSCALLS);
	} else if (req->nr_bits != KB_NR_SYSCALLS) {
		return -EINVAL;
	} else if (copy_from_user(trap, u64_to_user_ptr(req->trap),
				  sizeof(trap))) {
		return -EFAULT;
	}
	req->armed = kb_fastpath_session_set(s, req, trap);
	return 0;
}

int kb_ioctl_set_personality(struct file *file, void *arg)
{
	struct kb_session *s = kb_file_session(file);
	struct kb_set_personality *req = arg;
	int ret;

	ret = kb_session_may_change(s);
	if (ret)
		return ret;
	/* A personality's handlers run in process context, through SIGSYS. */
	if (s->flags & KB_SESSION_NO_RUNTIME)
		return -EOPNOTSUPP;
	if (req->name[0] && !kb_personality_name_ok(req->name, sizeof(req->name)))
		return -EINVAL;
	return kb_pers_session_set(s, req->name, &req->handlers);
}
