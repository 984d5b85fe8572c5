// SPDX-License-Identifier: GPL-2.0
/*
 * kblaunch --only: which programs of a workload are under test. Each
 * program kblaunch starts, and each one exec'd under it, is checked
 * against the list (canonical paths of ELF files, in a memfd that follows
 * every exec); the others run natively and are not counted, though the
 * runtime keeps following their children and execs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kblaunch.h"

int kb_only_fd(char **paths, int n)
{
	char real[PATH_MAX];
	int fd, i;

	fd = memfd_create("kbridge-only", MFD_CLOEXEC);
	if (fd < 0)
		kb_die("cannot make the --only list: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		if (!realpath(paths[i], real))
			kb_die("--only %s: %s", paths[i], strerror(errno));
		if (write(fd, real, strlen(real) + 1) != (ssize_t)strlen(real) + 1)
			kb_die("cannot write the --only list: %s",
			       strerror(errno));
	}
	return fd;
}

/* Is @path (any spelling) in the list at @fd? */
static bool kb_only_has(int fd, const char *path)
{
	char real[PATH_MAX], *list, *p;
	struct stat st;
	bool found = false;
	ssize_t n;

	if (!realpath(path, real))
		return false;
	if (fstat(fd, &st) || st.st_size <= 0 || st.st_size > (1 << 20))
		kb_die("the --only list is not readable");
	list = malloc((size_t)st.st_size + 1);
	if (!list)
		kb_die("out of memory");
	n = pread(fd, list, (size_t)st.st_size, 0);
	if (n != st.st_size)
		kb_die("cannot read the --only list: %s", strerror(errno));
	list[n] = '\0';
	for (p = list; p < list + n && !found; p += strlen(p) + 1)
		found = !strcmp(p, real);
	free(list);
	return found;
}

void kb_scope(struct kbrt_config *cfg, const struct kb_program *prog)
{
	struct kb_set_scope sc = { .size = sizeof(sc), .in_scope = 1 };

	cfg->out_of_scope = cfg->onlyfd >= 0 &&
			    !kb_only_has(cfg->onlyfd, prog->elf_path);
	if (cfg->verbose && cfg->onlyfd >= 0)
		fprintf(stderr, "kblaunch: pid %d: %s %s test\n", getpid(),
			prog->elf_path, cfg->out_of_scope ? "outside the" :
			"under");
	if (cfg->mode != KBRT_MODE_MODULE)
		return;
	/* Members start in scope: only a change needs telling. */
	sc.in_scope = !cfg->out_of_scope;
	if (cfg->onlyfd >= 0 && ioctl(cfg->kbfd, KB_IOC_SET_SCOPE, &sc))
		kb_die("KB_IOC_SET_SCOPE: %s%s", strerror(errno),
		       errno == ENOTTY ?
		       " (the loaded kbridge.ko has no KB_FEATURE_SCOPE)" : "");
}
