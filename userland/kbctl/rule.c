// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl rule: personalities chosen at exec, with no launcher in front of
 * the program (KB_IOC_EXEC_RULE_ADD/DEL/LIST).
 *
 *   kbctl rule add (--path GLOB | --osabi N | --elf-note NOTE) --profile P
 *                  [--global] [--inherit | --runtime[=KBLAUNCH]]
 *                  [--name NAME]
 *   kbctl rule add --elf-note NOTE [--global] [--inherit | --runtime]
 *                  (one rule per profile found, named after it)
 *   kbctl rule list
 *   kbctl rule del ID
 *
 * The profile is parsed here, as for kblaunch. Without --runtime it must
 * be decidable in the kernel alone: there is no runtime in a program an
 * exec rule puts under a profile. With --runtime the module runs the
 * matching programs through kblaunch --profile P instead, which brings
 * the runtime (path conditions and all).
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kbctl.h"
#include "../lib/profile.h"

enum { OPT_PATH = 0x100, OPT_OSABI, OPT_NOTE, OPT_PROFILE, OPT_GLOBAL,
       OPT_INHERIT, OPT_NAME, OPT_RUNTIME };

struct rule_opts {
	const char *path;
	long osabi;
	const char *note;
	const char *profile;
	const char *name;
	uint32_t flags;
	const char *id;
	const char *launcher;	/* --runtime=KBLAUNCH */
};

static const struct argp_option add_options[] = {
	{ "path", OPT_PATH, "GLOB", 0,
	  "Match programs whose ELF file's absolute path matches GLOB ('*' also matches '/'), and those a matching #! script starts", 0 },
	{ "osabi", OPT_OSABI, "N", 0,
	  "Match ELF files whose header's EI_OSABI byte is N (0..255)", 0 },
	{ "elf-note", OPT_NOTE, "NOTE", 0,
	  "Match ELF files with a note named NOTE (e.g. kbridge.personality, added with objcopy) whose description is the personality's name", 0 },
	{ "profile", OPT_PROFILE, "P", 0,
	  "The policy: a profile name or file, decidable in the kernel (no path conditions) unless --runtime; required but for --elf-note, which without it adds a rule per profile", 0 },
	{ "global", OPT_GLOBAL, NULL, 0,
	  "Apply to execs in every namespace (root only); the default is the caller's user namespace", 0 },
	{ "inherit", OPT_INHERIT, NULL, 0,
	  "Keep the personality when a matched program execs one that matches no rule", 0 },
	{ "name", OPT_NAME, "NAME", 0,
	  "The personality's name ([a-z0-9_-], 31 at most); default: the profile's file name", 0 },
	{ "runtime", OPT_RUNTIME, "KBLAUNCH", OPTION_ARG_OPTIONAL,
	  "Run the matching programs through kblaunch --profile P, which injects the runtime the profile's path conditions need; KBLAUNCH: its path, by default the kblaunch beside kbctl or in PATH", 0 },
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
	case OPT_RUNTIME:
		o->flags |= KB_EXEC_RUNTIME;
		o->launcher = arg;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (!!o->path + (o->osabi >= 0) + !!o->note != 1)
			argp_error(state, "give one of --path, --osabi and --elf-note");
		if (!o->profile && !o->note)
			argp_error(state, "--profile is required (but for --elf-note: every profile)");
		if (!o->profile && o->name)
			argp_error(state, "--name needs --profile");
		if ((o->flags & KB_EXEC_RUNTIME) && (o->flags & KB_EXEC_INHERIT))
			argp_error(state, "--inherit is for in-kernel rules: kblaunch's runtime follows execs itself");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Is @path an executable regular file? Its absolute path into @out. */
static bool executable(const char *path, char *out)
{
	struct stat st;

	return !access(path, X_OK) && !stat(path, &st) && S_ISREG(st.st_mode) &&
	       realpath(path, out);
}

/*
 * The kblaunch of --runtime into @out (PATH_MAX): @given, else the one
 * installed beside kbctl (or built beside it in the tree), else PATH's.
 */
static bool find_launcher(const char *given, char *out)
{
	char exe[PATH_MAX], try[PATH_MAX + 32], *slash;
	const char *env = getenv("PATH");
	ssize_t n;

	if (given) {
		errno = 0;
		if (executable(given, out))
			return true;
		kbctl_err("--runtime=%s: %s", given,
			  errno ? strerror(errno) : "not an executable file");
		return false;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(try, sizeof(try), "%s/kblaunch", exe);
			if (executable(try, out))
				return true;
			snprintf(try, sizeof(try), "%s/../kblaunch/kblaunch", exe);
			if (executable(try, out))
				return true;
		}
	}
	while (env && *env) {
		size_t l = strcspn(env, ":");

		snprintf(try, sizeof(try), "%.*s/kblaunch", (int)l, env);
		if (l && executable(try, out))
			return true;
		env += l + (env[l] == ':');
	}
	kbctl_err("--runtime: no kblaunch beside kbctl nor in PATH: give --runtime=PATH");
	return false;
}

