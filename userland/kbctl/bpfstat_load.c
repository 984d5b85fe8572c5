// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl stats --bpf load|unload|status: bpf/kbstat.bpf.c attached to the
 * module's tracepoints through its skeleton, it, its maps and its links
 * pinned under KBSTAT_PIN_DIR, so that counting goes on after kbctl exits
 * and any tool (bpftool, kbctl top) can read the maps; the pins are the
 * only state, which is why "loaded" means "the directory exists".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "kbctl.h"
#include "bpfstat.h"
#include "kbstat.skel.h"

static bool verbose_libbpf;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	/* kbctl says what failed in its own words; libbpf's detail on -v. */
	if (!verbose_libbpf)
		return 0;
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

static bool is_bpffs(const char *path)
{
	struct statfs sf;

	return !statfs(path, &sf) && (unsigned long)sf.f_type == BPF_FS_MAGIC;
}

/* A bpf filesystem on /sys/fs/bpf, mounted now if there was none. */
static int need_bpffs(void)
{
	if (is_bpffs(KBS_BPFFS))
		return 0;
	if (mount("bpf", KBS_BPFFS, "bpf", 0, "mode=0700")) {
		int e = errno;

		if (e == EPERM || e == EACCES)
			kbctl_err("no bpf filesystem on %s and not permitted to mount one: as root, mount -t bpf bpf %s",
				  KBS_BPFFS, KBS_BPFFS);
		else
			kbctl_err("no bpf filesystem on %s and mounting one failed (%s): mount -t bpf bpf %s",
				  KBS_BPFFS, strerror(e), KBS_BPFFS);
		return -1;
	}
	fprintf(stderr, "kbctl: mounted a bpf filesystem on %s\n", KBS_BPFFS);
	return 0;
}

/* Remove every pin in the directory, then the directory. */
static int unpin_all(void)
{
	char path[512];
	struct dirent *de;
	DIR *d;
	int err = 0;

	d = opendir(KBSTAT_PIN_DIR);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", KBSTAT_PIN_DIR, de->d_name);
		if (unlink(path) && !err)
			err = -errno;
	}
	closedir(d);
	if (rmdir(KBSTAT_PIN_DIR) && !err)
		err = -errno;
	return err;
}

static bool module_present(void)
{
	struct stat st;

	return !stat("/sys/module/kbridge", &st);
}

static int prog_id(int fd, char *name, size_t len)
{
	struct bpf_prog_info info;
	__u32 ilen = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen))
		return -1;
	snprintf(name, len, "%s", info.name);
	return (int)info.id;
}

/*
 * The io_uring counters: attached and pinned when the module fires
 * kbridge_uring_op (a module before it has no such tracepoint, and then
 * kbctl stats says nothing of io_uring). 0 or -errno, said.
 */
static int load_uring(struct kbstat *obj)
{
	struct bpf_map *maps[KBS_NURING] = { obj->maps.uring_hits,
					 obj->maps.uring_session_hits };
	struct bpf_link *link;
	char path[256];
	size_t i;
	int err;

	link = bpf_program__attach_raw_tracepoint(obj->progs.kb_uring,
						  KBSTAT_URING_TP_NAME);
	if (!link) {
		err = -errno;
		if (err == -ENOENT)
			return 0;
		kbctl_err("cannot attach to %s: %s", KBSTAT_URING_TP_NAME,
			  strerror(-err));
		return err;
	}
	for (i = 0; i < KBS_NURING; i++) {
		kbs_pin_path(path, sizeof(path), kbs_uring_maps[i]);
		err = bpf_map__pin(maps[i], path);
		if (err)
			goto fail;
	}
	kbs_pin_path(path, sizeof(path), KBSTAT_URING_LINK_NAME);
	err = bpf_link__pin(link, path);
	if (err)
		goto fail;
	bpf_link__disconnect(link);
	bpf_link__destroy(link);
	return 0;
fail:
	kbctl_err("cannot pin %s: %s", path, strerror(-err));
	bpf_link__destroy(link);
	return err;
}

