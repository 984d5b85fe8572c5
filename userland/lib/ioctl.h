/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ioctls of /dev/kbridge that more than one tool issues, one wrapper
 * each; the others stay with the one tool that issues them.
 */
#ifndef KB_IOCTL_H
#define KB_IOCTL_H

#include <stdint.h>
#include <linux/kbridge.h>

/* One KB_IOC_GET_RULES snapshot; rules[i].path points into strings. */
struct kb_rules {
	struct kb_rule_desc *rules;
	uint64_t *hits;
	uint32_t count;
	char *strings;
	uint32_t strings_size;
};

/*
 * The rules and their hits through @get (KB_IOC_GET_RULES semantics, 0 or
 * -errno, called with @ctx), into fresh buffers; 0 or -errno.
 */
int kb_rules_fetch(int (*get)(void *ctx, struct kb_get_rules *g), void *ctx,
		   struct kb_rules *r);
/* kb_rules_fetch() with KB_IOC_GET_RULES on the session of @fd. */
int kb_rules_fetch_fd(int fd, struct kb_rules *r);
/* Free what kb_rules_fetch() allocated and zero @r. */
void kb_rules_free(struct kb_rules *r);
/* KB_IOC_SET_RULES: the session of @fd gets @count entries of @rules; -1
 * with errno. */
int kb_set_rules(int fd, const struct kb_rule_desc *rules, uint32_t count);
/* KB_IOC_GET_VERSION into @v, release NUL-terminated; -1 with errno. */
int kb_get_version(int fd, struct kb_version *v);
/*
 * KB_IOC_SESSION_STATS with a fresh *@counts of v->nr_syscalls entries
 * (the caller frees it); nr_counts clamped to it; the io_uring operations
 * per opcode into @uring (KB_URING_OPS entries) when it is not NULL and
 * the module counts them (st->uring_armed). -1 with errno.
 */
int kb_get_stats(int fd, const struct kb_version *v,
		 struct kb_session_stats *st, uint64_t **counts,
		 uint64_t *uring);

#endif /* KB_IOCTL_H */