/*
 * The command of a KB_EXEC_RUNTIME rule: "KBLAUNCH\0--profile\0P\0--\0",
 * with absolute paths, since the execs it runs for may be anywhere.
 */
static char *runtime_cmd(const char *launcher, const struct kb_profile *p,
			 uint32_t *len)
{
	char kbl[PATH_MAX], prof[PATH_MAX], *cmd;
	int n;

	if (!find_launcher(launcher, kbl))
		return NULL;
	if (!realpath(p->origin, prof)) {
		kbctl_err("%s: %s", p->origin, strerror(errno));
		return NULL;
	}
	n = snprintf(NULL, 0, "%s%c--profile%c%s%c--", kbl, 0, 0, prof, 0);
	cmd = malloc((size_t)n + 1);
	if (!cmd) {
		kbctl_err("out of memory");
		return NULL;
	}
	snprintf(cmd, (size_t)n + 1, "%s%c--profile%c%s%c--", kbl, 0, 0, prof, 0);
	*len = (uint32_t)n + 1;
	return cmd;
}

/*
 * KB_IOC_EXEC_RULE_ADD of @p under @name, as @o says (--runtime: through
 * kblaunch). 0 with *@id set, else -1 with errno, the message printed
 * unless @quiet_eopnotsupp and errno is EOPNOTSUPP.
 */
static int add_one(int fd, const struct rule_opts *o,
		   const struct kb_profile *p, const char *name,
		   bool quiet_eopnotsupp, uint64_t *id)
{
	struct kb_exec_rule_add a = { .size = sizeof(a), .flags = o->flags };
	char *cmd = NULL;
	int ret = -1;

	snprintf(a.name, sizeof(a.name), "%s", name);
	if (o->path || o->note) {
		a.match = o->path ? KB_EXEC_MATCH_PATH : KB_EXEC_MATCH_NOTE;
		a.pattern = (uintptr_t)(o->path ? o->path : o->note);
		a.pattern_len = (uint32_t)strlen(o->path ? o->path : o->note);
	} else {
		a.match = KB_EXEC_MATCH_OSABI;
		a.osabi = (uint32_t)o->osabi;
	}
	if (o->flags & KB_EXEC_RUNTIME) {
		/* The policy is kblaunch's, from the profile: none here. */
		cmd = runtime_cmd(o->launcher, p, &a.runtime_len);
		if (!cmd) {
			errno = EINVAL;
			return -1;
		}
		a.runtime = (uintptr_t)cmd;
	} else {
		a.count = p->count;
		a.rule_size = sizeof(*p->rules);
		a.rules = (uintptr_t)p->rules;
	}
	if (!ioctl(fd, KB_IOC_EXEC_RULE_ADD, &a)) {
		*id = a.id;
		ret = 0;
	} else if (errno == EOPNOTSUPP) {
		if (!quiet_eopnotsupp)
			kbctl_err("%s: KB_IOC_EXEC_RULE_ADD: %s: its path conditions need kblaunch's runtime (add --runtime), or the module's fast path is off",
				  p->origin, strerror(errno));
	} else if (errno == EINVAL && (o->flags & KB_EXEC_RUNTIME)) {
		kbctl_err("KB_IOC_EXEC_RULE_ADD: %s (a module without KB_EXEC_RUNTIME, or a bad --name?)",
			  strerror(errno));
	} else if (errno == EPERM) {
		kbctl_err("KB_IOC_EXEC_RULE_ADD: %s: %s needs CAP_SYS_ADMIN%s",
			  strerror(errno),
			  o->flags & KB_EXEC_GLOBAL ? "--global" : "a rule",
			  o->flags & KB_EXEC_GLOBAL ? "" : " in your user namespace");
	} else if (errno == EINVAL && !o->name) {
		kbctl_err("KB_IOC_EXEC_RULE_ADD: %s (is '%s' a valid name? see --name)",
			  strerror(errno), a.name);
	} else {
		kbctl_err("KB_IOC_EXEC_RULE_ADD: %s", strerror(errno));
	}
	free(cmd);
	return ret;
}

/* --elf-note without --profile: one rule per profile, named after it. */
struct each_profile {
	int fd;
	const struct rule_opts *o;
	unsigned int added, skipped;
	bool failed;
};

