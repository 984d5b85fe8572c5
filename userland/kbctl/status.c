// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl status [PID]: the loaded module, which decision path is live,
 * and with a PID the counters of that program's session.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "kbctl.h"
#include "kb_release.h"
#include "../lib/ioctl.h"
#include "../lib/json.h"

/* KB_FEATURE_* bits by name, as the documentation spells them. */
static const char *const feature_names[] = {
	"sessions", "syscall", "follow-fork", "stats", "rules", "partial",
	"get-rules", "fastpath", "personality", "scope", "trap-args", "lock",
	"exec-rules", "task-list", "uring-ops", "syscall-run",
};

#define NFEATURES (sizeof(feature_names) / sizeof(feature_names[0]))

/* The fast path's hook from KB_STATUS_HOOK_*, or NULL when not armed. */
static const char *hook_name(uint32_t status)
{
	if (!(status & KB_STATUS_FASTPATH))
		return NULL;
	if (status & KB_STATUS_HOOK_DIRECT)
		return "direct";
	if (status & KB_STATUS_HOOK_KPROBE)
		return "kprobe";
	return "unknown";
}

struct status_opts {
	bool json;
	pid_t pid;
};

static const char doc[] =
"Say whether kbridge.ko is loaded, its release, API and features, and "
"which decision path is live: the in-kernel fast path (syscalls decided at "
"syscall entry, no signal) or the ioctl path (SIGSYS and KB_IOC_SYSCALL), "
"and the fast path's hook: an ftrace direct call, or the costlier kprobe "
"where the direct call cannot be had (kbridge.ko's hook= parameter).\n"
"With PID: the session of that program (members, syscalls decided, how "
"many in the kernel, whether it uses the fast path).\n"
"\n"
"EXAMPLES:\n"
"  kbctl status\n"
"  kbctl status --json 1234"
"\v"
"Exit status: 0, or 1 when the module is not loaded or PID cannot be "
"inspected.";

