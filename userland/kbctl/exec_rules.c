// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl rule: personalities chosen at exec, with no launcher in front of
 * the program (KB_IOC_EXEC_RULE_ADD/DEL/LIST).
 *
 *   kbctl rule add (--path GLOB | --osabi N | --elf-note NOTE) --profile P
 *                  [--global]
 *                  [--inherit] [--name NAME]
 *   kbctl rule list
 *   kbctl rule del ID
 *
 * The profile is parsed here, as for kblaunch, and must be decidable in
 * the kernel alone: there is no runtime in a program an exec rule puts
 * under a profile.
 */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kbctl.h"
#include "../lib/profile.h"

enum { OPT_PATH = 0x100, OPT_OSABI, OPT_NOTE, OPT_PROFILE, OPT_GLOBAL,
       OPT_INHERIT, OPT_NAME };

struct rule_opts {
	const char *path;
	long osabi;
	const char *note;
	const char *profile;
	const char *name;
	uint32_t flags;
	const char *id;
};

static const struct argp_option add_options[] = {
	{ "path", OPT_PATH, "GLOB", 0,
	  "Match programs whose ELF file's absolute path matches GLOB ('*' also matches '/')", 0 },
	{ "osabi", OPT_OSABI, "N", 0,
	  "Match ELF files whose header's EI_OSABI byte is N (0..255)", 0 },
	{ "elf-note", OPT_NOTE, "NOTE", 0,
	  "Match ELF files with a note named NOTE (e.g. kbridge.personality, added with objcopy) whose description is the personality's name", 0 },
	{ "profile", OPT_PROFILE, "P", 0,
	  "The policy: a profile name or file, decidable in the kernel (no path conditions)", 0 },
	{ "global", OPT_GLOBAL, NULL, 0,
	  "Apply to execs in every namespace (root only); the default is the caller's user namespace", 0 },
	{ "inherit", OPT_INHERIT, NULL, 0,
	  "Keep the personality when a matched program execs one that matches no rule", 0 },
	{ "name", OPT_NAME, "NAME", 0,
	  "The personality's name ([a-z0-9_-], 31 at most); default: the profile's file name", 0 },
	{ 0 }
};

