// SPDX-License-Identifier: GPL-2.0
/*
 * kb_escape() (profile.h): what a file said, quoted in an error message
 * without letting it act on the terminal. Its own file: kblaunch's loader
 * quotes paths out of ELF files and #! lines with it too.
 */
#include <stdio.h>
#include <string.h>

#include "profile.h"

/* Bytes of a valid UTF-8 sequence at @s (@n left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

size_t kb_escape(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, i = 0, n;

	if (!dstlen)
		return 0;
	while (i < srclen) {
		n = s[i] >= 0x80 ? utf8_len(s + i, srclen - i) : 1;
		if (n && s[i] >= 0x20 && s[i] != 0x7f) {
			if (o + n >= dstlen)
				break;
			memcpy(dst + o, s + i, n);
			o += n;
			i += n;
			continue;
		}
		if (o + 4 >= dstlen)
			break;
		snprintf(dst + o, 5, "\\x%02x", s[i]);
		o += 4;
		i++;
	}
	dst[o] = '\0';
	return o;
}
