// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl: JSON files read with errors that say where (jsonin.h).
 *
 * json-c's own file reader gives NULL and nothing else for a file that
 * does not parse, stops at a NUL byte, and takes a valid document followed
 * by anything for valid; this one reads the whole file (bounded, so that
 * /dev/zero or a FIFO that never ends cannot eat the memory), refuses NUL
 * bytes and trailing text, and turns json-c's offset into a line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kbctl.h"
#include "jsonin.h"
#include "../../lib/names.h"
#include "../../lib/profile.h"

/* 1 + the newlines before @off. */
static unsigned int kj_line(const char *buf, size_t off)
{
	unsigned int line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		line += buf[i] == '\n';
	return line;
}

static bool kj_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

char *kj_read(const char *path, size_t max, size_t *lenp, bool *missing)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *nb;
	ssize_t n;
	int fd;

	if (missing)
		*missing = false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && missing)
			*missing = true;
		else
			kbctl_err("%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				kbctl_err("%s: out of memory", path);
				goto fail;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			kbctl_err("%s: %s", path, strerror(errno));
			goto fail;
		}
		if (!n)
			break;
		len += (size_t)n;
		if (len > max) {
			kbctl_err("%s: larger than %zu bytes", path, max);
			goto fail;
		}
	}
	close(fd);
	if (!buf) {
		buf = malloc(1);
		if (!buf) {
			kbctl_err("%s: out of memory", path);
			return NULL;
		}
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

static const char *kj_type_name(enum json_type t)
{
	switch (t) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a number";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "?";
}

struct json_object *kj_load(const char *path, bool *missing)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error jerr;
	const char *nul;
	size_t len, end;
	char *buf;

	if (missing)
		*missing = false;
	buf = kj_read(path, KJ_MAX_BYTES, &len, missing);
	if (!buf)
		return NULL;
	o = NULL;
	nul = memchr(buf, '\0', len);
	for (end = 0; end < len && kj_space(buf[end]); end++)
		;
	if (nul) {
		kbctl_err("%s:%u: a NUL byte: not JSON", path,
			  kj_line(buf, (size_t)(nul - buf)));
		goto out;
	}
	if (end == len) {
		kbctl_err("%s:%u: empty: not JSON", path, kj_line(buf, len));
		goto out;
	}
	tok = json_tokener_new_ex(KJ_MAX_DEPTH);
	if (!tok) {
		kbctl_err("%s: out of memory", path);
		goto out;
	}
	o = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (end > len)
		end = len;
	if (!o && jerr == json_tokener_continue) {
		/* The line of the last thing there is. */
		while (end > 0 && kj_space(buf[end - 1]))
			end--;
		kbctl_err("%s:%u: not JSON (the file ends inside the document: truncated?)",
			  path, kj_line(buf, end ? end - 1 : 0));
		goto out;
	}
	if (!o) {
		kbctl_err("%s:%u: not JSON (%s)", path, kj_line(buf, end),
			  json_tokener_error_desc(jerr));
		goto out;
	}
	while (end < len && kj_space(buf[end]))
		end++;
	if (end < len) {
		kbctl_err("%s:%u: not JSON (text after the end of the document)",
			  path, kj_line(buf, end));
		json_object_put(o);
		o = NULL;
		goto out;
	}
	if (!json_object_is_type(o, json_type_object)) {
		kbctl_err("%s: expected an object at the top, not %s", path,
			  kj_type_name(json_object_get_type(o)));
		json_object_put(o);
		o = NULL;
	}
out:
	free(buf);
	return o;
}

void kj_err(const char *file, const char *where, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kbctl_err("%s: %s: %s", file, *where ? where : ".", msg);
}

const char *kj_quote(const char *s, char *buf, size_t len)
{
	kb_escape(buf, len, s, strlen(s));
	return buf;
}

bool kj_member(const char *file, const char *where, struct json_object *o,
	       const char *key, enum json_type type, bool optional,
	       struct json_object **out)
{
	char path[512];
	struct json_object *v = NULL;
	enum json_type t;

	*out = NULL;
	snprintf(path, sizeof(path), "%s.%s", where, key);
	if (!json_object_object_get_ex(o, key, &v) || !v) {
		if (optional)
			return true;
		kj_err(file, path, "missing");
		return false;
	}
	t = json_object_get_type(v);
	/* An integer is a number too. */
	if (t != type && !(type == json_type_double && t == json_type_int)) {
		kj_err(file, path, "expected %s, not %s", kj_type_name(type),
		       kj_type_name(t));
		return false;
	}
	*out = v;
	return true;
}

