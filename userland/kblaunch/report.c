// SPDX-License-Identifier: GPL-2.0
/*
 * kblaunch: the --report file, and the per-syscall JSON that kbctl shares
 * with it (kbctl links this file), so that `kbctl get --json` and a report
 * describe a syscall with the very same object. The schema is in
 * docs/report.md.
 *
 * Names come from libseccomp, never from a table of our own; errno names
 * from glibc (strerrorname_np). The older text format ("name count" lines,
 * "total N", "out_of_range N") stays available with --report-format text.
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
#include <seccomp.h>

#include "kblaunch.h"
#include "../lib/consts.h"
#include "../lib/profile.h"

/*
 * The policy changes while we read it (kbctl set on a live session), so
 * the sizes of one call may be stale at the next: a few retries, then
 * give up rather than loop forever against a busy writer.
 */
#define KB_RULES_TRIES	16

void kb_rules_free(struct kb_rules *r)
{
	free(r->rules);
	free(r->hits);
	free(r->strings);
	memset(r, 0, sizeof(*r));
}

int kb_rules_fetch(int (*get)(void *ctx, struct kb_get_rules *g), void *ctx,
		   struct kb_rules *r)
{
	struct kb_get_rules g;
	uint32_t count = 0, ssize = 0, i;
	int tries, err;

	memset(r, 0, sizeof(*r));
	for (tries = 0; tries < KB_RULES_TRIES; tries++) {
		kb_rules_free(r);
		if (count) {
			r->rules = calloc(count, sizeof(*r->rules));
			r->hits = calloc(count, sizeof(*r->hits));
			if (!r->rules || !r->hits)
				goto nomem;
		}
		if (ssize) {
			r->strings = calloc(ssize, 1);
			if (!r->strings)
				goto nomem;
		}
		memset(&g, 0, sizeof(g));
		g.size = sizeof(g);
		g.count = count;
		g.rule_size = sizeof(struct kb_rule_desc);
		g.rules = (uintptr_t)r->rules;
		g.hits = (uintptr_t)r->hits;
		g.strings = (uintptr_t)r->strings;
		g.strings_size = ssize;
		err = get(ctx, &g);
		if (err) {
			if (err != -ENOSPC) {
				kb_rules_free(r);
				return err;
			}
		} else if (g.count <= count && g.strings_size <= ssize) {
			r->count = g.count;
			r->strings_size = ssize;
			/* A glob outside our buffer would be a bug: drop it. */
			for (i = 0; i < r->count; i++) {
				uint64_t p = r->rules[i].path;
				uint64_t b = (uintptr_t)r->strings;

				if (p && (p < b || p >= b + ssize))
					r->rules[i].path = 0;
			}
			return 0;
		}
		/* Sizes only (the first call), or grown since: ask again. */
		count = g.count;
		ssize = g.strings_size;
	}
	kb_rules_free(r);
	return -EAGAIN;
nomem:
	kb_rules_free(r);
	return -ENOMEM;
}

static int ioctl_get_rules(void *fd, struct kb_get_rules *g)
{
	return ioctl(*(int *)fd, KB_IOC_GET_RULES, g) ? -errno : 0;
}

int kb_rules_fetch_fd(int fd, struct kb_rules *r)
{
	return kb_rules_fetch(ioctl_get_rules, &fd, r);
}

/* Same rule, whatever buffer its glob lives in. */
static bool rule_equal(const struct kb_rule_desc *a, const struct kb_rule_desc *b)
{
	int64_t va = a->value, vb = b->value;

	/* A stub without an errno is an ENOSYS stub, written either way. */
	if (a->action == KB_ACTION_STUB && !va)
		va = ENOSYS;
	if (b->action == KB_ACTION_STUB && !vb)
		vb = ENOSYS;
	if (a->nr != b->nr || a->tier != b->tier || a->action != b->action ||
	    va != vb || a->match != b->match || a->arg != b->arg ||
	    a->mask != b->mask || a->operand != b->operand)
		return false;
	if (a->match != KB_MATCH_PATH)
		return true;
	if (!a->path || !b->path)
		return a->path == b->path;
	return !strcmp((const char *)(uintptr_t)a->path,
		       (const char *)(uintptr_t)b->path);
}

/* The profile line of @d: the line number, 0 for `default`, -1 if none. */
static int64_t rule_line(const struct kb_profile *p, const struct kb_rule_desc *d)
{
	uint32_t i;

	if (!p)
		return -1;
	for (i = 0; i < p->count; i++)
		if (rule_equal(&p->rules[i], d))
			return p->line ? p->line[i] : 0;
	return -1;
}

