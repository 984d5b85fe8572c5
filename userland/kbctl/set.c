// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl set: a running session's policy changed while the program runs.
 *
 * A change is one KB_IOC_SET_RULES call: the module checks every entry
 * and publishes the new policy in one step, so the program's next syscall
 * obeys it and no syscall ever sees half of a change. A `when` line given
 * without its syscall's own rule adds a condition to the rule the syscall
 * has now; that read-modify-write is not atomic against a second kbctl
 * changing the same syscall at the same moment (the last writer wins).
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kbctl.h"
#include "../lib/ioctl.h"
#include "../lib/profile.h"

/* Longest profile fragment kbctl set reads. */
#define KBCTL_FRAGMENT_MAX	(4u << 20)

struct set_opts {
	pid_t pid;
	const char *file;
	char **words;
	int nwords;
};

static const char set_doc[] =
"Change the policy of PID's session while it runs: the program's next "
"syscall obeys the new rule.\n"
"\n"
"SYSCALL ACTION [ARGS] is one profile line: `NAME pass`, `NAME stub "
"[ERRNO]`, `NAME fake [VALUE]`, `NAME partial [ACTION]`, `NAME when COND "
"ACTION`. Such a line replaces the syscall's whole rule (its conditions "
"too); a `when` line alone adds one condition to the rule the syscall has "
"now (which becomes partial). With -f, FILE is a profile fragment (any "
"number of such lines, no 'default'), applied as one change.\n"
"\n"
"EXAMPLES:\n"
"  kbctl set 1234 openat stub             fail every openat with ENOSYS\n"
"  kbctl set 1234 openat stub EACCES\n"
"  kbctl set 1234 getpid fake 42\n"
"  kbctl set 1234 openat when path=/etc/shadow stub EACCES\n"
"  kbctl set 1234 openat pass             back to the initial rule\n"
"  kbctl set 1234 -f fragment.profile\n"
"  echo 'unlink stub EPERM' | kbctl set 1234 -f -"
"\v"
"Nothing changes when any line is wrong: the error names the line.";

static const struct argp_option set_options[] = {
	{ "file", 'f', "FILE", 0,
	  "Apply the profile fragment in FILE (- for stdin)", 0 },
	{ 0 }
};

