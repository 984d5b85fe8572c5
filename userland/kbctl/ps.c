// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl ps: the processes under kbridge, by profile (KB_IOC_TASK_LIST).
 *
 * The module lists member tasks; a process is shown once, with its
 * thread count, unless --threads asks for one line per task. Programs of
 * exec rules hold no /dev/kbridge file, so this is the one view of them
 * besides kbctl rule list's counts.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <json-c/json.h>

#include "kbctl.h"
#include "../lib/ioctl.h"
#include "../lib/json.h"

struct ps_opts {
	bool json;
	bool threads;
	bool by_session, by_rule;
	uint64_t session, rule;
	const char *name;
};

/*
 * One process: its tasks are consecutive in the module's list (sorted by
 * session, process, thread), and all wanted or none (filters are per
 * session).
 */
struct ps_proc {
	const struct kb_task_info *tasks;	/* the first of them */
	const struct kb_task_info *first;	/* its leader if listed */
	uint32_t ntasks;
	uint32_t out_of_scope;
};

static const char doc[] =
"List the processes running under kbridge: those kblaunch started and "
"those exec rules (kbctl rule) put under a personality, one line per "
"process, grouped by session: its profile's name (PROFILE), the exec rule "
"that chose it (RULE, '-' for kblaunch), the session (for kbctl stats "
"--session), PID, user, threads and command.\n"
"\n"
"EXAMPLES:\n"
"  kbctl ps\n"
"  kbctl ps --rule 2\n"
"  kbctl ps --name kerla --threads --json"
"\v"
"Every process the caller's pid namespace can see is listed, as "
"/proc/PID/status shows every process's seccomp mode. Flags: closed (the "
"session's file is closed: kblaunch has gone), out-of-scope (threads "
"outside --only's programs). Exit status: 0, or 1 on any error (module "
"not loaded, or without KB_IOC_TASK_LIST).";