const char *kb_errno_name(int64_t e, char *buf, size_t len)
{
	const char *n = NULL;

	if (e > 0 && e < 4096)
		n = strerrorname_np((int)e);
	if (n)
		return n;
	snprintf(buf, len, "%" PRId64, e);
	return buf;
}

char *kb_syscall_name(uint32_t nr)
{
	char *n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, (int)nr);

	if (!n && asprintf(&n, "syscall_%" PRIu32, nr) < 0)
		n = NULL;
	return n;
}

int kb_get_version(int fd, struct kb_version *v)
{
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	if (ioctl(fd, KB_IOC_GET_VERSION, v))
		return -1;
	v->release[sizeof(v->release) - 1] = '\0';
	return 0;
}

int kb_get_stats(int fd, const struct kb_version *v,
		 struct kb_session_stats *st, uint64_t **counts,
		 uint64_t *uring)
{
	uint32_t n = v->nr_syscalls ? v->nr_syscalls : 1;

	*counts = calloc(n, sizeof(**counts));
	if (!*counts)
		return -1;
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->nr_counts = v->nr_syscalls;
	st->counts = (uintptr_t)*counts;
	if (uring && (v->features & KB_FEATURE_URING_OPS)) {
		memset(uring, 0, KB_URING_OPS * sizeof(*uring));
		st->nr_uring_ops = KB_URING_OPS;
		st->uring_ops = (uintptr_t)uring;
	}
	if (ioctl(fd, KB_IOC_SESSION_STATS, st)) {
		int err = errno;

		free(*counts);
		*counts = NULL;
		errno = err;
		return -1;
	}
	if (st->nr_counts > v->nr_syscalls)
		st->nr_counts = v->nr_syscalls;
	return 0;
}

/* json-c reports allocation failures as NULL objects: collect them. */
bool kb_json_add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v)
		return false;
	if (json_object_object_add(o, key, v)) {
		json_object_put(v);
		return false;
	}
	return true;
}

/* {"nr": N, "name": "..."}: a syscall named. */
static struct json_object *kb_json_nr(int64_t nr)
{
	struct json_object *o = json_object_new_object();
	char *name = kb_syscall_name((uint32_t)nr);

	if (!o || !name || !kb_json_add(o, "nr", json_object_new_int64(nr)) ||
	    !kb_json_add(o, "name", json_object_new_string(name))) {
		json_object_put(o);
		o = NULL;
	}
	free(name);
	return o;
}

static bool jnull(struct json_object *o, const char *key)
{
	return json_object_object_add(o, key, NULL) == 0;
}

const char *kb_uring_name(unsigned int op, char *buf, size_t len)
{
	const char *name = op == KB_URING_OPS - 1 ? NULL :
			   kb_const_name(KB_CC_URING, op);

	if (name)
		return name;
	snprintf(buf, len, op == KB_URING_OPS - 1 ? "opcode>=%u" : "opcode%u",
		 op);
	return buf;
}

struct json_object *kb_json_uring(const uint64_t *ops, const char *why)
{
	struct json_object *o = json_object_new_object(), *a, *e;
	char buf[24];
	bool ok;
	int i;

