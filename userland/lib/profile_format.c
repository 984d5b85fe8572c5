// SPDX-License-Identifier: GPL-2.0
/*
 * Entries written back in profile syntax (kb_rule_format): what kbctl get
 * prints and what reports quote, read again by profile_parse.c.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consts.h"
#include "names.h"
#include "profile.h"

/* snprintf into a buffer that may already be full, counting all bytes. */
struct writer {
	char *buf;
	size_t len;
	size_t pos;
};

static void wr(struct writer *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void wr(struct writer *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	if (w->pos < w->len)
		n = vsnprintf(w->buf + w->pos, w->len - w->pos, fmt, ap);
	else
		n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		w->pos += n;
}

static void wr_action(struct writer *w, uint16_t action, int64_t value)
{
	char buf[24];

	switch (action) {
	case KB_ACTION_STUB:
		if (!value) {
			wr(w, "stub");
			break;
		}
		wr(w, "stub %s", kb_errno_name(value, buf, sizeof(buf)));
		break;
	case KB_ACTION_FAKE:
		wr(w, "fake %lld", (long long)value);
		break;
	default:
		wr(w, "%s", kb_action_name(action));
		break;
	}
}

/* MAP_PRIVATE|MAP_ANONYMOUS, and the bits no name covers in hex. */
static void wr_flags(struct writer *w, int cls, uint64_t v)
{
	unsigned int n;
	const struct kb_const *t = kb_const_table(cls, &n);
	uint64_t left = v;
	bool first = true;

	for (unsigned int i = 0; i < n && left; i++) {
		uint64_t b = t[i].value;

		if (!b || (b & (b - 1)) || !(left & b))
			continue;
		wr(w, "%s%s", first ? "" : "|", t[i].name);
		left &= ~b;
		first = false;
	}
	if (left || first)
		wr(w, "%s0x%llx", first ? "" : "|", (unsigned long long)left);
}

static void wr_value(struct writer *w, const struct kb_argkey *k, uint64_t v)
{
	const char *name = k ? kb_const_name(k->cls, v) : NULL;

	if (name)
		wr(w, "%s", name);
	else if (k && kb_const_is_flags(k->cls))
		wr_flags(w, k->cls, v);
	else if (k && k->cls == KB_CC_IOCTL)
		wr(w, "0x%llx", (unsigned long long)v);
	else if (!k && (int64_t)v < 0)
		wr(w, "%lld", (long long)(int64_t)v);
	else
		wr(w, "%llu", (unsigned long long)v);
}

int kb_rule_format(const struct kb_rule_desc *d, const char *path, char *buf, size_t len)
{
	struct writer w = { .buf = buf, .len = len };
	char *name = kb_syscall_libname(d->nr);
	const struct kb_argkey *k;

	if (buf && len)
		buf[0] = '\0';
	else
		w.len = 0;
	if (name)
		wr(&w, "%s ", name);
	else
		wr(&w, "%u ", d->nr);
	free(name);

	switch (d->match) {
	case KB_MATCH_NONE:
		if (d->tier == KB_TIER_PARTIAL)
			wr(&w, "partial ");
		wr_action(&w, d->action, d->value);
		break;
	case KB_MATCH_PATH:
		wr(&w, "when path=%s ", path ? path : "");
		wr_action(&w, d->action, d->value);
		break;
	case KB_MATCH_EQ:
		k = kb_argkey_by_arg(d->nr, d->arg, d->mask);
		if (k) {
			wr(&w, "when %s=", k->key);
			wr_value(&w, k, d->operand);
		} else {
			wr(&w, "when arg%u=", d->arg);
			wr_value(&w, NULL, d->operand);
		}
		wr(&w, " ");
		wr_action(&w, d->action, d->value);
		if (!k && d->mask != KB_ARG_W64)
			wr(&w, " # mask 0x%llx", (unsigned long long)d->mask);
		break;
	case KB_MATCH_ANY_BIT:
		k = kb_argkey_by_arg(d->nr, d->arg, KB_ARG_W32);
		if (!k || (d->mask & ~k->mask))
			k = kb_argkey_by_arg(d->nr, d->arg, KB_ARG_W64);
		if (k) {
			wr(&w, "when %s&", k->key);
			if (kb_const_is_flags(k->cls))
				wr_flags(&w, k->cls, d->mask);
			else
				wr(&w, "0x%llx", (unsigned long long)d->mask);
		} else {
			wr(&w, "when arg%u&0x%llx", d->arg, (unsigned long long)d->mask);
		}
		wr(&w, " ");
		wr_action(&w, d->action, d->value);
		break;
	default:
		wr(&w, "# unknown match %u", d->match);
		break;
	}
	return (int)w.pos;
}
