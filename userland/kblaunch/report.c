// SPDX-License-Identifier: GPL-2.0
/*
 * kblaunch: the --report file (docs/report.md). Each syscall in it is the
 * object kbctl prints too (lib/json.c). The older text format ("name
 * count" lines, "total N", "out_of_range N") stays available with
 * --report-format text.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "kblaunch.h"
#include "../lib/json.h"
#include "../lib/names.h"
#include "../lib/profile.h"

static int write_text(int fd, const struct kb_report *r)
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
	for (nr = 0; nr < r->nr_counts; nr++) {
		if (!r->counts[nr])
			continue;
		name = kb_syscall_name(nr);
		fprintf(f, "%s %" PRIu64 "\n", name ? name : "?", r->counts[nr]);
		free(name);
	}
	fprintf(f, "total %" PRIu64 "\n", r->total);
	fprintf(f, "out_of_range %" PRIu64 "\n", r->out_of_range);
	if (ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static struct json_object *report_json(const struct kb_report *r)
{
	struct json_object *o, *k = NULL, *prof = NULL, *ex = NULL, *tot = NULL;
	bool ok;

	o = json_object_new_object();
	if (!o)
		return NULL;
	ok = (k = json_object_new_object()) && kb_json_add(o, "kbridge", k) &&
	     kb_json_add(k, "release", json_object_new_string(r->release)) &&
	     kb_json_add(k, "api", json_object_new_int64(r->api)) &&
	     kb_json_add(o, "mode", json_object_new_string(r->mode)) &&
	     kb_json_add(o, "path", json_object_new_string(r->path));
	if (ok && r->profile)
		ok = (prof = json_object_new_object()) &&
		     kb_json_add(o, "profile", prof) &&
		     kb_json_add(prof, "origin", json_object_new_string(r->profile->origin)) &&
		     kb_json_add(prof, "entries", json_object_new_int64(r->profile->count));
	else if (ok)
		ok = kb_json_null(o, "profile");
	ok = ok && (ex = json_object_new_object()) && kb_json_add(o, "exit", ex);
	if (ok && WIFSIGNALED(r->wstatus))
		ok = kb_json_add(ex, "signal", json_object_new_int64(WTERMSIG(r->wstatus)));
	else if (ok)
		ok = kb_json_add(ex, "status", json_object_new_int64(WEXITSTATUS(r->wstatus)));
	ok = ok && (tot = json_object_new_object()) && kb_json_add(o, "totals", tot) &&
	     kb_json_add(tot, "total", json_object_new_uint64(r->total)) &&
	     kb_json_add(tot, "fastpath", json_object_new_uint64(r->fastpath)) &&
	     kb_json_add(tot, "out_of_range", json_object_new_uint64(r->out_of_range));
	if (ok && r->joined >= 0)
		ok = kb_json_add(tot, "joined", json_object_new_int64(r->joined));
	else if (ok)
		ok = kb_json_null(tot, "joined");
	if (ok && r->last_changed >= 0)
		ok = kb_json_add(o, "last_changed", kb_json_nr(r->last_changed));
	else if (ok)
		ok = kb_json_null(o, "last_changed");
	ok = ok && kb_json_add(o, "syscalls",
			kb_json_syscalls(r->counts, r->nr_counts, r->rules,
					 r->profile, NULL, 0));
	ok = ok && kb_json_add(o, "io_uring",
			       kb_json_uring(r->uring_ops, r->uring_why));
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int kb_report_write(int fd, const struct kb_report *r, bool text)
{
	struct json_object *o;
	int err;

	if (text)
		return write_text(fd, r);
	o = report_json(r);
	if (!o)
		return -ENOMEM;
	err = kb_json_write(fd, o);
	json_object_put(o);
	return err;
}
