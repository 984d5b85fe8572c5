// SPDX-License-Identifier: GPL-2.0
/*
 * kblaunch: the --report file. Text, one line per syscall the program
 * made ("name count", in syscall-number order), then "total N" and
 * "out_of_range N" (calls with a number past the counters). Names come
 * from libseccomp, never from a table of our own; a number libseccomp
 * does not know is written as "syscall_NR".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <seccomp.h>

#include "kblaunch.h"

int kb_report_write(int fd, const uint64_t *counts, uint32_t nr_counts,
		    uint64_t total, uint64_t out_of_range)
{
	FILE *f;
	uint32_t nr;
	char *name;
	int err = 0;

	fd = dup(fd);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		return err;
	}
	for (nr = 0; nr < nr_counts; nr++) {
		if (!counts[nr])
			continue;
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64,
							(int)nr);
		if (name)
			fprintf(f, "%s %" PRIu64 "\n", name, counts[nr]);
		else
			fprintf(f, "syscall_%" PRIu32 " %" PRIu64 "\n", nr,
				counts[nr]);
		free(name);
	}
	fprintf(f, "total %" PRIu64 "\n", total);
	fprintf(f, "out_of_range %" PRIu64 "\n", out_of_range);
	if (ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}
