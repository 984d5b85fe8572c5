// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: the ioctls of exec rules: add one (checked and built here,
 * then inserted into the table), delete one, list them. Who may: a rule
 * of one user namespace, CAP_SYS_ADMIN in it; a KB_EXEC_GLOBAL rule,
 * CAP_SYS_ADMIN (kb_exec_may()). A listing shows the caller's
 * namespace's rules and the global ones.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "exec.h"

/*
 * Copies in and checks a KB_EXEC_RUNTIME command: NUL-terminated
 * arguments, the first an absolute path to a regular file that exists
 * now.
 */
static int kb_exec_rule_cmd(struct kb_exec_rule *r,
			    const struct kb_exec_rule_add *req)
{
	const char *p, *end;
	int ret;

	if (req->runtime_len < 2 || req->runtime_len > KB_EXEC_RUNTIME_MAX)
		return -EINVAL;
	r->cmd = memdup_user(u64_to_user_ptr(req->runtime), req->runtime_len);
	if (IS_ERR(r->cmd)) {
		ret = PTR_ERR(r->cmd);
		r->cmd = NULL;
		return ret;
	}
	r->cmd_len = req->runtime_len;
	end = r->cmd + r->cmd_len;
	if (r->cmd[0] != '/' || end[-1])
		return -EINVAL;
	for (p = r->cmd; p < end; p += strlen(p) + 1)
		if (++r->cmd_argc > KB_EXEC_RUNTIME_ARGS)
			return -EINVAL;
	ret = kern_path(r->cmd, LOOKUP_FOLLOW, &r->launcher);
	if (ret)
		return ret;
	/* What open_exec() would refuse at every matching exec. */
	return d_is_reg(r->launcher.dentry) ? 0 : -EACCES;
}