static bool valid_name(const char *name)
{
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-");

	return n && !name[n] && n <= KB_EXEC_NAME_MAX;
}

static int add_profile(const char *name, const char *path, void *arg)
{
	struct each_profile *e = arg;
	struct rule_opts kernel;
	struct kb_profile *p;
	char err[512];
	uint64_t id;
	int ret;

	if (!valid_name(name)) {
		fprintf(stderr, "kbctl: skipped %s: '%s' is not a personality name ([a-z0-9_-], 31 at most)\n",
			path, name);
		e->skipped++;
		return 0;
	}
	p = kb_profile_load(path, err, sizeof(err));
	if (!p) {
		fprintf(stderr, "kbctl: skipped %s\n", err);
		e->skipped++;
		return 0;
	}
	/* In the kernel when it can be; through kblaunch when it must. */
	kernel = *e->o;
	kernel.flags &= ~KB_EXEC_RUNTIME;
	ret = add_one(e->fd, &kernel, p, name, true, &id);
	if (ret && errno == EOPNOTSUPP && (e->o->flags & KB_EXEC_RUNTIME))
		ret = add_one(e->fd, e->o, p, name, false, &id);
	if (!ret) {
		printf("%llu %s\n", (unsigned long long)id, name);
		e->added++;
	} else if (errno == EOPNOTSUPP) {
		fprintf(stderr, "kbctl: skipped %s: its path conditions need kblaunch's runtime (add --runtime)\n",
			path);
		e->skipped++;
	} else {
		e->failed = true;
	}
	kb_profile_free(p);
	/* Permission and the like fail the same for every profile. */
	return e->failed;
}

static int rule_add(int argc, char **argv)
{
	static const struct argp argp = {
		add_options, parse_add, NULL,
		"Put every program that an exec of a matching file starts under a profile, from its first instruction.\v"
		"With --elf-note and no --profile: one rule per profile of the profile search path (as kblaunch --profile NAME finds them), each named after its profile, so that a program whose note names a profile runs under it; a profile that needs the runtime gets a --runtime rule when --runtime is given, and is skipped otherwise; prints 'ID NAME' per rule added.",
		NULL, NULL, NULL
	};
	struct rule_opts o = { .osabi = -1 };
	struct each_profile e = { .o = &o };
	struct kb_profile *p = NULL;
	char err[512], name[KB_EXEC_NAME_MAX + 1];
	uint64_t id;
	int fd, ret = KBCTL_EXIT_FAIL;

	argp_parse(&argp, argc, argv, 0, NULL, &o);
	if (o.profile) {
		p = kb_profile_load(o.profile, err, sizeof(err));
		if (!p) {
			kbctl_err("%s", err);
			return KBCTL_EXIT_FAIL;
		}
	}
	fd = kbctl_open_device();
	if (fd < 0)
		goto out;
	if (!p) {
		e.fd = fd;
		kb_profile_each(add_profile, &e);
		if (!e.failed && !e.added)
			kbctl_err("--elf-note without --profile: no profile to add (%u skipped)",
				  e.skipped);
		ret = e.failed || !e.added ? KBCTL_EXIT_FAIL : 0;
	} else {
		if (o.name)
			snprintf(name, sizeof(name), "%s", o.name);
		else
			kb_profile_name(o.profile, name, sizeof(name));
		if (!add_one(fd, &o, p, name, false, &id)) {
			printf("%llu\n", (unsigned long long)id);
			ret = 0;
		}
	}
	close(fd);
out:
	kb_profile_free(p);
	return ret;
}