static const struct argp_option options[] = {
	{ "json", 'j', NULL, 0, "Print JSON (schema in docs/kbctl.md)", 0 },
	{ "threads", 'T', NULL, 0, "One line per thread", 0 },
	{ "session", 's', "S", 0, "Only session S", 0 },
	{ "rule", 'r', "ID", 0, "Only the programs of exec rule ID", 0 },
	{ "name", 'n', "NAME", 0, "Only sessions named NAME (the profile)", 0 },
	{ 0 }
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct ps_opts *o = state->input;

	switch (key) {
	case 'j':
		o->json = true;
		break;
	case 'T':
		o->threads = true;
		break;
	case 's':
		if (!kbctl_parse_id(arg, &o->session) || !o->session)
			argp_error(state, "--session %s: not a session id", arg);
		o->by_session = true;
		break;
	case 'r':
		if (!kbctl_parse_id(arg, &o->rule) || !o->rule)
			argp_error(state, "--rule %s: not a rule id", arg);
		o->by_rule = true;
		break;
	case 'n':
		o->name = arg;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/*
 * Every task under kbridge, sorted by session, process, thread; *@n
 * entries. NULL on error, printed when @report.
 */
static struct kb_task_info *task_list(uint32_t *n, bool report)
{
	struct kb_task_info *t;
	struct kb_version v;
	int fd;

	fd = report ? kbctl_open_device() : kbctl_open_module();
	if (fd < 0)
		return NULL;
	if (kb_get_version(fd, &v) || !(v.features & KB_FEATURE_TASK_LIST)) {
		if (report)
			kbctl_err("the loaded kbridge.ko cannot list its tasks (no KB_FEATURE_TASK_LIST)");
		close(fd);
		return NULL;
	}
	t = kbctl_list(fd, KB_IOC_TASK_LIST, sizeof(*t), n);
	if (!t && report)
		kbctl_err("KB_IOC_TASK_LIST: %s", strerror(errno));
	close(fd);
	return t;
}

bool kbctl_task_info(pid_t pid, struct kb_task_info *out)
{
	struct kb_task_info *t;
	uint32_t i, n = 0;
	bool found = false;

	/* A side note to another message: no errors of its own. */
	t = task_list(&n, false);
	/* The process's leader, else any of its threads. */
	for (i = 0; t && i < n; i++) {
		if (t[i].tgid != (uint32_t)pid)
			continue;
		*out = t[i];
		found = true;
		if (t[i].pid == (uint32_t)pid)
			break;
	}
	free(t);
	return found;
}

static bool wanted(const struct ps_opts *o, const struct kb_task_info *t)
{
	return (!o->by_session || t->session == o->session) &&
	       (!o->by_rule || t->rule == o->rule) &&
	       (!o->name || !strcmp(t->name, o->name));
}

static void user_name(uint32_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%u", uid);
}

static const char *flag_text(uint32_t flags, uint32_t out_of_scope,
			     uint32_t ntasks, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s",
		 flags & KB_TASK_CLOSED ? "closed" : "",
		 flags & KB_TASK_CLOSED && out_of_scope ? "," : "",
		 !out_of_scope ? "" : out_of_scope == ntasks ?
		 "out-of-scope" : "partly-out-of-scope");
	return buf[0] ? buf : "-";
}

/* Groups @t's entries by process into @procs; returns how many. */
static uint32_t group(const struct ps_opts *o, const struct kb_task_info *t,
		      uint32_t n, struct ps_proc *procs)
{
	uint32_t i, np = 0;

	for (i = 0; i < n; i++) {
		struct ps_proc *p = np ? &procs[np - 1] : NULL;

		if (!wanted(o, &t[i]))
			continue;
		if (!p || p->first->tgid != t[i].tgid ||
		    p->first->session != t[i].session) {
			p = &procs[np++];
			p->tasks = p->first = &t[i];
			p->ntasks = 0;
			p->out_of_scope = 0;
		}
		if (t[i].pid == t[i].tgid)
			p->first = &t[i];
		p->ntasks++;
		p->out_of_scope += !!(t[i].flags & KB_TASK_OUT_OF_SCOPE);
	}
	return np;
}

static void print_line(const struct kb_task_info *t, uint32_t pid,
		       uint32_t count, uint32_t out_of_scope)
{
	char user[64], rule[24], flags[64];

	user_name(t->uid, user, sizeof(user));
	if (t->rule)
		snprintf(rule, sizeof(rule), "%" PRIu64, (uint64_t)t->rule);
	else
		snprintf(rule, sizeof(rule), "-");
	printf("%-16s %5s %7" PRIu64 " %7u %-10s %7u %-16s %s\n",
	       t->name[0] ? t->name : "-", rule, (uint64_t)t->session, pid,
	       user, count, t->comm,
	       flag_text(t->flags, out_of_scope, count, flags, sizeof(flags)));
}

static void print_text(const struct ps_opts *o, const struct ps_proc *procs,
		       uint32_t np)
{
	const struct kb_task_info *t;
	uint32_t i, j;

	printf("%-16s %5s %7s %7s %-10s %7s %-16s %s\n", "PROFILE", "RULE",
	       "SESSION", o->threads ? "TID" : "PID", "USER",
	       o->threads ? "TGID" : "THREADS", "COMMAND", "FLAGS");
	for (i = 0; i < np; i++) {
		if (!o->threads) {
			print_line(procs[i].first, procs[i].first->tgid,
				   procs[i].ntasks, procs[i].out_of_scope);
			continue;
		}
		for (j = 0; j < procs[i].ntasks; j++) {
			t = &procs[i].tasks[j];
			print_line(t, t->pid, t->tgid,
				   !!(t->flags & KB_TASK_OUT_OF_SCOPE));
		}
	}
}

static struct json_object *task_json(const struct kb_task_info *t)
{
	struct json_object *j = json_object_new_object();
	bool ok;

	ok = j && kb_json_add(j, "tid", json_object_new_int64(t->pid)) &&
	     kb_json_add(j, "comm", json_object_new_string(t->comm)) &&
	     kb_json_add(j, "out_of_scope",
			 json_object_new_boolean(t->flags & KB_TASK_OUT_OF_SCOPE));
	if (!ok) {
		json_object_put(j);
		return NULL;
	}
	return j;
}

/* One object per process, its threads inside; fields of its leader. */
static int print_json(const struct ps_proc *procs, uint32_t np)
{
	struct json_object *root = json_object_new_object(), *arr = NULL;
	struct json_object *p, *threads, *j;
	const struct kb_task_info *t;
	char user[64];
	uint32_t i, k;
	bool ok;

	ok = root && (arr = json_object_new_array()) &&
	     kb_json_add(root, "processes", arr);
	for (i = 0; ok && i < np; i++) {
		t = procs[i].first;
		user_name(t->uid, user, sizeof(user));
		p = threads = NULL;
		ok = (p = json_object_new_object()) &&
		     !json_object_array_add(arr, p) &&
		     kb_json_add(p, "pid", json_object_new_int64(t->tgid)) &&
		     kb_json_add(p, "profile", json_object_new_string(t->name)) &&
		     kb_json_add(p, "rule", json_object_new_int64((int64_t)t->rule)) &&
		     kb_json_add(p, "session", json_object_new_int64((int64_t)t->session)) &&
		     kb_json_add(p, "uid", json_object_new_int64(t->uid)) &&
		     kb_json_add(p, "user", json_object_new_string(user)) &&
		     kb_json_add(p, "exec_rule",
				 json_object_new_boolean(t->flags & KB_TASK_EXEC)) &&
		     kb_json_add(p, "closed",
				 json_object_new_boolean(t->flags & KB_TASK_CLOSED)) &&
		     kb_json_add(p, "comm", json_object_new_string(t->comm)) &&
		     (threads = json_object_new_array()) &&
		     kb_json_add(p, "threads", threads);
		for (k = 0; ok && k < procs[i].ntasks; k++) {
			j = task_json(&procs[i].tasks[k]);
			ok = j && !json_object_array_add(threads, j);
		}
	}
	if (ok)
		printf("%s\n", json_object_to_json_string_ext(root,
				JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	if (!ok)
		kbctl_err("out of memory");
	return ok ? 0 : KBCTL_EXIT_FAIL;
}

int kbctl_ps(int argc, char **argv)
{
	static const struct argp argp = { options, parse_opt, NULL, doc,
					  NULL, NULL, NULL };
	struct ps_opts o = { 0 };
	struct kb_task_info *t;
	struct ps_proc *procs;
	uint32_t n = 0, np;
	int ret = 0;

	argp_parse(&argp, argc, argv, 0, NULL, &o);
	t = task_list(&n, true);
	if (!t)
		return KBCTL_EXIT_FAIL;
	procs = calloc(n ? n : 1, sizeof(*procs));
	if (!procs) {
		kbctl_err("out of memory");
		free(t);
		return KBCTL_EXIT_FAIL;
	}
	np = group(&o, t, n, procs);
	if (o.json)
		ret = print_json(procs, np);
	else
		print_text(&o, procs, np);
	free(procs);
	free(t);
	return ret;
}