int kb_ioctl_exec_rule_add(struct file *file, void *arg)
{
	struct kb_exec_rule_add *req = arg;
	struct kb_set_rules rules = {
		.size = sizeof(rules), .count = req->count,
		.rule_size = req->rule_size, .rules = req->rules,
	};
	bool runtime = req->flags & KB_EXEC_RUNTIME;
	struct kb_exec_rule *r;
	int ret;

	if (req->__reserved2 || req->name[KB_EXEC_NAME_MAX] ||
	    !kb_personality_name_ok(req->name, sizeof(req->name)))
		return -EINVAL;
	/* The command's own runtime decides; it follows execs itself. */
	if (runtime ? req->count || req->rules || req->rule_size ||
		      (req->flags & KB_EXEC_INHERIT) :
		      req->runtime || req->runtime_len)
		return -EINVAL;
	if (!runtime && !kb_fastpath_armed())
		return -EOPNOTSUPP;
	switch (req->match) {
	case KB_EXEC_MATCH_PATH:
		if (!req->pattern_len || req->pattern_len > KB_PATH_MAX ||
		    req->osabi)
			return -EINVAL;
		break;
	case KB_EXEC_MATCH_OSABI:
		if (req->osabi > 255 || req->pattern || req->pattern_len)
			return -EINVAL;
		break;
	case KB_EXEC_MATCH_NOTE:
		if (!req->pattern_len || req->pattern_len > KB_EXEC_NAME_MAX ||
		    req->osabi)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->match = req->match;
	r->osabi = req->osabi;
	r->global = req->flags & KB_EXEC_GLOBAL;
	strscpy(r->name, req->name, sizeof(r->name));
	if (!r->global)
		r->userns = get_user_ns(current_user_ns());
	ret = -EPERM;
	if (!kb_exec_may(r))
		goto err;
	if (r->match != KB_EXEC_MATCH_OSABI) {
		r->glob = memdup_user_nul(u64_to_user_ptr(req->pattern),
					  req->pattern_len);
		if (IS_ERR(r->glob)) {
			ret = PTR_ERR(r->glob);
			r->glob = NULL;
			goto err;
		}
	}
	if (runtime) {
		ret = kb_exec_rule_cmd(r, req);
		if (ret)
			goto err;
	} else {
		r->s = kb_session_new_exec(req->flags & KB_EXEC_INHERIT,
					   req->name);
		ret = -ENOMEM;
		if (!r->s)
			goto err;
		/* No entry: every syscall passes, counted (kbctl stats). */
		ret = req->count ? kb_session_policy_set(r->s, &rules, true) : 0;
		if (ret)
			goto err;
	}
	/* Held until the rule is deleted: rmmod needs every rule gone. */
	ret = -ENODEV;
	if (!try_module_get(THIS_MODULE))
		goto err;

	kb_exec_rule_insert(r);
	req->id = r->id;
	return 0;

err:
	kb_exec_rule_free(r);
	return ret;
}

int kb_ioctl_exec_rule_del(struct file *file, void *arg)
{
	struct kb_exec_rule_del *req = arg;
	struct kb_exec_rule *r = kb_exec_rule_remove(req->id);

	if (IS_ERR(r))
		return PTR_ERR(r);
	/* Its session lives on with the programs already under it. */
	kb_exec_rule_free(r);
	module_put(THIS_MODULE);
	return 0;
}

static bool kb_exec_visible(const struct kb_exec_rule *r)
{
	return r->global || r->userns == current_user_ns();
}

static void kb_exec_rule_info(struct kb_exec_rule_info *info,
			      const struct kb_exec_rule *r)
{
	memset(info, 0, sizeof(*info));
	info->id = r->id;
	info->match = r->match;
	info->osabi = r->osabi;
	info->flags = (r->global ? KB_EXEC_GLOBAL : 0) |
		      (r->s && r->s->inherit ? KB_EXEC_INHERIT : 0) |
		      (r->s ? 0 : KB_EXEC_RUNTIME);
	if (r->s) {
		info->members = kb_session_members(r->s, NULL);
		info->calls = kb_session_calls(r->s);
		info->session = r->s->id;
	}
	info->execs = atomic64_read(&r->execs);
	strscpy(info->name, r->name, sizeof(info->name));
	if (r->glob) {
		info->pattern_len = strlen(r->glob);
		strscpy(info->pattern, r->glob, sizeof(info->pattern));
	}
	if (r->cmd) {
		info->runtime_len = r->cmd_len;
		memcpy(info->runtime, r->cmd,
		       min_t(u32, r->cmd_len, sizeof(info->runtime) - 1));
	}
}

int kb_ioctl_exec_rule_list(struct file *file, void *arg)
{
	struct kb_exec_rule_list *req = arg;
	struct kb_exec_rule_info *info = NULL;
	struct kb_exec_rule *r;
	u32 n = 0, i = 0;
	int ret;

	if (req->info_size < KB_EXEC_RULE_INFO_SIZE_VER0)
		return -EINVAL;
	if (req->info_size > PAGE_SIZE)
		return -E2BIG;
	/*
	 * A snapshot, copied out after the lock: a fault on the caller's
	 * buffer (userfaultfd) must not stall every exec on the system.
	 */
	percpu_down_read(&kb_exec_rwsem);
	list_for_each_entry(r, &kb_exec_rules, node)
		n += kb_exec_visible(r);
	if (req->count < n) {
		percpu_up_read(&kb_exec_rwsem);
		req->count = n;
		return -ENOSPC;
	}
	if (n)
		info = kb_fault_or(kvmalloc_array(n, sizeof(*info),
						  GFP_KERNEL));
	if (n && !info) {
		percpu_up_read(&kb_exec_rwsem);
		return -ENOMEM;
	}
	list_for_each_entry(r, &kb_exec_rules, node)
		if (kb_exec_visible(r))
			kb_exec_rule_info(&info[i++], r);
	percpu_up_read(&kb_exec_rwsem);

	ret = kb_copy_entries(req->rules, info, n, sizeof(*info),
			      req->info_size);
	if (!ret)
		req->count = n;
	kvfree(info);
	return ret;
}