static error_t set_parse(int key, char *arg, struct argp_state *state)
{
	struct set_opts *o = state->input;

	switch (key) {
	case 'f':
		o->file = arg;
		break;
	case ARGP_KEY_ARG:
	case ARGP_KEY_ARGS:
		return kbctl_parse_pid_words(key, arg, state, &o->pid,
					     &o->words, &o->nwords);
	case ARGP_KEY_END:
		if (!o->pid)
			argp_error(state, "no PID given");
		if (o->file && o->nwords)
			argp_error(state, "give either -f FILE or SYSCALL ACTION, not both");
		if (!o->file && o->nwords < 2)
			argp_error(state, "give SYSCALL ACTION [ARGS], or -f FILE");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Read all of @path ("-": stdin), NUL-terminated. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t cap = 4096, n = 0, got;
	char *buf = NULL, *nb;

	if (!f) {
		kbctl_err("%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		nb = realloc(buf, cap + 1);
		if (!nb) {
			kbctl_err("%s: out of memory", path);
			goto fail;
		}
		buf = nb;
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		if (cap >= KBCTL_FRAGMENT_MAX) {
			kbctl_err("%s: longer than %u bytes", path, KBCTL_FRAGMENT_MAX);
			goto fail;
		}
		cap *= 2;
	}
	if (!buf || ferror(f)) {
		kbctl_err("%s: %s", path, buf ? strerror(errno) : "out of memory");
		goto fail;
	}
	buf[n] = '\0';
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
fail:
	free(buf);
	if (f != stdin)
		fclose(f);
	return NULL;
}

/*
 * Per syscall number, what the fragment's lines say: OWN when some line
 * gives the syscall a rule of its own, WHEN when it only has `when` lines.
 * Read from the parsed profile, not from the text again, so that the two
 * can never disagree: a syscall with only `when` lines has its rule entry
 * on the line of its first condition (kb_profile_parse()), one with a
 * `partial` line on that line, which no condition has.
 */
enum { SAYS_NOTHING, SAYS_WHEN, SAYS_OWN };

static void fragment_says(const struct kb_profile *p, uint8_t *says,
			  uint32_t nr_syscalls)
{
	const struct kb_rule_desc *d;
	uint32_t i, j;

	for (i = 0; i < p->count; i++) {
		d = &p->rules[i];
		if (d->match != KB_MATCH_NONE || d->nr >= nr_syscalls)
			continue;
		says[d->nr] = SAYS_OWN;
		if (d->tier != KB_TIER_PARTIAL)
			continue;
		for (j = i + 1; j < p->count && p->rules[j].nr == d->nr; j++)
			if (p->line[j] == p->line[i])
				says[d->nr] = SAYS_WHEN;
	}
}

static bool push(struct kb_rule_desc **v, uint32_t *n, uint32_t *cap,
		 const struct kb_rule_desc *d)
{
	struct kb_rule_desc *nv;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		nv = realloc(*v, *cap * sizeof(**v));
		if (!nv)
			return false;
		*v = nv;
	}
	(*v)[(*n)++] = *d;
	return true;
}

/*
 * The entries to send: the fragment's, except that a syscall with only
 * `when` lines keeps its current rule and conditions, made partial, with
 * the new conditions after them.
 */
static int merge(const struct kb_profile *p, const struct kb_rules *cur,
		 const uint8_t *says, uint32_t nr_syscalls,
		 struct kb_rule_desc **out, uint32_t *nout)
{
	struct kb_rule_desc main_rule, *v = NULL;
	uint32_t n = 0, cap = 0, i, j;
	uint8_t *emitted;
	bool found;

	emitted = calloc(nr_syscalls, 1);
	if (!emitted)
		return -ENOMEM;
	for (i = 0; i < p->count; i++) {
		const struct kb_rule_desc *d = &p->rules[i];

		if (d->nr >= nr_syscalls || says[d->nr] != SAYS_WHEN) {
			if (!push(&v, &n, &cap, d))
				goto nomem;
			continue;
		}
		if (emitted[d->nr])
			continue;
		emitted[d->nr] = 1;
		/* The syscall's rule now, or the initial pass. */
		memset(&main_rule, 0, sizeof(main_rule));
		main_rule.nr = d->nr;
		main_rule.tier = KB_TIER_FULL;
		main_rule.action = KB_ACTION_PASS;
		found = false;
		for (j = 0; cur && j < cur->count; j++)
			if (cur->rules[j].nr == d->nr &&
			    cur->rules[j].match == KB_MATCH_NONE) {
				main_rule = cur->rules[j];
				found = true;
				break;
			}
		main_rule.tier = KB_TIER_PARTIAL;
		if (!push(&v, &n, &cap, &main_rule))
			goto nomem;
		for (j = 0; found && j < cur->count; j++)
			if (cur->rules[j].nr == d->nr &&
			    cur->rules[j].match != KB_MATCH_NONE &&
			    !push(&v, &n, &cap, &cur->rules[j]))
				goto nomem;
		for (j = 0; j < p->count; j++)
			if (p->rules[j].nr == d->nr &&
			    p->rules[j].match != KB_MATCH_NONE &&
			    !push(&v, &n, &cap, &p->rules[j]))
				goto nomem;
	}
	free(emitted);
	*out = v;
	*nout = n;
	return 0;
nomem:
	free(emitted);
	free(v);
	return -ENOMEM;
}

int kbctl_set(int argc, char **argv)
{
	static const struct argp argp = {
		set_options, set_parse, "PID SYSCALL ACTION [ARGS...]\nPID -f FILE",
		set_doc, NULL, NULL, NULL
	};
	struct set_opts o = { 0 };
	struct kb_rule_desc *entries = NULL;
	struct kb_rules cur = { 0 };
	struct kb_profile *p = NULL;
	struct kb_version v;
	const char *origin;
	char err[512], *text = NULL;
	uint8_t *says = NULL;
	uint32_t nentries = 0, nr;
	size_t len = 0;
	bool need_cur = false;
	int fd = -1, i, e, ret = KBCTL_EXIT_FAIL;

	argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &o);
	if (o.file) {
		text = read_all(o.file, &len);
		origin = strcmp(o.file, "-") ? o.file : "stdin";
	} else {
		for (i = 0; i < o.nwords; i++)
			len += strlen(o.words[i]) + 1;
		text = malloc(len + 1);
		if (text) {
			text[0] = '\0';
			for (i = 0; i < o.nwords; i++) {
				strcat(text, o.words[i]);
				strcat(text, i + 1 < o.nwords ? " " : "\n");
			}
		}
		origin = "command line";
	}
	if (!text)
		goto out;

	/* A wrong line is reported whether or not the PID is reachable. */
	p = kb_profile_parse(text, len, origin, KB_PROFILE_NO_DEFAULT, err,
			     sizeof(err));
	if (!p) {
		kbctl_err("%s", err);
		goto out;
	}
	says = calloc(KB_NR_SYSCALLS, 1);
	if (!says)
		goto out;
	fragment_says(p, says, KB_NR_SYSCALLS);
	if (!p->count) {
		kbctl_err("%s: no rule to set", origin);
		goto out;
	}
	fd = kbctl_open_session(o.pid, &v);
	if (fd < 0)
		goto out;
	if (v.nr_syscalls != KB_NR_SYSCALLS) {
		kbctl_err("the loaded kbridge.ko has %u syscall numbers, kbctl %u: load the kbridge.ko of this release",
			  v.nr_syscalls, KB_NR_SYSCALLS);
		goto out;
	}
	if (!(v.features & KB_FEATURE_RULES)) {
		kbctl_err("the loaded kbridge.ko cannot set rules (no KB_FEATURE_RULES)");
		goto out;
	}
	for (nr = 0; nr < KB_NR_SYSCALLS; nr++)
		need_cur |= says[nr] == SAYS_WHEN;
	if (need_cur && kbctl_fetch_rules(fd, o.pid, &v, &cur))
		goto out;
	e = merge(p, need_cur ? &cur : NULL, says, KB_NR_SYSCALLS, &entries,
		  &nentries);
	if (e) {
		kbctl_err("%s", strerror(-e));
		goto out;
	}
	for (nr = 0; nr < nentries; nr++)
		if (entries[nr].tier == KB_TIER_PARTIAL &&
		    !(v.features & KB_FEATURE_PARTIAL)) {
			kbctl_err("the loaded kbridge.ko does not implement tier 2 (partial) rules (no KB_FEATURE_PARTIAL)");
			goto out;
		}
	if (kb_set_rules(fd, entries, nentries)) {
		kbctl_err("PID %d: KB_IOC_SET_RULES: %s%s", (int)o.pid,
			  strerror(errno), errno == EOPNOTSUPP ?
			  " (the loaded kbridge.ko does not implement this rule)" : "");
		goto out;
	}
	ret = 0;
out:
	kb_profile_free(p);
	kb_rules_free(&cur);
	free(entries);
	free(says);
	free(text);
	if (fd >= 0)
		close(fd);
	return ret;
}
