/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The profile parser of libkbclient: kbridge profiles (docs/profiles.md) parsed into the
 * kb_rule_desc entries KB_IOC_SET_RULES takes, and written back.
 */
#ifndef KB_PROFILE_H
#define KB_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kbridge.h>

/* One parsed profile, ready for KB_IOC_SET_RULES. */
struct kb_profile {
	char *origin;			/* file path read, or the origin given */
	struct kb_rule_desc *rules;	/* ABI order, default expanded; path
					 * pointers point into this object */
	uint32_t count;
	uint32_t *line;			/* source line of each rule, 0 = default */
	struct kb_rule_desc default_rule;	/* nr = 0, tier/action/value of 'default' */
	/* 'personality-module NAME' (KB_IOC_SET_PERSONALITY), "" for none */
	char personality[KB_PERSONALITY_NAME_MAX + 1];
	uint32_t personality_line;
};

#define KB_PROFILE_NO_DEFAULT	(1u << 0)	/* 'default' is an error (kbctl set) */

/* Find NAME (no '/': $KB_PROFILE_PATH dirs, then <exe dir>/../profiles,
 * <exe dir>/../../profiles, then /usr/local/share/kbridge/profiles and
 * /usr/share/kbridge/profiles, trying NAME and NAME.profile) or PATH and parse
 * it. NULL on error with "file:line: reason" in @err. */
struct kb_profile *kb_profile_load(const char *name_or_path, char *err, size_t errlen);
/* Calls @fn(NAME, PATH, @arg) for each NAME.profile of kb_profile_load()'s
 * search directories, a NAME once (the one kb_profile_load(NAME) would
 * read), by directory then name, until @fn returns non-zero; returns that
 * value, or 0. */
int kb_profile_each(int (*fn)(const char *name, const char *path, void *arg),
		    void *arg);
/* Parse @text as a profile whose lines are reported as "@origin:LINE". */
struct kb_profile *kb_profile_parse(const char *text, size_t len, const char *origin,
				    unsigned int flags, char *err, size_t errlen);
/* The name a profile goes by (kbctl ps): @profile's file name without its
 * directory and what follows its first '.', cut to @len - 1 bytes, with
 * '_' for each byte that is a space, a control or not ASCII. */
void kb_profile_name(const char *profile, char *name, size_t len);
/* Free a profile; NULL is fine. */
void kb_profile_free(struct kb_profile *p);
/* Write entry @d back in profile syntax ("openat when path=/proc/[0-9]* stub ENOENT",
 * "getpid fake 42", "ioctl partial stub ENOTTY"); @path is the glob for
 * KB_MATCH_PATH entries (NUL-terminated), else ignored. Returns snprintf-style length. */
int kb_rule_format(const struct kb_rule_desc *d, const char *path, char *buf, size_t len);
/*
 * @src (@srclen bytes, NULs included) made safe to print in an error
 * message into @dst (always NUL-terminated when @dstlen > 0): control
 * bytes, DEL and bytes that are not valid UTF-8 become \xNN, so that a
 * binary file quoted in a message cannot garble the terminal. Returns the
 * length written.
 */
size_t kb_escape(char *dst, size_t dstlen, const char *src, size_t srclen);

#endif /* KB_PROFILE_H */
