// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge runtime: the few memory and string helpers the handler needs.
 * Built with -fno-builtin, so the compiler does not turn these loops back
 * into calls to libc's memset/memcpy (the Makefile checks that the
 * runtime links against nothing but itself).
 */
#include "internal.h"
#include "sys.h"

void kbrt_memset(void *dst, int c, uint64_t len)
{
	volatile unsigned char *d = dst;

	while (len--)
		*d++ = (unsigned char)c;
}

void kbrt_memcpy(void *dst, const void *src, uint64_t len)
{
	volatile unsigned char *d = dst;
	const unsigned char *s = src;

	while (len--)
		*d++ = *s++;
}

uint64_t kbrt_strlen(const char *s)
{
	uint64_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Decimal digits of @v into the end of a buffer; returns the first one. */
char *kbrt_fmt_int(char *end, long v)
{
	uint64_t u = (uint64_t)(v < 0 ? -v : v);

	*--end = '\0';
	do {
		*--end = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--end = '-';
	return end;
}

/*
 * One line to fd 2, the concatenation of @parts and a newline. Built in
 * one buffer (cut at its size) and written with one write() so that lines
 * from several threads do not interleave.
 */
void kbrt_write_line(const char *const *parts, unsigned int n)
{
	char line[512];
	uint64_t len = 0, k;
	unsigned int i;

	for (i = 0; i < n; i++) {
		k = kbrt_strlen(parts[i]);
		if (k > sizeof(line) - 1 - len)
			k = sizeof(line) - 1 - len;
		kbrt_memcpy(line + len, parts[i], k);
		len += k;
	}
	line[len++] = '\n';
	sys_write(2, line, len);
}

/* "kblaunch: runtime: MSG: errno N" */
void kbrt_say(const char *msg, long err)
{
	char num[24];
	const char *parts[] = {
		"kblaunch: runtime: ", msg, ": errno ",
		kbrt_fmt_int(num + sizeof(num), err < 0 ? -err : err),
	};

	kbrt_write_line(parts, 4);
}

/*
 * The runtime cannot go on without losing or faking a syscall: say why
 * and end the whole process. 127 is what a shell reports for "could not
 * run the command".
 */
void kbrt_die(const char *msg, long err)
{
	kbrt_say(msg, err);
	sys_exit_group(127);
}
