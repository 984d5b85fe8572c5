/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbridge userland: the release this userland belongs to. kblaunch runs
 * only against a kbridge.ko that reports the same release string (the
 * module defines the same value as KB_RELEASE in module/internal.h).
 */
#ifndef KB_RELEASE_H
#define KB_RELEASE_H

#define KB_RELEASE	"0.1.0"

#endif /* KB_RELEASE_H */
