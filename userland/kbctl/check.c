// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl check PROFILE: parse a profile the way kblaunch --profile will,
 * without a module or a program, so that a profile can be checked before
 * it is deployed (or in CI).
 */
#define _GNU_SOURCE
#include <argp.h>
#include <stdio.h>
#include <stdlib.h>

#include "kbctl.h"
#include "../lib/profile.h"

static const char doc[] =
"Parse PROFILE (a file, or the name of a profile kbridge ships) and print "
"'PROFILE: ok, N entries', N being the entries KB_IOC_SET_RULES would get "
"('default' expanded). A profile that does not parse prints "
"FILE:LINE: reason on stderr.\n"
"\n"
"EXAMPLES:\n"
"  kbctl check my.profile\n"
"  kbctl check minimal            a shipped profile, by name"
"\v"
"Exit status: 0 when every PROFILE parses, 1 otherwise.";

struct check_opts {
	char **profiles;
	int n;
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct check_opts *o = state->input;

	(void)arg;
	switch (key) {
	case ARGP_KEY_ARG:
		return ARGP_ERR_UNKNOWN;
	case ARGP_KEY_ARGS:
		o->profiles = state->argv + state->next;
		o->n = state->argc - state->next;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (!o->n)
			argp_error(state, "no PROFILE given");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int kbctl_check(int argc, char **argv)
{
	static const struct argp argp = {
		NULL, parse_opt, "PROFILE...", doc, NULL, NULL, NULL
	};
	struct check_opts o = { 0 };
	struct kb_profile *p;
	char err[512];
	int i, ret = 0;

	argp_parse(&argp, argc, argv, 0, NULL, &o);
	for (i = 0; i < o.n; i++) {
		p = kb_profile_load(o.profiles[i], err, sizeof(err));
		if (!p) {
			kbctl_err("%s", err);
			ret = KBCTL_EXIT_FAIL;
			continue;
		}
		printf("%s: ok, %u entries\n", o.profiles[i], p->count);
		kb_profile_free(p);
	}
	if (fflush(stdout))
		ret = KBCTL_EXIT_FAIL;
	return ret;
}
