/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The JSON shapes kblaunch's --report and kbctl share (docs/report.md),
 * built with json-c.
 */
#ifndef KB_JSON_H
#define KB_JSON_H

#include <stdbool.h>
#include <stdint.h>

struct json_object;
struct kb_profile;
struct kb_rules;

/* Add @v under @key; false (and @v freed) when @v is NULL or adding fails. */
bool kb_json_add(struct json_object *o, const char *key, struct json_object *v);
/* Add a JSON null under @key; false when adding fails. */
bool kb_json_null(struct json_object *o, const char *key);
/* {"nr": N, "name": "..."}: a syscall named; NULL: no memory. */
struct json_object *kb_json_nr(int64_t nr);
/*
 * One syscall: nr, name, count, the verdict of its main rule (or full/pass
 * when @rules has none) and, when @rules is given, every rule of it with
 * its profile line in @profile (null when not found) and its hits.
 */
struct json_object *kb_json_syscall(uint32_t nr, uint64_t count,
				    const struct kb_rules *rules,
				    const struct kb_profile *profile);
/* Syscalls with a count or a rule (@only: exactly these numbers). */
struct json_object *kb_json_syscalls(const uint64_t *counts, uint32_t nr_counts,
				     const struct kb_rules *rules,
				     const struct kb_profile *profile,
				     const uint32_t *only, uint32_t nr_only);
/*
 * {"counted": true, "ops": [{"opcode", "name", "count"}...]} of the
 * non-zero entries of @ops (KB_URING_OPS), or {"counted": false, "why":
 * @why, "ops": []} when @ops is NULL.
 */
struct json_object *kb_json_uring(const uint64_t *ops, const char *why);
/* @o pretty-printed to @fd with a newline; 0 or -errno. */
int kb_json_write(int fd, struct json_object *o);

#endif /* KB_JSON_H */
