// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: module init/exit and the /dev/kbridge misc device.
 *
 * Each open file may own one session (KB_IOC_SESSION_CREATE); the session
 * lives until the last reference to the file is dropped and its last
 * member has exited. fops.owner pins the module while any file is open,
 * and a closed session with members pins it too, so rmmod fails while a
 * session can still exist.
 *
 * The node is root's, mode 0600: a udev rule (module/60-kbridge.rules)
 * hands it to group kbridge. Who may do what with an open file is the
 * file's own business: see session.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "internal.h"

static int kb_open(struct inode *inode, struct file *file)
{
	/* misc_open() left the miscdevice there: no session yet. */
	file->private_data = NULL;
	return nonseekable_open(inode, file);
}

static int kb_release(struct inode *inode, struct file *file)
{
	struct kb_session *s = file->private_data;

	if (s)
		kb_session_release(s);
	return 0;
}

static const struct file_operations kb_fops = {
	.owner		= THIS_MODULE,
	.open		= kb_open,
	.release	= kb_release,
	.unlocked_ioctl	= kb_ioctl,
	/* Every argument has the same layout for 32- and 64-bit callers. */
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= no_llseek,
};

static struct miscdevice kb_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= KB_DEVICE_NAME,
	.fops	= &kb_fops,
	.mode	= 0600,
};

static int __init kb_init(void)
{
	int ret;

	ret = kb_session_init();
	if (ret)
		return ret;
	ret = kb_probes_init();
	if (ret)
		goto err_session;
	ret = kb_fastpath_init();
	if (ret)
		goto err_probes;
	ret = kb_exec_init();
	if (ret)
		goto err_fastpath;
	kb_uring_init();
	kb_syscall_run_init();

	/* Last: from here on, user space can create sessions. */
	ret = misc_register(&kb_miscdev);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", KB_DEVICE_NAME, ret);
		goto err_exec;
	}

	kb_debugfs_init();
	pr_info("%s loaded, API %d\n", KB_RELEASE, KB_API_VERSION);
	return 0;

err_exec:
	kb_uring_exit();
	kb_exec_exit();
err_fastpath:
	kb_fastpath_exit();
err_probes:
	kb_probes_exit();
err_session:
	kb_session_exit();
	return ret;
}

static void __exit kb_exit(void)
{
	misc_deregister(&kb_miscdev);
	kb_debugfs_exit();
	/*
	 * No session is left (fops.owner, and closed sessions hold the
	 * module): no task can be in the probe's path.
	 */
	kb_uring_exit();
	kb_exec_exit();
	kb_fastpath_exit();
	kb_probes_exit();
	kb_session_exit();
	kb_pers_exit();
}

module_init(kb_init);
module_exit(kb_exit);

MODULE_DESCRIPTION("kbridge: tiered Linux syscall compatibility layer");
MODULE_LICENSE("GPL");
MODULE_VERSION(KB_RELEASE);