int kbs_bpf_load(uint32_t scopes)
{
	struct bpf_map *maps[KBS_NMAPS];
	struct kbstat *obj = NULL;
	char path[256], name[BPF_OBJ_NAME_LEN], had[64];
	int err, id;
	size_t i;

	if (need_bpffs())
		return KBCTL_EXIT_FAIL;
	/* The directory is the lock: two loads cannot both create it. */
	if (mkdir(KBSTAT_PIN_DIR, 0700)) {
		if (errno == EEXIST)
			kbctl_err("already loaded: %s exists; kbctl stats --bpf unload first",
				  KBSTAT_PIN_DIR);
		else if (errno == EPERM || errno == EACCES)
			kbctl_err("not permitted to create %s (root needed)",
				  KBSTAT_PIN_DIR);
		else
			kbctl_err("%s: %s", KBSTAT_PIN_DIR, strerror(errno));
		return KBCTL_EXIT_FAIL;
	}
	obj = kbstat__open();
	if (obj) {
		obj->rodata->scopes = scopes;
		/* Attached below, if the module has its tracepoint. */
		bpf_program__set_autoattach(obj->progs.kb_uring, false);
		if (kbstat__load(obj)) {
			err = -errno;
			kbstat__destroy(obj);
			obj = NULL;
			errno = -err;
		}
	}
	if (!obj) {
		err = -errno;
		if (err == -EPERM || err == -EACCES)
			kbctl_err("not permitted to load eBPF programs (root, or CAP_BPF and CAP_PERFMON, needed)");
		else
			kbctl_err("cannot load the eBPF program: %s%s", strerror(-err),
				  verbose_libbpf ? "" : " (-v says more)");
		goto fail;
	}
	err = kbstat__attach(obj);
	if (err) {
		if (err == -ENOENT && !module_present())
			kbctl_err("kbridge.ko is not loaded (no raw tracepoint %s)",
				  KBSTAT_TP_NAME);
		else if (err == -ENOENT)
			kbctl_err("kbridge.ko is loaded but has no tracepoint %s (a release without eBPF statistics?)",
				  KBSTAT_TP_NAME);
		else if (err == -EPERM || err == -EACCES)
			kbctl_err("not permitted to attach eBPF programs (root, or CAP_BPF and CAP_PERFMON, needed)");
		else
			kbctl_err("cannot attach to %s: %s", KBSTAT_TP_NAME,
				  strerror(-err));
		goto fail;
	}
	maps[0] = obj->maps.tier_hits;
	maps[1] = obj->maps.session_hits;
	maps[2] = obj->maps.pid_hits;
	maps[3] = obj->maps.drops;
	for (i = 0; i < KBS_NMAPS; i++) {
		kbs_pin_path(path, sizeof(path), kbs_pinned_maps[i]);
		err = bpf_map__pin(maps[i], path);
		if (err) {
			kbctl_err("cannot pin %s: %s", path, strerror(-err));
			goto fail;
		}
	}
	kbs_pin_path(path, sizeof(path), KBS_CONFIG_PIN);
	err = bpf_map__pin(obj->maps.rodata, path);
	if (err) {
		kbctl_err("cannot pin %s: %s", path, strerror(-err));
		goto fail;
	}
	kbs_pin_path(path, sizeof(path), KBSTAT_LINK_NAME);
	err = bpf_link__pin(obj->links.kb_decision, path);
	if (err) {
		kbctl_err("cannot pin %s: %s", path, strerror(-err));
		goto fail;
	}
	/* The pin keeps the program attached once our descriptors close. */
	bpf_link__disconnect(obj->links.kb_decision);
	err = load_uring(obj);
	if (err)
		goto fail;
	id = prog_id(bpf_program__fd(obj->progs.kb_decision), name, sizeof(name));
	kbs_scopes_describe(scopes, had, sizeof(had));
	kbs_pin_path(path, sizeof(path), KBSTAT_URING_LINK_NAME);
	printf("loaded: program %s (id %d) attached to %s, counting %s; maps tier_hits, session_hits, pid_hits, drops pinned in %s%s\n",
	       name, id, KBSTAT_TP_NAME, had, KBSTAT_PIN_DIR,
	       access(path, F_OK) ? "" :
	       "; io_uring operations from " KBSTAT_URING_TP_NAME);
	kbstat__destroy(obj);
	return fflush(stdout) ? KBCTL_EXIT_FAIL : 0;
fail:
	/* Nothing half-loaded stays behind: the next load starts clean. */
	err = unpin_all();
	if (err)
		kbctl_err("cleaning up %s: %s", KBSTAT_PIN_DIR, strerror(-err));
	kbstat__destroy(obj);
	return KBCTL_EXIT_FAIL;
}

