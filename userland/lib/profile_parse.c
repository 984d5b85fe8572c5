// SPDX-License-Identifier: GPL-2.0
/*
 * Profile parser: text (docs/profiles.md) -> kb_rule_desc entries in the
 * order KB_IOC_SET_RULES takes them. Finding a profile by name is
 * profile_load.c; writing entries back as text, profile_format.c.
 *
 * All or nothing, like the ioctl: a profile with one bad line gives no
 * rules at all, so a typo can never leave a program running under half a
 * policy. Names and numbers come from libseccomp, errno names from glibc;
 * kbridge keeps no table of its own of either (names.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consts.h"
#include "names.h"
#include "profile.h"
#include "profile_priv.h"

#define PROFILE_MAX_LINES	65536u
#define PROFILE_LINE_MAX	4096u
/* KB_IOC_SET_RULES refuses more (E2BIG). */
#define PROFILE_MAX_ENTRIES	(4u * KB_NR_SYSCALLS)
#define PROFILE_GLOBS_MAX	(256u * 1024)
#define MAX_TOKENS		16
/* values of one KEY=V,V,... condition */
#define MAX_VALUES		64

struct cond {
	struct kb_rule_desc d;
	uint32_t line;
	size_t path_off;	/* into parser.strs; path is set at the end */
};

struct sysrule {
	uint32_t whole_line;	/* "NAME ACTION" */
	uint32_t partial_line;	/* "NAME partial [ACTION]" */
	uint32_t when_line;	/* first "NAME when ..." */
	uint16_t action;	/* whole rule, or the partial fallback */
	int64_t value;
};

struct parser {
	const char *origin;
	unsigned int flags;
	char *err;
	size_t errlen;
	uint32_t lineno;

	struct sysrule sc[KB_NR_SYSCALLS];
	struct cond *conds;
	size_t nconds, capconds;
	char *strs;
	size_t nstrs, capstrs;

	uint32_t default_line;
	uint16_t def_action;
	int64_t def_value;

	uint32_t personality_line;
	char personality[KB_PERSONALITY_NAME_MAX + 1];

	uint32_t entries;	/* listed syscalls + their conditions */
	size_t glob_bytes;
};

/*
 * @prefix and the formatted message into @err, made printable: messages
 * quote what they read, which may be anything.
 */
static void vseterr(char *err, size_t errlen, const char *prefix,
		    const char *fmt, va_list ap)
{
	char raw[1024];
	size_t n;
	int m;

	if (!err || !errlen)
		return;
	n = (size_t)snprintf(raw, sizeof(raw), "%s", prefix);
	if (n >= sizeof(raw))
		n = sizeof(raw) - 1;
	m = vsnprintf(raw + n, sizeof(raw) - n, fmt, ap);
	if (m > 0)
		n += (size_t)m;
	if (n >= sizeof(raw))
		n = sizeof(raw) - 1;
	kb_escape(err, errlen, raw, n);
}

void kb_profile_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vseterr(err, errlen, "", fmt, ap);
	va_end(ap);
}

