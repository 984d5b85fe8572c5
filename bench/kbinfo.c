// SPDX-License-Identifier: GPL-2.0
/*
 * kbinfo: what the loaded kbridge.ko says about itself, one line:
 *   release=R api=N features=0xF status=0xS fastpath=armed|off|unsupported
 * The benchmark runner reads it to tell a fast-path row that cannot run
 * (the module has no armed in-kernel hook) from one that ran wrong.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kbridge.h>

int main(int argc, char **argv)
{
	struct kb_version v;
	const char *fp, *hook;
	int fd, ret;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: kbinfo\n"
			"Print the release, API, feature and status bits of the loaded kbridge.ko.\n");
		return 2;
	}
	fd = open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "kbinfo: %s: %m\n", KB_DEVICE_PATH);
		return 1;
	}
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	ret = ioctl(fd, KB_IOC_GET_VERSION, &v);
	/* A module older than @status knows a shorter struct. */
	if (ret && errno == E2BIG) {
		memset(&v, 0, sizeof(v));
		v.size = offsetof(struct kb_version, status);
		ret = ioctl(fd, KB_IOC_GET_VERSION, &v);
	}
	if (ret)
		goto fail;
	close(fd);
	v.release[KB_VERSION_LEN - 1] = '\0';
	if (!(v.features & KB_FEATURE_FASTPATH))
		fp = "unsupported";
	else
		fp = (v.status & KB_STATUS_FASTPATH) ? "armed" : "off";
	if (!(v.status & KB_STATUS_FASTPATH))
		hook = "none";
	else if (v.status & KB_STATUS_HOOK_DIRECT)
		hook = "direct";
	else if (v.status & KB_STATUS_HOOK_KPROBE)
		hook = "kprobe";
	else
		hook = "unknown";
	printf("release=%s api=%u features=0x%llx status=0x%x fastpath=%s hook=%s\n",
	       v.release, v.api_version, (unsigned long long)v.features,
	       v.status, fp, hook);
	return 0;
fail:
	fprintf(stderr, "kbinfo: KB_IOC_GET_VERSION: %m\n");
	close(fd);
	return 1;
}
