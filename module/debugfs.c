// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: debugfs/kbridge/objects, the module's live objects, so that a
 * test can tell a leak from a slab cache that other code shares:
 *
 *   sessions N   sessions not yet freed
 *   closed N     of those, sessions whose file is closed but whose
 *                members still run (they end with their last member)
 *   members N    member tasks, and members waiting to be freed
 *   rulesets N   rule sets (policies hold them)
 *   spares N     spare members, one per member for its next fork
 *   watched N    execs in progress whose task work has not yet run
 *
 * Everything reaches 0 once every session's file is closed, its members
 * have exited and a grace period has passed.
 *
 * debugfs/kbridge/exec, what exec rules cost (make bench reads it):
 *
 *   lookups N    execs the rules were looked up for (while rules exist)
 *   lookup_ns N  time those lookups took in all: naming the file, reading
 *                its header and notes, matching every rule
 *   redirects N  execs a KB_EXEC_RUNTIME rule ran its command for
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "internal.h"

static struct dentry *kb_debugfs_dir;

static int kb_objects_show(struct seq_file *m, void *v)
{
	struct kb_objects o;

	kb_session_objects(&o);
	seq_printf(m, "sessions %d\nclosed %d\nmembers %d\nrulesets %d\nspares %d\nwatched %d\n",
		   o.sessions, o.closed, o.members, kb_policy_live(), o.spares,
		   kb_exec_watched_live());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kb_objects);

static int kb_exec_show(struct seq_file *m, void *v)
{
	u64 lookups, ns, redirects;

	kb_exec_stats(&lookups, &ns, &redirects);
	seq_printf(m, "lookups %llu\nlookup_ns %llu\nredirects %llu\n",
		   lookups, ns, redirects);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kb_exec);

/* Not fatal: debugfs may be absent or off (debugfs=off). */
void kb_debugfs_init(void)
{
	kb_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("objects", 0444, kb_debugfs_dir, NULL,
			    &kb_objects_fops);
	debugfs_create_file("exec", 0444, kb_debugfs_dir, NULL,
			    &kb_exec_fops);
}

void kb_debugfs_exit(void)
{
	debugfs_remove(kb_debugfs_dir);
}
