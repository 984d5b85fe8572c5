// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON shapes kbridge's tools share (json.h): a syscall described
 * the same way in kblaunch's --report and in kbctl's output. The schema
 * is docs/report.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ioctl.h"
#include "json.h"
#include "names.h"
#include "profile.h"

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

struct json_object *kb_json_nr(int64_t nr)
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

bool kb_json_null(struct json_object *o, const char *key)
{
	return json_object_object_add(o, key, NULL) == 0;
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
		     (line < 0 ? kb_json_null(e, "line") :
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
