/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbctl: reading JSON files that may be anything (a report edited by
 * hand, truncated by a crash, another program's file). Every error is one
 * "kbctl: ..." line on stderr that says where: FILE:LINE: for what does
 * not parse (json-c gives the offset where it stopped; the line is
 * counted from it), FILE: .key[3].key: for a value of the wrong type or
 * out of range (json-c keeps no positions of parsed values).
 */
#ifndef KBCTL_JSONIN_H
#define KBCTL_JSONIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

/* Bigger files are refused: kbctl's own reports are far smaller. */
#define KJ_MAX_BYTES	(16u << 20)
/* Deeper nesting is refused; kbridge's JSON is at most 5 deep. */
#define KJ_MAX_DEPTH	32

/*
 * The whole of @path (a file, a pipe, a device: read until its end),
 * NUL-terminated, at most @max bytes. NULL after an error message, or
 * (@missing given) without one when the file does not exist: *@missing
 * is then set.
 */
char *kj_read(const char *path, size_t max, size_t *len, bool *missing);
/*
 * The JSON object in @path. NULL after an error message, or (@missing
 * given) without one when the file does not exist: *@missing is then set.
 */
struct json_object *kj_load(const char *path, bool *missing);

/* "kbctl: FILE: WHERE: reason", WHERE a key path (".syscalls[3].nr"). */
void kj_err(const char *file, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Member @key of object @o (@where: @o's path, "" for the top) with type
 * @type into *@out. Absent or null: false with "missing" said, or true
 * with *@out NULL when @optional. Another type: false, said.
 */
bool kj_member(const char *file, const char *where, struct json_object *o,
	       const char *key, enum json_type type, bool optional,
	       struct json_object **out);
/* An integer member in [@min, @max]. */
bool kj_int(const char *file, const char *where, struct json_object *o,
	    const char *key, int64_t min, int64_t max, int64_t *out);
/* A non-negative integer member (counts: up to 2^64 - 1). */
bool kj_uint(const char *file, const char *where, struct json_object *o,
	     const char *key, uint64_t *out);
/* A string member without NUL bytes, 1 to @max bytes. */
bool kj_string(const char *file, const char *where, struct json_object *o,
	       const char *key, size_t max, const char **out);
/* Element @i of array @arr, an object; @where is the array's path. */
bool kj_object_at(const char *file, const char *where, struct json_object *arr,
		  size_t i, struct json_object **out);

/* The classes of an analysis.json syscall, in kbctl analyze's words. */
enum kj_class { KJ_REQUIRED, KJ_STUB, KJ_FAKE, KJ_EITHER, KJ_NCLASSES };
extern const char *const kj_class_names[KJ_NCLASSES];

/*
 * Element @i of an analysis.json's "syscalls" array @arr: its name (a
 * syscall name as reports write them), its nr (0 to KB_NR_SYSCALLS - 1,
 * agreeing with libseccomp's number for a name it knows) and its class.
 */
bool kj_syscall_entry(const char *file, struct json_object *arr, size_t i,
		      int *nr, const char **name, enum kj_class *cls);

/* @s quoted for a message: printable, at most @len - 1 bytes. */
const char *kj_quote(const char *s, char *buf, size_t len);

#endif
