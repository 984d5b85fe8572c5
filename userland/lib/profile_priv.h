/* SPDX-License-Identifier: GPL-2.0 */
/* What the profile parser's files share (profile_parse.c, profile_load.c). */
#ifndef KB_PROFILE_PRIV_H
#define KB_PROFILE_PRIV_H

#include <stddef.h>

/* The largest profile file read. */
#define PROFILE_MAX_BYTES	(1u << 20)

/* The formatted message into @err (@errlen bytes), made printable. */
void kb_profile_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* KB_PROFILE_PRIV_H */
