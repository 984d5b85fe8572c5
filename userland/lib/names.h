/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names kbridge's tools print and read, each kept here once: syscalls
 * (libseccomp's, never a table of our own), errnos (glibc's), tiers,
 * actions and io_uring opcodes.
 */
#ifndef KB_NAMES_H
#define KB_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* The largest errno a profile, a report or the module's ABI may carry. */
#define KB_ERRNO_MAX		4095

/* x86_64's number for syscall @name; -1: libseccomp does not know the
 * name; -2: it names no x86_64 syscall (a pseudo-syscall). */
int kb_syscall_lookup(const char *name);
/* libseccomp's x86_64 name for @nr, or NULL; free() it. */
char *kb_syscall_libname(uint32_t nr);
/* libseccomp's name, or "syscall_NR"; free() it. NULL: no memory. */
char *kb_syscall_name(uint32_t nr);
/* NR of a "syscall_NR" name (what kb_syscall_name gives a number
 * libseccomp has no name for), or -1. */
int kb_syscall_unnamed(const char *name);

/* "ENOENT", or the number in @buf when glibc has no name for it. */
const char *kb_errno_name(int64_t e, char *buf, size_t len);
/* The errno glibc calls @name (1..KB_ERRNO_MAX), or -1. */
int kb_errno_lookup(const char *name);

/* "full", "partial", "stubbed"; "?" for anything else. */
const char *kb_tier_name(uint16_t tier);
/* "pass", "stub", "fake"; "?" for anything else. "partial" for tier 2
 * KB_MATCH_NONE entries is the caller's job. */
const char *kb_action_name(uint16_t action);

/* "IORING_OP_READ"; "opcode>=63" for the module's last slot, which
 * counts all those; "opcodeN" for one with no name. */
const char *kb_uring_name(unsigned int op, char *buf, size_t len);

#endif /* KB_NAMES_H */
