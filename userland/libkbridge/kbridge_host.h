/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkbridge internals: the tier core as libkbridge builds it, and the
 * default host services it falls back to.
 */
#ifndef KBRIDGE_HOST_H
#define KBRIDGE_HOST_H

#include "../../core/core.h"

/* Linux through libc (host_linux.c): every member set. */
extern const struct kb_ops kb_linux_ops;

#endif /* KBRIDGE_HOST_H */
