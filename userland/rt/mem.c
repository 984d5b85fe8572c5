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

/* Decimal digits of @v into the end of @buf; returns the first digit. */
static char *fmt_u64(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

/*
 * One line to fd 2: "kblaunch: runtime: MSG: errno N". Built in one
 * buffer and written with one write() so that lines from several threads
 * do not interleave.
 */
void kbrt_say(const char *msg, long err)
{
	static const char pre[] = "kblaunch: runtime: ";
	static const char mid[] = ": errno ";
	char line[256], num[24], *p = line, *d;
	uint64_t n = kbrt_strlen(msg);

	if (n > sizeof(line) - sizeof(pre) - sizeof(mid) - sizeof(num))
		n = sizeof(line) - sizeof(pre) - sizeof(mid) - sizeof(num);
	kbrt_memcpy(p, pre, sizeof(pre) - 1);
	p += sizeof(pre) - 1;
	kbrt_memcpy(p, msg, n);
	p += n;
	kbrt_memcpy(p, mid, sizeof(mid) - 1);
	p += sizeof(mid) - 1;
	d = fmt_u64(num + sizeof(num), (uint64_t)(err < 0 ? -err : err));
	kbrt_memcpy(p, d, (uint64_t)(num + sizeof(num) - d));
	p += num + sizeof(num) - d;
	*p++ = '\n';
	sys_write(2, line, (uint64_t)(p - line));
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