bool kj_int(const char *file, const char *where, struct json_object *o,
	    const char *key, int64_t min, int64_t max, int64_t *out)
{
	struct json_object *v;
	char path[512];
	int64_t x;

	if (!kj_member(file, where, o, key, json_type_int, false, &v))
		return false;
	x = json_object_get_int64(v);
	/* json-c keeps what does not fit an int64 as a uint64. */
	if (x < min || x > max || (x == INT64_MAX && json_object_get_uint64(v) > INT64_MAX)) {
		snprintf(path, sizeof(path), "%s.%s", where, key);
		kj_err(file, path, "%s out of range (%" PRId64 " to %" PRId64 ")",
		       json_object_get_string(v), min, max);
		return false;
	}
	*out = x;
	return true;
}

bool kj_uint(const char *file, const char *where, struct json_object *o,
	     const char *key, uint64_t *out)
{
	struct json_object *v;
	char path[512];

	if (!kj_member(file, where, o, key, json_type_int, false, &v))
		return false;
	if (json_object_get_int64(v) < 0) {
		snprintf(path, sizeof(path), "%s.%s", where, key);
		kj_err(file, path, "%s is negative", json_object_get_string(v));
		return false;
	}
	*out = json_object_get_uint64(v);
	return true;
}

bool kj_string(const char *file, const char *where, struct json_object *o,
	       const char *key, size_t max, const char **out)
{
	struct json_object *v;
	char path[512];
	const char *s;
	size_t len;

	if (!kj_member(file, where, o, key, json_type_string, false, &v))
		return false;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	snprintf(path, sizeof(path), "%s.%s", where, key);
	if (strlen(s) != len) {
		kj_err(file, path, "a NUL character in the string");
		return false;
	}
	if (!len || len > max) {
		kj_err(file, path, "%zu bytes (1 to %zu)", len, max);
		return false;
	}
	*out = s;
	return true;
}

bool kj_object_at(const char *file, const char *where, struct json_object *arr,
		  size_t i, struct json_object **out)
{
	struct json_object *v = json_object_array_get_idx(arr, i);
	char path[512];

	snprintf(path, sizeof(path), "%s[%zu]", where, i);
	if (!json_object_is_type(v, json_type_object)) {
		kj_err(file, path, "expected an object, not %s",
		       kj_type_name(json_object_get_type(v)));
		return false;
	}
	*out = v;
	return true;
}

const char *const kj_class_names[KJ_NCLASSES] = {
	"required", "stub", "fake", "either"
};

/* A syscall name as reports write them: libseccomp's, or syscall_N. */
static bool kj_name_ok(const char *s)
{
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(s);
}

bool kj_syscall_entry(const char *file, struct json_object *arr, size_t i,
		      int *nr, const char **name, enum kj_class *cls)
{
	struct json_object *s;
	const char *c;
	char where[64], key[80], q[128];
	int64_t n;
	int k;

	snprintf(where, sizeof(where), ".syscalls[%zu]", i);
	if (!kj_object_at(file, ".syscalls", arr, i, &s) ||
	    !kj_string(file, where, s, "name", 64, name))
		return false;
	if (!kj_name_ok(*name)) {
		kj_err(file, where, "'%s' is not a syscall name",
		       kj_quote(*name, q, sizeof(q)));
		return false;
	}
	if (!kj_int(file, where, s, "nr", 0, KB_NR_SYSCALLS - 1, &n))
		return false;
	/*
	 * The number is what the application called; a name that
	 * libseccomp knows must agree with it, or the report was written by
	 * hand wrongly (or for another architecture). An unknown name may be
	 * a newer libseccomp's.
	 */
	k = kb_syscall_lookup(*name);
	/* The name kblaunch gives a number libseccomp has none for. */
	if (k == -1)
		k = kb_syscall_unnamed(*name);
	if (k != -1 && k != n) {
		snprintf(key, sizeof(key), "%s.nr", where);
		kj_err(file, key, "%s is syscall %d on x86_64, not %" PRId64,
		       *name, k, n);
		return false;
	}
	if (!kj_string(file, where, s, "class", 64, &c))
		return false;
	for (k = 0; k < KJ_NCLASSES && strcmp(c, kj_class_names[k]); k++)
		;
	if (k == KJ_NCLASSES) {
		snprintf(key, sizeof(key), "%s.class", where);
		kj_err(file, key, "unknown class '%s' (required, stub, fake or either)",
		       kj_quote(c, q, sizeof(q)));
		return false;
	}
	*nr = (int)n;
	*cls = (enum kj_class)k;
	return true;
}
