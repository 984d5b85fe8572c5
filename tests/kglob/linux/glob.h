/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's glob API, for its lib/glob.c compiled in user space. */
#ifndef KGLOB_GLOB_H
#define KGLOB_GLOB_H
#include <stdbool.h>
#include <stddef.h>
bool glob_match(char const *pat, char const *str);
bool glob_match_len(char const *pat, char const *str, size_t len);
#endif