	ok = o && kb_json_add(o, "counted", json_object_new_boolean(ops != NULL));
	if (ok && !ops)
		ok = kb_json_add(o, "why", json_object_new_string(why ? why : "unknown"));
	ok = ok && (a = json_object_new_array()) && kb_json_add(o, "ops", a);
	for (i = 0; ok && ops && i < KB_URING_OPS; i++) {
		if (!ops[i])
			continue;
		ok = (e = json_object_new_object()) &&
		     !json_object_array_add(a, e) &&
		     kb_json_add(e, "opcode", json_object_new_int(i)) &&
		     kb_json_add(e, "name", json_object_new_string(
				kb_uring_name((unsigned int)i, buf, sizeof(buf)))) &&
		     kb_json_add(e, "count", json_object_new_uint64(ops[i]));
	}
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Tier, action and errno/value of one rule (a KB_MATCH_NONE entry). */
static bool add_verdict(struct json_object *o, const struct kb_rule_desc *d)
{
	char buf[24];
	bool ok;

	ok = kb_json_add(o, "tier", json_object_new_string(kb_tier_name(d->tier))) &&
	     kb_json_add(o, "action", json_object_new_string(kb_action_name(d->action)));
	if (ok && d->action == KB_ACTION_STUB)
		ok = kb_json_add(o, "errno", json_object_new_string(
			kb_errno_name(d->value ? d->value : ENOSYS, buf, sizeof(buf))));
	else if (ok && d->action == KB_ACTION_FAKE)
		ok = kb_json_add(o, "value", json_object_new_int64(d->value));
	return ok;
}

struct json_object *kb_json_syscall(uint32_t nr, uint64_t count,
				    const struct kb_rules *rules,
				    const struct kb_profile *profile)
{
	static const struct kb_rule_desc initial = {
		.tier = KB_TIER_FULL, .action = KB_ACTION_PASS,
	};
	const struct kb_rule_desc *main_rule = &initial;
	struct json_object *o, *arr = NULL, *e;
	char text[KB_PATH_MAX + 256];
	const char *path;
	char *name;
	uint32_t i;
	int64_t line;
	bool ok;

	o = json_object_new_object();
	if (!o)
		return NULL;
	name = kb_syscall_name(nr);
	ok = kb_json_add(o, "nr", json_object_new_int64(nr)) &&
	     name && kb_json_add(o, "name", json_object_new_string(name)) &&
	     kb_json_add(o, "count", json_object_new_uint64(count));
	free(name);
	for (i = 0; rules && i < rules->count; i++)
		if (rules->rules[i].nr == nr &&
		    rules->rules[i].match == KB_MATCH_NONE) {
			main_rule = &rules->rules[i];
			break;
		}
	ok = ok && add_verdict(o, main_rule);
	if (ok && rules) {
		arr = json_object_new_array();
		ok = kb_json_add(o, "rules", arr);
	}
	for (i = 0; ok && rules && i < rules->count; i++) {
		const struct kb_rule_desc *d = &rules->rules[i];

		if (d->nr != nr)
			continue;
		path = (const char *)(uintptr_t)d->path;
		if (kb_rule_format(d, path, text, sizeof(text)) < 0)
			snprintf(text, sizeof(text), "?");
		line = rule_line(profile, d);
		e = json_object_new_object();
		ok = e && !json_object_array_add(arr, e) &&
		     kb_json_add(e, "rule", json_object_new_string(text)) &&
		     (line < 0 ? jnull(e, "line") :
		      kb_json_add(e, "line", json_object_new_int64(line))) &&
		     kb_json_add(e, "hits", json_object_new_uint64(rules->hits[i]));
	}
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Highest syscall number a rule names, plus one. */
static uint32_t rules_end(const struct kb_rules *rules)
{
	uint32_t i, end = 0;

	for (i = 0; rules && i < rules->count; i++)
		if (rules->rules[i].nr >= end)
			end = rules->rules[i].nr + 1;
	return end;
}

static bool has_rule(const struct kb_rules *rules, uint32_t nr)
{
	uint32_t i;

	for (i = 0; rules && i < rules->count; i++)
		if (rules->rules[i].nr == nr)
			return true;
	return false;
}

struct json_object *kb_json_syscalls(const uint64_t *counts, uint32_t nr_counts,
				     const struct kb_rules *rules,
				     const struct kb_profile *profile,
				     const uint32_t *only, uint32_t nr_only)
{
	struct json_object *arr, *o;
	uint32_t nr, end = rules_end(rules), i;
	uint64_t c;
	bool want;

	if (end < nr_counts)
		end = nr_counts;
	arr = json_object_new_array();
	for (nr = 0; arr && nr < end; nr++) {
		c = nr < nr_counts ? counts[nr] : 0;
		if (only) {
			for (want = false, i = 0; i < nr_only; i++)
				want |= only[i] == nr;
		} else {
			want = c || has_rule(rules, nr);
		}
		if (!want)
			continue;
		o = kb_json_syscall(nr, c, rules, profile);
		if (!o || json_object_array_add(arr, o)) {
			json_object_put(o);
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

int kb_json_write(int fd, struct json_object *o)
{
	const char *s;
	size_t len, off = 0;
	ssize_t n;

	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					   JSON_C_TO_STRING_SPACED |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		return -ENOMEM;
	/* The document and its newline, with the usual short-write loop. */
	len = strlen(s) + 1;
	while (off < len) {
		n = off < len - 1 ? write(fd, s + off, len - 1 - off) :
				    write(fd, "\n", 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += n;
	}
	return 0;
}

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
		ok = jnull(o, "profile");
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
		ok = jnull(tot, "joined");
	if (ok && r->last_changed >= 0)
		ok = kb_json_add(o, "last_changed", kb_json_nr(r->last_changed));
	else if (ok)
		ok = jnull(o, "last_changed");
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
