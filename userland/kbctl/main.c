// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl: look at kbridge.ko and at the sessions of running programs, and
 * change their policy while they run.
 *
 * One argp parser picks the subcommand; each subcommand has its own parser
 * (and --help), run on the arguments that follow it, so that options of
 * different subcommands never collide.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbctl.h"
#include "kb_release.h"

const char *argp_program_version = "kbctl " KB_RELEASE;

/*
 * The commands, and the lines of their usage in kbctl --help: ARGS is
 * what follows the command's name, a command may have several forms. The
 * help's COMMANDS section is printed from this table (help_filter), so
 * that it names every command there is.
 */
struct kbctl_form {
	const char *args;
	const char *what;
};

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	struct kbctl_form forms[2];
} commands[] = {
	{ "status", kbctl_status, {
		{ "[PID]", "the module; with PID, its session" } } },
	{ "get", kbctl_get, {
		{ "PID [SYSCALL...]", "rules in profile syntax, hits, call counts" } } },
	{ "set", kbctl_set, {
		{ "PID SYSCALL ACTION [ARG]", "change one syscall's rule, live" },
		{ "PID -f FILE", "apply a profile fragment (- reads stdin)" } } },
	{ "check", kbctl_check, {
		{ "PROFILE", "parse a profile, say where it is wrong" } } },
	{ "stats", kbctl_stats, {
		{ "--bpf load|unload|status", "the eBPF tier counters" },
		{ "[PID|--session S]", "counts per syscall, tier, action, path" } } },
	{ "top", kbctl_top, {
		{ "[PID|--session S]", "the same, live, busiest first" } } },
	{ "analyze", kbctl_analyze, {
		{ "--app PATH -- WORKLOAD", "which syscalls the app can do without" } } },
	{ "plan", kbctl_plan, {
		{ "--os FILE REPORT...", "which syscalls an OS implements first" } } },
	{ "loupedb", kbctl_loupedb, {
		{ "import -o DIR LOUPEDB", "Loupe's database as reports for plan" },
		{ "export -o DB REPORT", "an analysis as a Loupe database run" } } },
	{ "rule", kbctl_rule, {
		{ "add|list|del", "profiles chosen at exec, no launcher" } } },
	{ "ps", kbctl_ps, {
		{ "[--session S|--rule ID]", "the processes under kbridge, by session" } } },
};

#define NR_COMMANDS	(sizeof(commands) / sizeof(commands[0]))

static const char doc[] =
"Look at kbridge.ko and at the programs running under kblaunch, and change "
"their policy while they run.\n"
"\n"
"COMMANDS:\n"
"%s"
"\n"
"'kbctl COMMAND --help' describes each.\n"
"\n"
"EXAMPLES:\n"
"  kbctl status                   is the module loaded, which features\n"
"  kbctl get 1234                 the policy of the program with pid 1234\n"
"  kbctl set 1234 openat stub EACCES\n"
"  kbctl set 1234 getpid fake 42\n"
"  kbctl set 1234 openat when path=/etc/shadow stub EACCES\n"
"  kbctl check my.profile\n"
"  kbctl stats --bpf load && kbctl top\n"
"  kbctl analyze --app /usr/bin/redis-server -- ./workload.sh\n"
"  kbctl plan --os myos.txt */analysis.json\n"
"  kbctl rule add --path '/opt/legacy/bin/*' --profile kerla --global\n"
"  kbctl ps"
"\v"
"PID is the program's process id (or kblaunch's, for root). kbctl reaches the "
"session through the process's /dev/kbridge file with pidfd_getfd(2): the "
"same user or CAP_SYS_PTRACE is needed, as for a debugger. Errors go to "
"stderr and make kbctl exit with status 1.";

static const char args_doc[] = "COMMAND [ARGS...]";

/* argp's text before the options: doc with the COMMANDS lines filled in. */
static char *help_filter(int key, const char *text, void *input)
{
	const char *mark;
	char *out = NULL;
	size_t len, i, f;
	FILE *m;

	(void)input;
	/* Other keys may come with no text at all. */
	if (key != ARGP_KEY_HELP_PRE_DOC || !text || !(mark = strstr(text, "%s")))
		return (char *)text;
	m = open_memstream(&out, &len);
	if (!m)
		return (char *)text;
	/* text is doc up to its \v: the COMMANDS lines replace its "%s". */
	fprintf(m, "%.*s", (int)(mark - text), text);
	for (i = 0; i < NR_COMMANDS; i++)
		for (f = 0; f < 2 && commands[i].forms[f].args; f++)
			/* "NAME ARGS" in 30 columns, then what it does */
			fprintf(m, "  %s %-*s %s\n", commands[i].name,
				(int)(29 - strlen(commands[i].name)),
				commands[i].forms[f].args, commands[i].forms[f].what);
	fputs(mark + 2, m);
	if (fclose(m)) {
		free(out);
		return (char *)text;
	}
	return out;
}

struct top {
	int argc;
	char **argv;
};

void kbctl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("kbctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

pid_t kbctl_parse_pid(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > INT_MAX) {
		kbctl_err("'%s' is not a process id", s);
		return -1;
	}
	return (pid_t)v;
}

error_t kbctl_parse_pid_words(int key, char *arg, struct argp_state *state,
			      pid_t *pid, char ***words, int *nwords)
{
	switch (key) {
	case ARGP_KEY_ARG:
		if (state->arg_num != 0)
			return ARGP_ERR_UNKNOWN;	/* then ARGP_KEY_ARGS */
		*pid = kbctl_parse_pid(arg);
		if (*pid < 0)
			exit(KBCTL_EXIT_FAIL);
		return 0;
	case ARGP_KEY_ARGS:
		*words = state->argv + state->next;
		*nwords = state->argc - state->next;
		state->next = state->argc;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

bool kbctl_parse_id(const char *s, uint64_t *v)
{
	char *end;

	/* strtoull() would take a sign or blanks, and wrap "-1" around. */
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && !*end;
}

static error_t parse_top(int key, char *arg, struct argp_state *state)
{
	struct top *t = state->input;

	(void)arg;
	switch (key) {
	case ARGP_KEY_ARG:
		/* The command: it and what follows are the command's. */
		t->argv = state->argv + state->next - 1;
		t->argc = state->argc - state->next + 1;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (!t->argc)
			argp_error(state, "no COMMAND given");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		NULL, parse_top, args_doc, doc, NULL, help_filter, NULL
	};
	struct top t = { 0 };
	char name[128];
	size_t i;

	argp_err_exit_status = KBCTL_EXIT_FAIL;
	argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &t);
	for (i = 0; i < NR_COMMANDS; i++) {
		if (strcmp(t.argv[0], commands[i].name))
			continue;
		/* "kbctl get" in the command's usage and error lines. */
		snprintf(name, sizeof(name), "kbctl %s", commands[i].name);
		t.argv[0] = name;
		return commands[i].fn(t.argc, t.argv);
	}
	/* The list from the table, so that it names every command. */
	for (i = 0, name[0] = '\0'; i < NR_COMMANDS; i++)
		snprintf(name + strlen(name), sizeof(name) - strlen(name),
			 "%s%s", i ? ", " : "", commands[i].name);
	kbctl_err("unknown command '%s' (%s; see kbctl --help)", t.argv[0],
		  name);
	return KBCTL_EXIT_FAIL;
}