int kbs_bpf_unload(void)
{
	struct stat st;
	int err;

	if (stat(KBSTAT_PIN_DIR, &st)) {
		if (errno == ENOENT)
			kbctl_err("not loaded: no %s", KBSTAT_PIN_DIR);
		else
			kbctl_err("%s: %s", KBSTAT_PIN_DIR, strerror(errno));
		return KBCTL_EXIT_FAIL;
	}
	err = unpin_all();
	if (err) {
		if (err == -EPERM || err == -EACCES)
			kbctl_err("not permitted to remove %s (root needed)",
				  KBSTAT_PIN_DIR);
		else
			kbctl_err("removing %s: %s", KBSTAT_PIN_DIR, strerror(-err));
		return KBCTL_EXIT_FAIL;
	}
	printf("unloaded: %s removed, the program is detached\n", KBSTAT_PIN_DIR);
	return fflush(stdout) ? KBCTL_EXIT_FAIL : 0;
}

/* Entries of a hash map: a walk, since the kernel keeps no count we can read. */
static long map_entries(int fd, __u32 key_size)
{
	char key[32], next[32];
	long n = 0;

	if (key_size > sizeof(key))
		return -1;
	if (bpf_map_get_next_key(fd, NULL, next))
		return errno == ENOENT ? 0 : -1;
	do {
		memcpy(key, next, key_size);
		n++;
	} while (!bpf_map_get_next_key(fd, key, next));
	return errno == ENOENT ? n : -1;
}

int kbs_bpf_status(void)
{
	struct bpf_link_info li;
	struct bpf_map_info mi;
	struct bpf_prog_info pi;
	char path[256], tp[64] = "", scopes[64];
	__u32 len;
	int fd, pfd;
	size_t i;

	if (!is_bpffs(KBS_BPFFS)) {
		printf("eBPF counters: not loaded (no bpf filesystem on %s)\n", KBS_BPFFS);
		return fflush(stdout) ? KBCTL_EXIT_FAIL : 0;
	}
	if (access(KBSTAT_PIN_DIR, F_OK)) {
		printf("eBPF counters: not loaded (no %s)\n", KBSTAT_PIN_DIR);
		return fflush(stdout) ? KBCTL_EXIT_FAIL : 0;
	}
	printf("eBPF counters: loaded, pinned in %s\n", KBSTAT_PIN_DIR);
	kbs_pin_path(path, sizeof(path), KBSTAT_LINK_NAME);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		kbctl_err("%s: %s", path, strerror(errno));
		return KBCTL_EXIT_FAIL;
	}
	memset(&li, 0, sizeof(li));
	li.raw_tracepoint.tp_name = (uintptr_t)tp;
	li.raw_tracepoint.tp_name_len = sizeof(tp);
	len = sizeof(li);
	if (bpf_obj_get_info_by_fd(fd, &li, &len)) {
		kbctl_err("%s: %s", path, strerror(errno));
		close(fd);
		return KBCTL_EXIT_FAIL;
	}
	close(fd);
	memset(&pi, 0, sizeof(pi));
	len = sizeof(pi);
	pfd = bpf_prog_get_fd_by_id(li.prog_id);
	if (pfd < 0 || bpf_obj_get_info_by_fd(pfd, &pi, &len)) {
		kbctl_err("program id %u: %s", li.prog_id, strerror(errno));
		if (pfd >= 0)
			close(pfd);
		return KBCTL_EXIT_FAIL;
	}
	close(pfd);
	printf("program: %s, id %u, attached to raw tracepoint %s (link id %u)\n",
	       pi.name, pi.id, tp, li.id);
	kbs_scopes_describe(kbs_read_scopes(), scopes, sizeof(scopes));
	printf("counting: %s\n", scopes);
	for (i = 0; i < KBS_NMAPS; i++) {
		long n;

		kbs_pin_path(path, sizeof(path), kbs_pinned_maps[i]);
		fd = bpf_obj_get(path);
		memset(&mi, 0, sizeof(mi));
		len = sizeof(mi);
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &mi, &len)) {
			kbctl_err("%s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return KBCTL_EXIT_FAIL;
		}
		n = mi.type == BPF_MAP_TYPE_PERCPU_ARRAY ? (long)mi.max_entries :
		    map_entries(fd, mi.key_size);
		close(fd);
		printf("map: %s, id %u, %ld of %u entries\n", mi.name, mi.id, n,
		       mi.max_entries);
	}
	return fflush(stdout) ? KBCTL_EXIT_FAIL : 0;
}


void kbs_libbpf_verbose(bool verbose)
{
	verbose_libbpf = verbose;
	libbpf_set_print(libbpf_print);
}
