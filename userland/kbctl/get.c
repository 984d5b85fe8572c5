// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl get: a running session's policy, read back in profile syntax,
 * with each rule's hits and each syscall's calls.
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
#include "../lib/ioctl.h"
#include "../lib/json.h"
#include "../lib/names.h"
#include "../lib/profile.h"

/* A syscall name (or number) -> its number, or -1 after saying why. */
static int syscall_nr(const char *name, uint32_t nr_syscalls)
{
	char *end;
	long v;
	int nr;

	v = strtol(name, &end, 10);
	if (*name && !*end)
		nr = v >= 0 && v < (long)nr_syscalls ? (int)v : -1;
	else
		nr = kb_syscall_lookup(name);
	if (nr < 0 || (uint32_t)nr >= nr_syscalls) {
		kbctl_err("'%s' is not an x86_64 syscall kbridge handles", name);
		return -1;
	}
	return nr;
}

struct get_opts {
	bool json;
	bool all;
	pid_t pid;
	char **names;
	int nnames;
};

static const char get_doc[] =
"Print the rules of PID's session in profile syntax, each with the number "
"of calls it decided since it was set (hits), and each syscall's call "
"count. With SYSCALLs, only those (their rule even when it is the initial "
"pass).\n"
"\n"
"EXAMPLES:\n"
"  kbctl get 1234                 every rule that is not the initial pass\n"
"  kbctl get 1234 openat getppid  just these two\n"
"  kbctl get --json 1234          rules and counts of every syscall, JSON"
"\v"
"Text lines are profile lines followed by '# hits N, calls N': a file of "
"them is a profile again. The JSON is {\"pid\": N, \"syscalls\": [...]}, "
"with the syscall objects of kblaunch's --report (docs/report.md).";

static const struct argp_option get_options[] = {
	{ "json", 'j', NULL, 0, "Print JSON", 0 },
	{ "all", 'a', NULL, 0,
	  "Also list syscalls that have the initial rule but were called", 0 },
	{ 0 }
};

static error_t get_parse(int key, char *arg, struct argp_state *state)
{
	struct get_opts *o = state->input;

	switch (key) {
	case 'j':
		o->json = true;
		break;
	case 'a':
		o->all = true;
		break;
	case ARGP_KEY_ARG:
	case ARGP_KEY_ARGS:
		return kbctl_parse_pid_words(key, arg, state, &o->pid,
					     &o->names, &o->nnames);
	case ARGP_KEY_END:
		if (!o->pid)
			argp_error(state, "no PID given");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* One syscall's rule lines, or its initial rule when it has none. */
static void print_syscall(uint32_t nr, uint64_t calls, const struct kb_rules *r)
{
	char text[KB_PATH_MAX + 256], note[96];
	bool first = true;
	uint32_t i;
	char *name;

	for (i = 0; i < r->count; i++) {
		const struct kb_rule_desc *d = &r->rules[i];

		if (d->nr != nr)
			continue;
		if (kb_rule_format(d, (const char *)(uintptr_t)d->path, text,
				   sizeof(text)) < 0)
			snprintf(text, sizeof(text), "? (entry %u)", i);
		if (first)
			snprintf(note, sizeof(note), "hits %" PRIu64 ", calls %" PRIu64,
				 r->hits[i], calls);
		else
			snprintf(note, sizeof(note), "hits %" PRIu64, r->hits[i]);
		printf("%-40s # %s\n", text, note);
		first = false;
	}
	if (!first)
		return;
	name = kb_syscall_name(nr);
	snprintf(text, sizeof(text), "%s pass", name ? name : "?");
	free(name);
	printf("%-40s # initial rule, calls %" PRIu64 "\n", text, calls);
}

static bool has_entry(const struct kb_rules *r, uint32_t nr)
{
	uint32_t i;

	for (i = 0; i < r->count; i++)
		if (r->rules[i].nr == nr)
			return true;
	return false;
}

int kbctl_get(int argc, char **argv)
{
	static const struct argp argp = {
		get_options, get_parse, "PID [SYSCALL...]", get_doc,
		NULL, NULL, NULL
	};
	struct get_opts o = { 0 };
	struct kb_session_stats st;
	struct json_object *out = NULL, *arr;
	struct kb_rules r = { 0 };
	struct kb_version v;
	uint64_t *counts = NULL, c;
	uint32_t *only = NULL, nr;
	int fd, i, n, ret = KBCTL_EXIT_FAIL;

	argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &o);
	fd = kbctl_open_session(o.pid, &v);
	if (fd < 0)
		return KBCTL_EXIT_FAIL;
	if (o.nnames) {
		only = calloc(o.nnames, sizeof(*only));
		if (!only)
			goto out;
		for (i = 0; i < o.nnames; i++) {
			n = syscall_nr(o.names[i], v.nr_syscalls);
			if (n < 0)
				goto out;
			only[i] = n;
		}
	}
	if (kbctl_fetch_rules(fd, o.pid, &v, &r))
		goto out;
	if (kb_get_stats(fd, &v, &st, &counts, NULL)) {
		kbctl_err("PID %d: KB_IOC_SESSION_STATS: %s", (int)o.pid,
			  strerror(errno));
		goto out;
	}
	if (o.json) {
		arr = kb_json_syscalls(counts, st.nr_counts, &r, NULL, only,
				       o.nnames);
		out = json_object_new_object();
		if (!arr || !out ||
		    json_object_object_add(out, "pid", json_object_new_int64(o.pid)) ||
		    json_object_object_add(out, "syscalls", arr)) {
			json_object_put(arr);
			kbctl_err("out of memory");
			goto out;
		}
		n = kb_json_write(STDOUT_FILENO, out);
		if (n) {
			kbctl_err("cannot write JSON: %s", strerror(-n));
			goto out;
		}
		ret = 0;
		goto out;
	}
	for (i = 0; i < o.nnames; i++)
		print_syscall(only[i], only[i] < st.nr_counts ? counts[only[i]] : 0, &r);
	for (nr = 0; !o.nnames && nr < v.nr_syscalls; nr++) {
		c = nr < st.nr_counts ? counts[nr] : 0;
		if (has_entry(&r, nr) || (o.all && c))
			print_syscall(nr, c, &r);
	}
	ret = fflush(stdout) ? KBCTL_EXIT_FAIL : 0;
out:
	json_object_put(out);
	kb_rules_free(&r);
	free(counts);
	free(only);
	close(fd);
	return ret;
}
