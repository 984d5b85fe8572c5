// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctls more than one tool issues (ioctl.h), one wrapper each, the
 * way libbpf's bpf.c wraps bpf(2).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "ioctl.h"

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

int kb_set_rules(int fd, const struct kb_rule_desc *rules, uint32_t count)
{
	struct kb_set_rules sr = {
		.size = sizeof(sr),
		.count = count,
		.rule_size = sizeof(struct kb_rule_desc),
		.rules = (uintptr_t)rules,
	};

	return ioctl(fd, KB_IOC_SET_RULES, &sr);
}
