/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of <linux/module.h> to compile the kernel's lib/glob.c in
 * user space (tests/host/core_glob.c compares kbridge's glob with it).
 */
#ifndef KGLOB_MODULE_H
#define KGLOB_MODULE_H
#include <stdbool.h>
#include <stddef.h>
#define MODULE_DESCRIPTION(s)
#define MODULE_LICENSE(s)
#define EXPORT_SYMBOL(sym)
#define __pure		__attribute__((pure))
#define fallthrough	__attribute__((fallthrough))
#endif
