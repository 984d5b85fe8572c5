// SPDX-License-Identifier: GPL-2.0
/*
 * Profiles found by name (kb_profile_load, kb_profile_each): the search
 * directories, $KB_PROFILE_PATH first, and the file read whole and
 * bounded before it is parsed (profile_parse.c).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"
#include "profile_priv.h"

static struct kb_profile *load_file(const char *path, char *err, size_t errlen)
{
	struct kb_profile *prof = NULL;
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		kb_profile_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st)) {
		kb_profile_seterr(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		kb_profile_seterr(err, errlen, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if ((uint64_t)st.st_size > PROFILE_MAX_BYTES) {
		kb_profile_seterr(err, errlen, "%s: too big", path);
		close(fd);
		return NULL;
	}
	/* one byte more than allowed: a file that grew is still caught */
	buf = malloc(PROFILE_MAX_BYTES + 1);
	if (!buf) {
		kb_profile_seterr(err, errlen, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t n = read(fd, buf + got, PROFILE_MAX_BYTES + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			kb_profile_seterr(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += n;
		if (got > PROFILE_MAX_BYTES) {
			kb_profile_seterr(err, errlen, "%s: too big", path);
			goto out;
		}
	}
	prof = kb_profile_parse(buf, got, path, 0, err, errlen);
out:
	free(buf);
	close(fd);
	return prof;
}

static bool try_dir(const char *dir, size_t dlen, const char *name, char *out,
		    size_t outlen)
{
	static const char *const suffix[] = { "", ".profile" };
	struct stat st;

	if (!dlen)
		return false;
	for (size_t i = 0; i < 2; i++) {
		int n = snprintf(out, outlen, "%.*s/%s%s", (int)dlen, dir, name,
				 suffix[i]);

		if (n < 0 || (size_t)n >= outlen)
			continue;
		if (!stat(out, &st) && S_ISREG(st.st_mode))
			return true;
	}
	return false;
}

/*
 * Calls @fn on each directory of kb_profile_load()'s search, in its
 * documented order, until @fn returns true; returns whether one did.
 */
static bool each_dir(bool (*fn)(const char *dir, size_t len, void *arg),
		     void *arg)
{
	static const char *const sys_dirs[] = {
		"/usr/local/share/kbridge/profiles",
		"/usr/share/kbridge/profiles",
	};
	const char *env = getenv("KB_PROFILE_PATH");
	char exe[PATH_MAX], dir[PATH_MAX + 32];
	ssize_t n;

	while (env && *env) {
		size_t l = strcspn(env, ":");

		if (l && fn(env, l, arg))
			return true;
		env += l + (env[l] == ':');
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(dir, sizeof(dir), "%s/../profiles", exe);
			if (fn(dir, strlen(dir), arg))
				return true;
			snprintf(dir, sizeof(dir), "%s/../../profiles", exe);
			if (fn(dir, strlen(dir), arg))
				return true;
		}
	}
	for (size_t i = 0; i < 2; i++)
		if (fn(sys_dirs[i], strlen(sys_dirs[i]), arg))
			return true;
	return false;
}

struct find_arg {
	const char *name;
	char *out;
	size_t outlen;
};

static bool find_in(const char *dir, size_t len, void *arg)
{
	struct find_arg *f = arg;

	return try_dir(dir, len, f->name, f->out, f->outlen);
}

/* The search of kb_profile_load(), in its documented order. */
static bool find_profile(const char *name, char *out, size_t outlen)
{
	struct find_arg f = { name, out, outlen };

	return each_dir(find_in, &f);
}

struct each_arg {
	int (*fn)(const char *name, const char *path, void *arg);
	void *arg;
	char **seen;
	size_t nseen;
	int ret;
};

static bool seen_before(struct each_arg *e, const char *name)
{
	char **more;

	for (size_t i = 0; i < e->nseen; i++)
		if (!strcmp(e->seen[i], name))
			return true;
	more = realloc(e->seen, (e->nseen + 1) * sizeof(*more));
	if (more) {
		e->seen = more;
		e->seen[e->nseen] = strdup(name);
		if (e->seen[e->nseen])
			e->nseen++;
	}
	return false;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static bool each_in(const char *dir, size_t len, void *arg)
{
	static const char ext[] = ".profile";
	struct each_arg *e = arg;
	char d[PATH_MAX], path[2 * PATH_MAX];
	struct dirent **ents;
	struct stat st;
	int n, i;

	if (len >= sizeof(d))
		return false;
	memcpy(d, dir, len);
	d[len] = '\0';
	n = scandir(d, &ents, NULL, by_name);
	for (i = 0; i < n; i++) {
		char *name = ents[i]->d_name;
		size_t l = strlen(name);

		if (!e->ret && l > sizeof(ext) - 1 &&
		    !strcmp(name + l - (sizeof(ext) - 1), ext)) {
			snprintf(path, sizeof(path), "%s/%s", d, name);
			name[l - (sizeof(ext) - 1)] = '\0';
			if (!stat(path, &st) && S_ISREG(st.st_mode) &&
			    !seen_before(e, name))
				e->ret = e->fn(name, path, e->arg);
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	return e->ret != 0;
}

int kb_profile_each(int (*fn)(const char *name, const char *path, void *arg),
		    void *arg)
{
	struct each_arg e = { .fn = fn, .arg = arg };

	each_dir(each_in, &e);
	for (size_t i = 0; i < e.nseen; i++)
		free(e.seen[i]);
	free(e.seen);
	return e.ret;
}

void kb_profile_name(const char *profile, char *name, size_t len)
{
	const char *base = strrchr(profile, '/');
	size_t n;

	if (!len)
		return;
	base = base ? base + 1 : profile;
	n = strcspn(base, ".");
	if (n >= len)
		n = len - 1;
	memcpy(name, base, n);
	name[n] = '\0';
	/* Names are printable ASCII with no space (the module checks). */
	for (; n--; name++)
		if (*name <= ' ' || *name > '~')
			*name = '_';
}

struct kb_profile *kb_profile_load(const char *name_or_path, char *err, size_t errlen)
{
	char path[PATH_MAX];

	if (!name_or_path || !*name_or_path) {
		kb_profile_seterr(err, errlen, "empty profile name");
		return NULL;
	}
	if (strchr(name_or_path, '/'))
		return load_file(name_or_path, err, errlen);
	if (!find_profile(name_or_path, path, sizeof(path))) {
		kb_profile_seterr(err, errlen,
		       "%s: no such profile in $KB_PROFILE_PATH, <kbridge>/profiles, "
		       "/usr/local/share/kbridge/profiles or /usr/share/kbridge/profiles",
		       name_or_path);
		return NULL;
	}
	return load_file(path, err, errlen);
}