static int rule_del(int argc, char **argv)
{
	struct kb_exec_rule_del d = { .size = sizeof(d) };
	uint64_t id;
	int fd;

	if (argc != 2 || !strcmp(argv[1], "--help")) {
		fprintf(argc == 2 ? stdout : stderr,
			"Usage: kbctl rule del ID\nRemove the exec rule ID (kbctl rule list); programs already under it keep it until they exit.\n");
		return argc == 2 ? 0 : KBCTL_EXIT_FAIL;
	}
	if (!kbctl_parse_id(argv[1], &id) || !id) {
		kbctl_err("'%s' is not a rule id", argv[1]);
		return KBCTL_EXIT_FAIL;
	}
	d.id = id;
	fd = kbctl_open_device();
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

static void print_rule(const struct kb_exec_rule_info *r)
{
	char match[KB_EXEC_PATTERN_SHOW + 16], flags[64], session[24];
	uint32_t n;

	if (r->match == KB_EXEC_MATCH_PATH)
		snprintf(match, sizeof(match), "path %s%s", r->pattern,
			 r->pattern_len >= KB_EXEC_PATTERN_SHOW ? "..." : "");
	else if (r->match == KB_EXEC_MATCH_NOTE)
		snprintf(match, sizeof(match), "note %s", r->pattern);
	else
		snprintf(match, sizeof(match), "osabi %u", r->osabi);
	snprintf(flags, sizeof(flags), "%s%s%s",
		 r->flags & KB_EXEC_GLOBAL ? "global" : "ns",
		 r->flags & KB_EXEC_INHERIT ? ",inherit" : "",
		 r->flags & KB_EXEC_RUNTIME ? ",runtime" : "");
	/* A runtime rule's programs are in their kblaunch's sessions. */
	if (r->session)
		snprintf(session, sizeof(session), "%llu",
			 (unsigned long long)r->session);
	else
		snprintf(session, sizeof(session), "-");
	printf("%-4llu %-36s %-16s %-22s %7s %8u %8llu %10llu\n",
	       (unsigned long long)r->id, match, r->name, flags, session,
	       r->members, (unsigned long long)r->execs,
	       (unsigned long long)r->calls);
	if (!(r->flags & KB_EXEC_RUNTIME))
		return;
	/* The command, arguments NUL-separated: shown space-separated. */
	printf("     runs:");
	for (n = 0; n < r->runtime_len && n < sizeof(r->runtime) - 1 &&
	     r->runtime[n]; n += (uint32_t)strlen(r->runtime + n) + 1)
		printf(" %s", r->runtime + n);
	printf("%s PROGRAM ARGS...\n",
	       r->runtime_len >= sizeof(r->runtime) ? " ..." : "");
}

/* The rules the caller's execs see; *@n of them. NULL on error (printed). */
static struct kb_exec_rule_info *fetch_rules(uint32_t *n)
{
	struct kb_exec_rule_info *r;
	int fd;

	fd = kbctl_open_device();
	if (fd < 0)
		return NULL;
	r = kbctl_list(fd, KB_IOC_EXEC_RULE_LIST, sizeof(*r), n);
	if (!r)
		kbctl_err("KB_IOC_EXEC_RULE_LIST: %s", strerror(errno));
	close(fd);
	return r;
}

int kbctl_rule_session(const char *id, uint64_t *session)
{
	struct kb_exec_rule_info *r;
	uint32_t i, n = 0;
	uint64_t v;
	int ret = -1;

	if (!kbctl_parse_id(id, &v) || !v) {
		kbctl_err("'%s' is not a rule id", id);
		return -1;
	}
	r = fetch_rules(&n);
	if (!r)
		return -1;
	for (i = 0; i < n && r[i].id != v; i++)
		;
	if (i == n)
		kbctl_err("rule %s: no such rule (kbctl rule list)", id);
	else if (!r[i].session)
		kbctl_err("rule %s runs its programs through kblaunch, each in a session of its own named '%s': kbctl ps --name %s",
			  id, r[i].name, r[i].name);
	else {
		*session = r[i].session;
		ret = 0;
	}
	free(r);
	return ret;
}

static int rule_list(int argc, char **argv)
{
	struct kb_exec_rule_info *r;
	uint32_t i, n = 0;

	if (argc != 1) {
		fprintf(!strcmp(argv[1], "--help") ? stdout : stderr,
			"Usage: kbctl rule list\nThe exec rules your execs see, in the order they apply: id, match, personality, flags, the session its programs join, programs under it now, execs it matched, syscalls decided; a --runtime rule's command on the line after it.\n");
		return !strcmp(argv[1], "--help") ? 0 : KBCTL_EXIT_FAIL;
	}
	r = fetch_rules(&n);
	if (!r)
		return KBCTL_EXIT_FAIL;
	printf("%-4s %-36s %-16s %-22s %7s %8s %8s %10s\n", "ID", "MATCH",
	       "PERSONALITY", "FLAGS", "SESSION", "PROGRAMS", "EXECS",
	       "SYSCALLS");
	for (i = 0; i < n; i++)
		print_rule(&r[i]);
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
		       "  add (--path GLOB | --osabi N | --elf-note NOTE) --profile P [--global] [--inherit | --runtime[=KBLAUNCH]] [--name NAME]\n"
		       "  add --elf-note NOTE [--global] [--inherit | --runtime[=KBLAUNCH]]   (a rule per profile)\n"
		       "  list\n"
		       "  del ID\n"
		       "'kbctl rule add --help' describes the options.\n");
		return 0;
	}
	kbctl_err("rule: give add, list or del ('kbctl rule --help')");
	return KBCTL_EXIT_FAIL;
}