static error_t parse_add(int key, char *arg, struct argp_state *state)
{
	struct rule_opts *o = state->input;
	char *end;

	switch (key) {
	case OPT_PATH:
		o->path = arg;
		break;
	case OPT_OSABI:
		errno = 0;
		o->osabi = strtol(arg, &end, 0);
		if (errno || end == arg || *end || o->osabi < 0 ||
		    o->osabi > 255)
			argp_error(state, "--osabi %s: not a number from 0 to 255",
				   arg);
		break;
	case OPT_NOTE:
		o->note = arg;
		break;
	case OPT_PROFILE:
		o->profile = arg;
		break;
	case OPT_GLOBAL:
		o->flags |= KB_EXEC_GLOBAL;
		break;
	case OPT_INHERIT:
		o->flags |= KB_EXEC_INHERIT;
		break;
	case OPT_NAME:
		o->name = arg;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (!!o->path + (o->osabi >= 0) + !!o->note != 1)
			argp_error(state, "give one of --path, --osabi and --elf-note");
		if (!o->profile)
			argp_error(state, "--profile is required");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* The profile's file name without directory and ".profile". */
static void default_name(const char *profile, char *name, size_t len)
{
	const char *base = strrchr(profile, '/');
	size_t n;

	base = base ? base + 1 : profile;
	n = strcspn(base, ".");
	if (n >= len)
		n = len - 1;
	memcpy(name, base, n);
	name[n] = '\0';
}

static int open_dev(void)
{
	int fd = kbctl_open_module();

	if (fd < 0)
		kbctl_err("%s: %s%s", KB_DEVICE_PATH, strerror(errno),
			  errno == ENOENT ? " (kbridge.ko is not loaded)" : "");
	return fd;
}

static int rule_add(int argc, char **argv)
{
	static const struct argp argp = {
		add_options, parse_add, NULL,
		"Put every program that an exec of a matching file starts under a profile, from its first instruction.",
		NULL, NULL, NULL
	};
	struct rule_opts o = { .osabi = -1 };
	struct kb_exec_rule_add a = { .size = sizeof(a) };
	struct kb_profile *p;
	char err[512];
	int fd, ret = KBCTL_EXIT_FAIL;

	argp_parse(&argp, argc, argv, 0, NULL, &o);
	p = kb_profile_load(o.profile, err, sizeof(err));
	if (!p) {
		kbctl_err("%s", err);
		return KBCTL_EXIT_FAIL;
	}
	if (o.name)
		snprintf(a.name, sizeof(a.name), "%s", o.name);
	else
		default_name(o.profile, a.name, sizeof(a.name));
	a.flags = o.flags;
	if (o.path || o.note) {
		a.match = o.path ? KB_EXEC_MATCH_PATH : KB_EXEC_MATCH_NOTE;
		a.pattern = (uintptr_t)(o.path ? o.path : o.note);
		a.pattern_len = (uint32_t)strlen(o.path ? o.path : o.note);
	} else {
		a.match = KB_EXEC_MATCH_OSABI;
		a.osabi = (uint32_t)o.osabi;
	}
	a.count = p->count;
	a.rule_size = sizeof(*p->rules);
	a.rules = (uintptr_t)p->rules;
	fd = open_dev();
	if (fd < 0)
		goto out;
	if (ioctl(fd, KB_IOC_EXEC_RULE_ADD, &a)) {
		if (errno == EOPNOTSUPP)
			kbctl_err("%s: KB_IOC_EXEC_RULE_ADD: %s: its path conditions need kblaunch's runtime, or the module's fast path is off",
				  p->origin, strerror(errno));
		else if (errno == EPERM)
			kbctl_err("KB_IOC_EXEC_RULE_ADD: %s: %s needs CAP_SYS_ADMIN%s",
				  strerror(errno),
				  o.flags & KB_EXEC_GLOBAL ? "--global" :
				  "a rule", o.flags & KB_EXEC_GLOBAL ? "" :
				  " in your user namespace");
		else if (errno == EINVAL && !o.name)
			kbctl_err("KB_IOC_EXEC_RULE_ADD: %s (is '%s' a valid name? see --name)",
				  strerror(errno), a.name);
		else
			kbctl_err("KB_IOC_EXEC_RULE_ADD: %s", strerror(errno));
		close(fd);
		goto out;
	}
	printf("%llu\n", (unsigned long long)a.id);
	close(fd);
	ret = 0;
out:
	kb_profile_free(p);
	return ret;
}

static int rule_del(int argc, char **argv)
{
	struct kb_exec_rule_del d = { .size = sizeof(d) };
	char *end;
	int fd;

	if (argc != 2 || !strcmp(argv[1], "--help")) {
		fprintf(argc == 2 ? stdout : stderr,
			"Usage: kbctl rule del ID\nRemove the exec rule ID (kbctl rule list); programs already under it keep it until they exit.\n");
		return argc == 2 ? 0 : KBCTL_EXIT_FAIL;
	}
	errno = 0;
	d.id = strtoull(argv[1], &end, 10);
	if (errno || end == argv[1] || *end || !d.id) {
		kbctl_err("'%s' is not a rule id", argv[1]);
		return KBCTL_EXIT_FAIL;
	}
	fd = open_dev();
	if (fd < 0)
		return KBCTL_EXIT_FAIL;
	if (ioctl(fd, KB_IOC_EXEC_RULE_DEL, &d)) {
		kbctl_err("rule %s: %s", argv[1],
			  errno == ENOENT ? "no such rule" : strerror(errno));
		close(fd);
		return KBCTL_EXIT_FAIL;
	}
	close(fd);
	return 0;
}

static int rule_list(int argc, char **argv)
{
	struct kb_exec_rule_list l = {
		.size = sizeof(l), .info_size = sizeof(struct kb_exec_rule_info),
	};
	struct kb_exec_rule_info *r = NULL;
	uint32_t i;
	int fd;

	if (argc != 1) {
		fprintf(!strcmp(argv[1], "--help") ? stdout : stderr,
			"Usage: kbctl rule list\nThe exec rules your execs see, in the order they apply: id, match, personality, flags, programs under it now, syscalls decided.\n");
		return !strcmp(argv[1], "--help") ? 0 : KBCTL_EXIT_FAIL;
	}
	fd = open_dev();
	if (fd < 0)
		return KBCTL_EXIT_FAIL;
	/* The count may grow between the two calls: ask again then. */
	while (ioctl(fd, KB_IOC_EXEC_RULE_LIST, &l)) {
		if (errno != ENOSPC) {
			kbctl_err("KB_IOC_EXEC_RULE_LIST: %s", strerror(errno));
			free(r);
			close(fd);
			return KBCTL_EXIT_FAIL;
		}
		free(r);
		r = calloc(l.count, sizeof(*r));
		if (!r) {
			kbctl_err("out of memory");
			close(fd);
			return KBCTL_EXIT_FAIL;
		}
		l.rules = (uintptr_t)r;
	}
	close(fd);
	printf("%-6s %-40s %-16s %-14s %8s %12s\n", "ID", "MATCH", "PERSONALITY",
	       "FLAGS", "PROGRAMS", "SYSCALLS");
	for (i = 0; i < l.count && r; i++) {
		char match[KB_EXEC_PATTERN_SHOW + 16];

		if (r[i].match == KB_EXEC_MATCH_PATH)
			snprintf(match, sizeof(match), "path %s%s", r[i].pattern,
				 r[i].pattern_len >= KB_EXEC_PATTERN_SHOW ?
				 "..." : "");
		else if (r[i].match == KB_EXEC_MATCH_NOTE)
			snprintf(match, sizeof(match), "note %s", r[i].pattern);
		else
			snprintf(match, sizeof(match), "osabi %u", r[i].osabi);
		printf("%-6llu %-40s %-16s %-14s %8u %12llu\n",
		       (unsigned long long)r[i].id, match, r[i].name,
		       r[i].flags & KB_EXEC_GLOBAL ?
		       (r[i].flags & KB_EXEC_INHERIT ? "global,inherit" : "global") :
		       (r[i].flags & KB_EXEC_INHERIT ? "ns,inherit" : "ns"),
		       r[i].members, (unsigned long long)r[i].calls);
	}
	free(r);
	return 0;
}

int kbctl_rule(int argc, char **argv)
{
	static char add[] = "kbctl rule add";

	if (argc >= 2 && !strcmp(argv[1], "add")) {
		/* "kbctl rule add" in its usage and error lines. */
		argv[1] = add;
		return rule_add(argc - 1, argv + 1);
	}
	if (argc >= 2 && !strcmp(argv[1], "del"))
		return rule_del(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "list"))
		return rule_list(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "--help")) {
		printf("Usage: kbctl rule add|list|del ...\n"
		       "  add (--path GLOB | --osabi N | --elf-note NOTE) --profile P [--global] [--inherit] [--name NAME]\n"
		       "  list\n"
		       "  del ID\n"
		       "'kbctl rule add --help' describes the options.\n");
		return 0;
	}
	kbctl_err("rule: give add, list or del ('kbctl rule --help')");
	return KBCTL_EXIT_FAIL;
}