static bool perr(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "origin:line: reason"; returns false so callers can `return perr()`. */
static bool perr(struct parser *p, const char *fmt, ...)
{
	char prefix[PATH_MAX + 32];
	va_list ap;

	if (p->lineno)
		snprintf(prefix, sizeof(prefix), "%s:%u: ", p->origin, p->lineno);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", p->origin);
	va_start(ap, fmt);
	vseterr(p->err, p->errlen, prefix, fmt, ap);
	va_end(ap);
	return false;
}

/* -1 unknown name, -2 not an x86_64 syscall, -3 beyond KB_NR_SYSCALLS. */
static int resolve_syscall(const char *name)
{
	int nr = kb_syscall_lookup(name);

	return nr >= KB_NR_SYSCALLS ? -3 : nr;
}

/* "123", "-5", "0x1f", "-0x10": sign and magnitude. */
static bool parse_number(const char *s, bool *neg, uint64_t *mag)
{
	unsigned int base = 10;
	uint64_t v = 0;

	*neg = false;
	if (*s == '-') {
		*neg = true;
		s++;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*mag = v;
	return true;
}

/*
 * A number that fits an argument of width @mask, as the bits the kernel
 * compares: -1 for an int is 0xffffffff. Negative values down to the
 * signed minimum of the width, positive ones up to the unsigned maximum.
 */
static bool parse_arg_number(const char *s, uint64_t mask, uint64_t *out)
{
	bool neg;
	uint64_t mag;

	if (!parse_number(s, &neg, &mag))
		return false;
	if (neg) {
		if (mag > (mask >> 1) + 1)
			return false;
		*out = (0 - mag) & mask;
	} else {
		if (mag > mask)
			return false;
		*out = mag;
	}
	return true;
}

static bool is_number_start(const char *s)
{
	return (*s >= '0' && *s <= '9') || *s == '-';
}

/* ENOENT, or 1..4095; glibc's names are the only names. */
static bool parse_errno(const char *s, int64_t *out)
{
	if (is_number_start(s)) {
		uint64_t v;
		bool neg;

		if (!parse_number(s, &neg, &v) || neg || v < 1 || v > KB_ERRNO_MAX)
			return false;
		*out = (int64_t)v;
		return true;
	}
	*out = kb_errno_lookup(s);
	return *out > 0;
}

static bool is_hex(const char *s)
{
	return s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

static bool parse_fake_value(const char *s, int64_t *out)
{
	bool neg;
	uint64_t mag;

	if (!parse_number(s, &neg, &mag))
		return false;
	if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			return false;
		*out = (int64_t)(0 - mag);
	} else {
		/*
		 * 0xffffffffffffffff is -1: hex gives the register's bits; a
		 * decimal value must fit as written.
		 */
		if (mag > (uint64_t)INT64_MAX && !is_hex(s))
			return false;
		*out = (int64_t)mag;
	}
	return true;
}

/*
 * ACTION at toks[i]: "pass", "stub [ERRNO]", "fake [VALUE]". Returns the
 * index after it, or -1 with the error set.
 */
static int parse_action(struct parser *p, char **toks, int ntok, int i,
			uint16_t *action, int64_t *value)
{
	*value = 0;
	if (i >= ntok) {
		perr(p, "missing action (pass, stub or fake)");
		return -1;
	}
	if (!strcmp(toks[i], "pass")) {
		*action = KB_ACTION_PASS;
		return i + 1;
	}
	if (!strcmp(toks[i], "stub")) {
		*action = KB_ACTION_STUB;
		if (i + 1 < ntok) {
			if (!parse_errno(toks[i + 1], value)) {
				perr(p, "bad errno '%s' (a name such as ENOENT, or 1..%d)",
				     toks[i + 1], KB_ERRNO_MAX);
				return -1;
			}
			return i + 2;
		}
		return i + 1;
	}
	if (!strcmp(toks[i], "fake")) {
		*action = KB_ACTION_FAKE;
		if (i + 1 < ntok) {
			if (!parse_fake_value(toks[i + 1], value)) {
				perr(p, "bad value '%s' (an integer: 42, -1, 0x10)",
				     toks[i + 1]);
				return -1;
			}
			return i + 2;
		}
		return i + 1;
	}
	perr(p, "unknown action '%s' (pass, stub or fake)", toks[i]);
	return -1;
}

static bool end_of_line(struct parser *p, char **toks, int ntok, int i)
{
	if (i < ntok)
		return perr(p, "unexpected '%s' at the end of the line", toks[i]);
	return true;
}

static bool add_cond(struct parser *p, const struct kb_rule_desc *d, size_t path_off)
{
	if (p->nconds == p->capconds) {
		size_t cap = p->capconds ? 2 * p->capconds : 64;
		struct cond *c = realloc(p->conds, cap * sizeof(*c));

		if (!c)
			return perr(p, "out of memory");
		p->conds = c;
		p->capconds = cap;
	}
	p->conds[p->nconds].d = *d;
	p->conds[p->nconds].line = p->lineno;
	p->conds[p->nconds].path_off = path_off;
	p->nconds++;
	return true;
}

static bool add_string(struct parser *p, const char *s, size_t len, size_t *off)
{
	if (p->nstrs + len + 1 > p->capstrs) {
		size_t cap = p->capstrs ? p->capstrs : 1024;
		char *n;

		while (cap < p->nstrs + len + 1)
			cap *= 2;
		n = realloc(p->strs, cap);
		if (!n)
			return perr(p, "out of memory");
		p->strs = n;
		p->capstrs = cap;
	}
	memcpy(p->strs + p->nstrs, s, len);
	p->strs[p->nstrs + len] = '\0';
	*off = p->nstrs;
	p->nstrs += len + 1;
	return true;
}

/*
 * One value of a condition: a number, or constants of the key's class
 * joined with '|' (MAP_PRIVATE|MAP_ANONYMOUS), each within the width.
 */
static bool parse_cond_value(struct parser *p, const char *name, const char *key,
			     int cls, uint64_t mask, char *s, uint64_t *out)
{
	uint64_t v = 0;
	char *save = NULL;

	if (!*s || *s == '|' || s[strlen(s) - 1] == '|' || strstr(s, "||"))
		return perr(p, "empty value for '%s'", key);
	for (char *t = strtok_r(s, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
		uint64_t x;

		if (is_number_start(t)) {
			if (!parse_arg_number(t, mask, &x))
				return perr(p, "bad value '%s' for '%s' (%s)", t, key,
					    mask == KB_ARG_W32 ? "a 32-bit integer"
							: "a 64-bit integer");
		} else if (cls == KB_CC_NONE) {
			return perr(p, "'%s' is not a number ('%s' takes numbers only)",
				    t, key);
		} else if (!kb_const_lookup(cls, t, &x)) {
			return perr(p, "unknown constant '%s' for '%s' of '%s'", t,
				    key, name);
		} else if (x & ~mask) {
			return perr(p, "constant '%s' does not fit '%s' of '%s'", t,
				    key, name);
		}
		v |= x;
	}
	*out = v;
	return true;
}

static bool same_entry(const struct parser *p, const struct cond *a,
		       const struct cond *b)
{
	if (a->d.match != b->d.match || a->d.arg != b->d.arg ||
	    a->d.mask != b->d.mask || a->d.operand != b->d.operand ||
	    a->d.action != b->d.action || a->d.value != b->d.value ||
	    a->d.path_len != b->d.path_len)
		return false;
	if (a->d.match == KB_MATCH_PATH &&
	    memcmp(p->strs + a->path_off, p->strs + b->path_off, a->d.path_len))
		return false;
	return true;
}

/*
 * The entries of the line just added (from @first) repeat an earlier
 * 'when' line of the same syscall exactly: the second could never match.
 */
static uint32_t duplicate_when(const struct parser *p, size_t first)
{
	size_t k = p->nconds - first;
	uint32_t nr = p->conds[first].d.nr;

	for (size_t j = 0; j < first; j++) {
		size_t n = 0;

		if (p->conds[j].d.nr != nr ||
		    (j > 0 && p->conds[j - 1].line == p->conds[j].line))
			continue;
		while (j + n < first && p->conds[j + n].line == p->conds[j].line)
			n++;
		if (n != k)
			continue;
		for (n = 0; n < k; n++)
			if (!same_entry(p, &p->conds[j + n], &p->conds[first + n]))
				break;
		if (n == k)
			return p->conds[j].line;
	}
	return 0;
}

static bool listed(const struct sysrule *s)
{
	return s->whole_line || s->partial_line || s->when_line;
}

static bool count_entries(struct parser *p, uint32_t n)
{
	p->entries += n;
	if (p->entries > PROFILE_MAX_ENTRIES)
		return perr(p, "too many rules: more than %u kernel entries",
			    PROFILE_MAX_ENTRIES);
	return true;
}

/* NAME when COND ACTION */
static bool parse_when(struct parser *p, int nr, char **toks, int ntok)
{
	struct sysrule *s = &p->sc[nr];
	const char *name = toks[0];
	struct kb_rule_desc d = { .nr = nr, .tier = KB_TIER_PARTIAL };
	char *cond, *op, *vals, *save = NULL;
	size_t first = p->nconds, path_off = 0, klen;
	uint64_t values[MAX_VALUES];
	unsigned int nvals = 0;
	uint64_t bits;
	uint16_t action;
	int64_t value;
	char key[32];
	uint32_t dup;
	int i;

	if (ntok < 3)
		return perr(p, "missing condition after 'when'");
	cond = toks[2];
	klen = strcspn(cond, "=&");
	op = cond + klen;
	if (!*op || klen == 0)
		return perr(p, "bad condition '%s' (KEY=VALUE, KEY&FLAGS or path=GLOB)",
			    cond);
	if (klen >= sizeof(key))
		return perr(p, "unknown key '%.*s'", (int)klen, cond);
	memcpy(key, cond, klen);
	key[klen] = '\0';
	vals = op + 1;

	if (!strcmp(key, "path")) {
		int arg = kb_path_arg(nr);
		size_t len = strlen(vals);

		if (arg < 0)
			return perr(p, "key 'path' does not apply to '%s'", name);
		if (*op != '=')
			return perr(p, "bad condition '%s' (path=GLOB)", cond);
		if (!len)
			return perr(p, "empty glob in '%s'", cond);
		if (len > KB_PATH_MAX)
			return perr(p, "glob longer than %d bytes", KB_PATH_MAX);
		p->glob_bytes += len + 1;
		if (p->glob_bytes > PROFILE_GLOBS_MAX)
			return perr(p, "globs add up to more than %u bytes",
				    PROFILE_GLOBS_MAX);
		if (!add_string(p, vals, len, &path_off))
			return false;
		d.match = KB_MATCH_PATH;
		d.arg = arg;
		d.path_len = len;
		nvals = 1;
	} else {
		const struct kb_argkey *k = NULL;
		int cls = KB_CC_NONE;
		uint64_t mask = KB_ARG_W64;
		unsigned int arg;

		if (klen == 4 && !strncmp(key, "arg", 3) && key[3] >= '0' && key[3] <= '5') {
			arg = key[3] - '0';
		} else {
			k = kb_argkey_find(key, nr);
			if (!k) {
				if (kb_argkey_known(key))
					return perr(p, "key '%s' does not apply to '%s'",
						    key, name);
				return perr(p, "unknown key '%s' for '%s'", key, name);
			}
			arg = k->arg;
			cls = k->cls;
			mask = k->mask;
		}
		d.arg = arg;
		if (*op == '=') {
			/* one kernel entry per value: the kernel compares one */
			d.match = KB_MATCH_EQ;
			d.mask = mask;
			if (!*vals || *vals == ',' || vals[strlen(vals) - 1] == ',' ||
			    strstr(vals, ",,"))
				return perr(p, "empty value in '%s'", cond);
			for (char *v = strtok_r(vals, ",", &save); v;
			     v = strtok_r(NULL, ",", &save)) {
				if (nvals == MAX_VALUES)
					return perr(p, "more than %d values in one condition",
						    MAX_VALUES);
				if (!parse_cond_value(p, name, key, cls, mask, v,
						      &values[nvals]))
					return false;
				nvals++;
			}
		} else {
			d.match = KB_MATCH_ANY_BIT;
			if (!parse_cond_value(p, name, key, cls, mask, vals, &bits))
				return false;
			d.mask = bits;
			if (!d.mask)
				return perr(p, "no bits to test in '%s'", cond);
			nvals = 1;
		}
	}

	i = parse_action(p, toks, ntok, 3, &action, &value);
	if (i < 0 || !end_of_line(p, toks, ntok, i))
		return false;
	d.action = action;
	d.value = value;

	if (s->whole_line)
		return perr(p, "'%s when' conflicts with the whole-syscall rule of line %u",
			    name, s->whole_line);
	for (unsigned int v = 0; v < nvals; v++) {
		if (d.match == KB_MATCH_EQ)
			d.operand = values[v];
		if (!add_cond(p, &d, path_off))
			return false;
	}
	dup = duplicate_when(p, first);
	if (dup)
		return perr(p, "duplicate line: the same 'when' rule as line %u", dup);
	if (!count_entries(p, nvals + !listed(s)))
		return false;
	if (!s->when_line)
		s->when_line = p->lineno;
	return true;
}

static bool parse_line(struct parser *p, char *line)
{
	char *toks[MAX_TOKENS + 1];
	int ntok = 0, nr, i;
	char *hash, *save = NULL;
	struct sysrule *s;
	uint16_t action;
	int64_t value;

	hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	for (char *t = strtok_r(line, " \t\r\v\f", &save); t && ntok <= MAX_TOKENS;
	     t = strtok_r(NULL, " \t\r\v\f", &save))
		toks[ntok++] = t;
	if (!ntok)
		return true;

	if (!strcmp(toks[0], "default")) {
		if (p->flags & KB_PROFILE_NO_DEFAULT)
			return perr(p, "'default' is not allowed here");
		if (p->default_line)
			return perr(p, "duplicate 'default' (first at line %u)",
				    p->default_line);
		i = parse_action(p, toks, ntok, 1, &action, &value);
		if (i < 0 || !end_of_line(p, toks, ntok, i))
			return false;
		p->default_line = p->lineno;
		p->def_action = action;
		p->def_value = value;
		return true;
	}

	/* Not "personality": that is a syscall. */
	if (!strcmp(toks[0], "personality-module")) {
		size_t n;

		if (p->flags & KB_PROFILE_NO_DEFAULT)
			return perr(p, "'personality-module' is not allowed here");
		if (p->personality_line)
			return perr(p, "duplicate 'personality-module' (first at line %u)",
				    p->personality_line);
		if (ntok < 2)
			return perr(p, "'personality-module' needs a name");
		n = strspn(toks[1], "abcdefghijklmnopqrstuvwxyz0123456789_-");
		if (toks[1][n] || n > KB_PERSONALITY_NAME_MAX)
			return perr(p, "bad personality name '%s' (1 to %d of a-z, 0-9, '_', '-')",
				    toks[1], KB_PERSONALITY_NAME_MAX);
		if (!end_of_line(p, toks, ntok, 2))
			return false;
		memcpy(p->personality, toks[1], n + 1);
		p->personality_line = p->lineno;
		return true;
	}

	nr = resolve_syscall(toks[0]);
	if (nr == -1)
		return perr(p, "unknown syscall '%s'", toks[0]);
	if (nr == -2)
		return perr(p, "'%s' is not an x86_64 syscall", toks[0]);
	if (nr == -3)
		return perr(p, "'%s' is beyond the %d syscall numbers kbridge handles",
			    toks[0], KB_NR_SYSCALLS);
	s = &p->sc[nr];
	if (ntok < 2)
		return perr(p, "missing action for '%s'", toks[0]);

	if (!strcmp(toks[1], "when"))
		return parse_when(p, nr, toks, ntok);

	if (!strcmp(toks[1], "partial")) {
		action = KB_ACTION_PASS;
		value = 0;
		i = 2;
		if (ntok > 2) {
			i = parse_action(p, toks, ntok, 2, &action, &value);
			if (i < 0)
				return false;
		}
		if (!end_of_line(p, toks, ntok, i))
			return false;
		if (s->partial_line)
			return perr(p, "duplicate line: '%s partial' already at line %u",
				    toks[0], s->partial_line);
		if (s->whole_line)
			return perr(p, "'%s partial' conflicts with the whole-syscall rule of line %u",
				    toks[0], s->whole_line);
		if (!listed(s) && !count_entries(p, 1))
			return false;
		s->partial_line = p->lineno;
		s->action = action;
		s->value = value;
		return true;
	}

	i = parse_action(p, toks, ntok, 1, &action, &value);
	if (i < 0 || !end_of_line(p, toks, ntok, i))
		return false;
	if (s->whole_line)
		return perr(p, "duplicate rule for '%s' (first at line %u)", toks[0],
			    s->whole_line);
	if (s->partial_line)
		return perr(p, "'%s %s' conflicts with '%s partial' at line %u", toks[0],
			    toks[1], toks[0], s->partial_line);
	if (s->when_line)
		return perr(p, "'%s %s' conflicts with '%s when' at line %u", toks[0],
			    toks[1], toks[0], s->when_line);
	if (!count_entries(p, 1))
		return false;
	s->whole_line = p->lineno;
	s->action = action;
	s->value = value;
	return true;
}

static uint16_t tier_of(uint16_t action)
{
	return action == KB_ACTION_PASS ? KB_TIER_FULL : KB_TIER_STUBBED;
}

/* Every listed syscall with its conditions, then the default's entries. */
static struct kb_profile *build(struct parser *p)
{
	bool want_default = p->default_line && p->def_action != KB_ACTION_PASS;
	size_t total = p->entries, olen = strlen(p->origin) + 1, size, k = 0;
	struct kb_profile *prof;
	char *strbase, *obase;
	bool expand[KB_NR_SYSCALLS] = { false };

	if (want_default) {
		uint32_t n = 0;

		for (unsigned int nr = 0; nr < KB_NR_SYSCALLS; nr++) {
			char *name;

			if (listed(&p->sc[nr]))
				continue;
			name = kb_syscall_libname(nr);
			if (!name)
				continue;
			free(name);
			expand[nr] = true;
			n++;
		}
		if (total + n > PROFILE_MAX_ENTRIES) {
			p->lineno = p->default_line;
			perr(p, "too many rules: 'default' adds %u entries to %zu, more than %u",
			     n, total, PROFILE_MAX_ENTRIES);
			return NULL;
		}
		total += n;
	}

	size = sizeof(*prof) + total * sizeof(struct kb_rule_desc) +
	       total * sizeof(uint32_t) + olen + p->nstrs;
	prof = calloc(1, size);
	if (!prof) {
		perr(p, "out of memory");
		return NULL;
	}
	/* one block, so that kb_profile_free() is one free() */
	prof->rules = (struct kb_rule_desc *)(prof + 1);
	prof->line = (uint32_t *)(prof->rules + total);
	obase = (char *)(prof->line + total);
	strbase = obase + olen;
	memcpy(obase, p->origin, olen);
	if (p->nstrs)
		memcpy(strbase, p->strs, p->nstrs);
	prof->origin = obase;

	for (unsigned int nr = 0; nr < KB_NR_SYSCALLS; nr++) {
		const struct sysrule *s = &p->sc[nr];
		struct kb_rule_desc *d;

		if (!listed(s))
			continue;
		d = &prof->rules[k];
		d->nr = nr;
		d->match = KB_MATCH_NONE;
		if (s->whole_line) {
			d->tier = tier_of(s->action);
			d->action = s->action;
			d->value = s->value;
			prof->line[k] = s->whole_line;
		} else {
			d->tier = KB_TIER_PARTIAL;
			if (s->partial_line) {
				d->action = s->action;
				d->value = s->value;
				prof->line[k] = s->partial_line;
			} else {
				d->action = KB_ACTION_PASS;
				prof->line[k] = s->when_line;
			}
		}
		k++;
		for (size_t j = 0; j < p->nconds; j++) {
			const struct cond *c = &p->conds[j];

			if (c->d.nr != nr)
				continue;
			prof->rules[k] = c->d;
			if (c->d.match == KB_MATCH_PATH)
				prof->rules[k].path = (uintptr_t)(strbase + c->path_off);
			prof->line[k] = c->line;
			k++;
		}
	}
	for (unsigned int nr = 0; want_default && nr < KB_NR_SYSCALLS; nr++) {
		if (!expand[nr])
			continue;
		prof->rules[k] = (struct kb_rule_desc){
			.nr = nr,
			.tier = tier_of(p->def_action),
			.action = p->def_action,
			.value = p->def_value,
		};
		prof->line[k] = 0;
		k++;
	}
	prof->count = k;
	memcpy(prof->personality, p->personality, sizeof(prof->personality));
	prof->personality_line = p->personality_line;
	prof->default_rule.tier = p->default_line ? tier_of(p->def_action) : KB_TIER_FULL;
	prof->default_rule.action = p->default_line ? p->def_action : KB_ACTION_PASS;
	prof->default_rule.value = p->default_line ? p->def_value : 0;
	return prof;
}

struct kb_profile *kb_profile_parse(const char *text, size_t len, const char *origin,
				    unsigned int flags, char *err, size_t errlen)
{
	struct kb_profile *prof = NULL;
	struct parser *p;
	const char *nul, *pos = text, *end = text + len;
	char line[PROFILE_LINE_MAX + 1];
	size_t nlines = 0;

	if (!origin)
		origin = "<profile>";
	if (!text && len) {
		kb_profile_seterr(err, errlen, "%s: no text", origin);
		return NULL;
	}
	if (len > PROFILE_MAX_BYTES) {
		kb_profile_seterr(err, errlen, "%s: too big", origin);
		return NULL;
	}
	for (const char *c = text; c && c < end; c++)
		nlines += *c == '\n';
	if (len && text[len - 1] != '\n')
		nlines++;
	if (nlines > PROFILE_MAX_LINES) {
		kb_profile_seterr(err, errlen, "%s: too big", origin);
		return NULL;
	}
	nul = len ? memchr(text, '\0', len) : NULL;
	if (nul) {
		size_t l = 1;

		for (const char *c = text; c < nul; c++)
			l += *c == '\n';
		kb_profile_seterr(err, errlen, "%s:%zu: file contains a NUL byte", origin, l);
		return NULL;
	}

	p = calloc(1, sizeof(*p));
	if (!p) {
		kb_profile_seterr(err, errlen, "%s: out of memory", origin);
		return NULL;
	}
	p->origin = origin;
	p->flags = flags;
	p->err = err;
	p->errlen = errlen;

	while (pos < end) {
		const char *nl = memchr(pos, '\n', end - pos);
		size_t l = (nl ? nl : end) - pos;

		p->lineno++;
		if (l > PROFILE_LINE_MAX) {
			perr(p, "line too long (more than %u bytes)", PROFILE_LINE_MAX);
			goto out;
		}
		memcpy(line, pos, l);
		line[l] = '\0';
		if (!parse_line(p, line))
			goto out;
		pos = nl ? nl + 1 : end;
	}
	p->lineno = 0;
	prof = build(p);
out:
	free(p->conds);
	free(p->strs);
	free(p);
	return prof;
}

void kb_profile_free(struct kb_profile *p)
{
	free(p);
}
