// SPDX-License-Identifier: GPL-2.0
/*
 * The tier core's glob (core/glob.c) against the kernel's own
 * glob_match(), which the ABI names as the reference: lib/glob.c is
 * taken from Debian's linux-source tarball at build time and compiled
 * here. A table of cases with known answers, then random patterns and
 * strings over an alphabet full of metacharacters, compared one by one.
 *
 * Left out of the random comparison: "[!" classes. At the end of the
 * string the kernel's loop lets "[!x]" consume the terminating NUL and
 * reads the byte after it; the core answers "no match" there, as
 * glob(7) does. The table covers "[!" classes away from the end.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbridge_test.h"

/* TEST() expands to a wrapper with an unused parameter (-Wextra). */
#pragma GCC diagnostic ignored "-Wunused-parameter"

bool kb_glob_match(const char *pat, const char *str);
bool glob_match(char const *pat, char const *str);

static const struct {
	const char *pat, *str;
	bool match;
} cases[] = {
	{ "/proc/*", "/proc/self/status", true },
	{ "/proc/*", "/proc", false },
	{ "/proc/[0-9]*", "/proc/12/maps", true },
	{ "/proc/[0-9]*", "/proc/self", false },
	{ "/dev/tty?", "/dev/tty1", true },
	{ "/dev/tty?", "/dev/tty", false },
	{ "a[!b]c", "axc", true },
	{ "a[!b]c", "abc", false },
	{ "[]]", "]", true },
	{ "[!]]x", "ax", true },
	{ "[a-]", "-", true },
	{ "[]-a]", "^", true },
	{ "a[", "a[", true },
	{ "a[b", "a[b", true },
	{ "\\*", "*", true },
	{ "\\*", "x", false },
	{ "a\\", "a", true },
	{ "*", "", true },
	{ "", "", true },
	{ "", "a", false },
	{ "*a*b", "xxaxxbyyb", true },
	{ "*a*b", "xxaxxbyyc", false },
	{ "??*", "a", false },
};

TEST(table)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_EQ(cases[i].match,
			  kb_glob_match(cases[i].pat, cases[i].str)) {
			TH_LOG("core: '%s' vs '%s'", cases[i].pat, cases[i].str);
		}
		EXPECT_EQ(cases[i].match,
			  glob_match(cases[i].pat, cases[i].str)) {
			TH_LOG("kernel: '%s' vs '%s'", cases[i].pat,
			       cases[i].str);
		}
	}
}

static void fill(char *s, size_t n, const char *alphabet)
{
	size_t i, k = strlen(alphabet);

	for (i = 0; i < n; i++)
		s[i] = alphabet[rand() % k];
	s[n] = '\0';
}

TEST(random_against_kernel)
{
	char pat[16], str[16];
	unsigned long n, compared = 0, matched = 0;

	srand(20261124);
	for (n = 0; n < 400000; n++) {
		fill(pat, rand() % 10, "ab/*?[]-!\\");
		fill(str, rand() % 10, "ab/-]![\\*?");
		if (strstr(pat, "[!"))
			continue;
		compared++;
		matched += glob_match(pat, str);
		ASSERT_EQ(glob_match(pat, str), kb_glob_match(pat, str)) {
			TH_LOG("'%s' vs '%s'", pat, str);
		}
	}
	/* Enough comparisons, and both answers well represented. */
	EXPECT_LT(300000UL, compared);
	EXPECT_LT(10000UL, matched);
	EXPECT_LT(10000UL, compared - matched);
}

TEST_HARNESS_MAIN