static const struct argp_option options[] = {
	{ "json", 'j', NULL, 0, "Print JSON (schema in docs/report.md)", 0 },
	{ 0 }
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct status_opts *o = state->input;

	switch (key) {
	case 'j':
		o->json = true;
		break;
	case ARGP_KEY_ARG:
		if (state->arg_num >= 1)
			argp_error(state, "one PID at most");
		o->pid = kbctl_parse_pid(arg);
		if (o->pid < 0)
			exit(KBCTL_EXIT_FAIL);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void print_text(const struct kb_version *v, pid_t pid,
		       const struct kb_session_stats *st, int64_t nrules)
{
	unsigned int i;

	printf("module: kbridge.ko release %s, API %u, %u syscall numbers\n",
	       v->release, v->api_version, v->nr_syscalls);
	if (strcmp(v->release, KB_RELEASE) || v->api_version != KB_API_VERSION)
		printf("warning: kbctl is release %s (API %u): load the kbridge.ko of the same release\n",
		       KB_RELEASE, KB_API_VERSION);
	printf("features:");
	for (i = 0; i < 64; i++) {
		if (!(v->features & (1ULL << i)))
			continue;
		if (i < NFEATURES)
			printf(" %s", feature_names[i]);
		else
			printf(" bit%u", i);
	}
	printf("\n");
	if (v->status & KB_STATUS_FASTPATH) {
		printf("decision path: in-kernel fast path\n");
		printf("fast-path hook: %s\n", hook_name(v->status));
	} else
		printf("decision path: ioctl (SIGSYS); in-kernel fast path not armed\n");
	printf("SIGSYS path: %s\n", v->status & KB_STATUS_SYSCALL_RUN ?
	       "passed calls run by the module (one syscall each)" :
	       "passed calls re-issued by the runtime (two syscalls each)");
	if (!st)
		return;
	printf("session of PID %d:\n", (int)pid);
	printf("  members: %u live, %" PRIu64 " joined\n", st->members,
	       (uint64_t)st->joined);
	printf("  syscalls: %" PRIu64 " decided, %" PRIu64
	       " in the kernel (fast path), %" PRIu64 " out of range\n",
	       (uint64_t)st->total, (uint64_t)st->fastpath,
	       (uint64_t)st->out_of_range);
	printf("  fast path: %s\n", st->state & KB_SESSION_FASTPATH ?
	       "in use" : "not in use (every syscall through SIGSYS and the ioctl)");
	if (nrules >= 0)
		printf("  rules: %" PRId64 " entries (kbctl get %d)\n", nrules,
		       (int)pid);
}

static int print_json(const struct kb_version *v, pid_t pid,
		      const struct kb_session_stats *st, int64_t nrules)
{
	struct json_object *o, *m = NULL, *f = NULL, *s = NULL;
	unsigned int i;
	char bit[16];
	bool ok;
	int err;

	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	ok = (m = json_object_new_object()) && kb_json_add(o, "module", m) &&
	     kb_json_add(m, "release", json_object_new_string(v->release)) &&
	     kb_json_add(m, "api", json_object_new_int64(v->api_version)) &&
	     kb_json_add(m, "nr_syscalls", json_object_new_int64(v->nr_syscalls)) &&
	     (f = json_object_new_array()) && kb_json_add(m, "features", f);
	for (i = 0; ok && i < 64; i++) {
		struct json_object *n;

		if (!(v->features & (1ULL << i)))
			continue;
		snprintf(bit, sizeof(bit), "bit%u", i);
		n = json_object_new_string(i < NFEATURES ? feature_names[i] : bit);
		ok = n && !json_object_array_add(f, n);
	}
	ok = ok && kb_json_add(m, "fastpath_armed",
		       json_object_new_boolean(v->status & KB_STATUS_FASTPATH)) &&
	     kb_json_add(m, "decision_path", json_object_new_string(
			v->status & KB_STATUS_FASTPATH ? "fastpath" : "ioctl")) &&
	     (hook_name(v->status) ?
	      kb_json_add(m, "fastpath_hook",
			  json_object_new_string(hook_name(v->status))) :
	      kb_json_null(m, "fastpath_hook")) &&
	     kb_json_add(m, "syscall_run", json_object_new_boolean(
			v->status & KB_STATUS_SYSCALL_RUN));
	if (ok && st) {
		ok = (s = json_object_new_object()) && kb_json_add(o, "session", s) &&
		     kb_json_add(s, "pid", json_object_new_int64(pid)) &&
		     kb_json_add(s, "members", json_object_new_int64(st->members)) &&
		     kb_json_add(s, "joined", json_object_new_uint64(st->joined)) &&
		     kb_json_add(s, "total", json_object_new_uint64(st->total)) &&
		     kb_json_add(s, "fastpath", json_object_new_uint64(st->fastpath)) &&
		     kb_json_add(s, "out_of_range", json_object_new_uint64(st->out_of_range)) &&
		     kb_json_add(s, "path", json_object_new_string(
				st->state & KB_SESSION_FASTPATH ? "fastpath" : "ioctl"));
		if (ok && nrules >= 0)
			ok = kb_json_add(s, "rules", json_object_new_int64(nrules));
	}
	err = ok ? kb_json_write(STDOUT_FILENO, o) : -ENOMEM;
	json_object_put(o);
	return err;
}

int kbctl_status(int argc, char **argv)
{
	static const struct argp argp = {
		options, parse_opt, "[PID]", doc, NULL, NULL, NULL
	};
	struct status_opts o = { .pid = 0 };
	struct kb_session_stats st;
	struct kb_version v;
	struct kb_rules rules;
	uint64_t *counts = NULL;
	int64_t nrules = -1;
	int fd, err;

	argp_parse(&argp, argc, argv, 0, NULL, &o);
	if (o.pid) {
		fd = kbctl_session_fd(o.pid);
		if (fd < 0)
			return KBCTL_EXIT_FAIL;
	} else {
		fd = kbctl_open_module();
		if (fd < 0) {
			if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
				kbctl_err("kbridge.ko is not loaded (no %s)",
					  KB_DEVICE_PATH);
			else
				kbctl_err("%s: %s", KB_DEVICE_PATH, strerror(errno));
			return KBCTL_EXIT_FAIL;
		}
	}
	if (kb_get_version(fd, &v)) {
		kbctl_err("%s: KB_IOC_GET_VERSION: %s", KB_DEVICE_PATH,
			  strerror(errno));
		close(fd);
		return KBCTL_EXIT_FAIL;
	}
	if (o.pid) {
		if (kb_get_stats(fd, &v, &st, &counts, NULL)) {
			kbctl_err("PID %d: KB_IOC_SESSION_STATS: %s", (int)o.pid,
				  strerror(errno));
			close(fd);
			return KBCTL_EXIT_FAIL;
		}
		free(counts);
		if ((v.features & KB_FEATURE_GET_RULES) &&
		    !kb_rules_fetch_fd(fd, &rules)) {
			nrules = rules.count;
			kb_rules_free(&rules);
		}
	}
	close(fd);
	if (o.json) {
		err = print_json(&v, o.pid, o.pid ? &st : NULL, nrules);
		if (err) {
			kbctl_err("cannot write JSON: %s", strerror(-err));
			return KBCTL_EXIT_FAIL;
		}
	} else {
		print_text(&v, o.pid, o.pid ? &st : NULL, nrules);
	}
	return fflush(stdout) ? KBCTL_EXIT_FAIL : 0;
}
