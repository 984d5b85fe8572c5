// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge tier core: glob patterns of path conditions, one implementation
 * for every host, so that a rule matches the same strings in kbridge.ko
 * and in libkbridge.
 *
 * The syntax is that of the kernel's glob_match() (lib/glob.c), which the
 * ABI documents: '*' matches any run of characters, '/' included; '?' any
 * one character; '[...]' one character of a class of single characters
 * and ranges 'a-z', complemented by a leading '!', where a ']' right
 * after the '[' (or "[!") is a member and a '-' first or last is itself;
 * a '[' whose class never closes is a literal '['; '\\' makes the next
 * character literal (a '\\' that ends the pattern matches the end of the
 * string). Matching is on bytes, case-sensitive, of the whole string.
 * tests/host/core_glob.c compares it with the kernel's own, at random.
 */
#include "core.h"

/*
 * Does @c belong to the class that starts after the '[' at @p? Sets *@end
 * past its ']' and returns 0 or 1, or returns -1 when the class does not
 * close (then the '[' is a literal).
 */
static int kb_glob_class(const char *p, unsigned char c, const char **end)
{
	bool negate = *p == '!', in = false;
	const char *q = p + negate;
	bool first = true;

	for (;;) {
		unsigned char lo = (unsigned char)*q, hi;

		if (!lo)
			return -1;
		if (lo == ']' && !first)
			break;
		first = false;
		hi = lo;
		if (q[1] == '-' && q[2] && q[2] != ']') {
			hi = (unsigned char)q[2];
			q += 3;
		} else {
			q++;
		}
		if (lo <= c && c <= hi)
			in = true;
	}
	*end = q + 1;
	return in != negate;
}

bool kb_glob_match(const char *pat, const char *str)
{
	/* Where to resume after the last '*': one character further on. */
	const char *star_pat = NULL, *star_str = NULL;

	for (;;) {
		unsigned char c = (unsigned char)*str;
		const char *next;
		int in;

		switch (*pat) {
		case '*':
			star_pat = ++pat;
			star_str = str;
			continue;
		case '?':
			if (!c)
				goto mismatch;
			pat++;
			str++;
			continue;
		case '[':
			if (!c)
				goto mismatch;
			in = kb_glob_class(pat + 1, c, &next);
			if (in < 0)
				goto literal;
			if (!in)
				goto mismatch;
			pat = next;
			str++;
			continue;
		case '\\':
			/* A trailing '\\' escapes the NUL: it matches the end. */
			pat++;
			break;
		}
literal:
		if ((unsigned char)*pat == c) {
			if (!c)
				return true;
			pat++;
			str++;
			continue;
		}
mismatch:
		if (!star_pat || !*star_str)
			return false;
		pat = star_pat;
		str = ++star_str;
	}
}
