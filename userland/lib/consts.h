/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What kbridge knows per syscall beyond its name and number: which argument
 * a profile key reads, which class of symbolic constants it takes, which
 * argument is a path: part of libkbclient, read by the profile parser,
 * the names and kbctl analyze's discovery of sub-features.
 */
#ifndef KB_CONSTS_H
#define KB_CONSTS_H

#include <stdbool.h>
#include <stdint.h>

enum kb_const_class {
	KB_CC_NONE,		/* argN: numbers only */
	KB_CC_IOCTL,		/* ioctl requests */
	KB_CC_FCNTL,		/* F_* */
	KB_CC_PRCTL,		/* PR_* */
	KB_CC_ARCH_PRCTL,	/* ARCH_* */
	KB_CC_RLIMIT,		/* RLIMIT_* */
	KB_CC_MADV,		/* MADV_* */
	KB_CC_AF,		/* AF_* */
	KB_CC_MAP,		/* MAP_* */
	KB_CC_CLONE,		/* CLONE_* */
	KB_CC_PROT,		/* PROT_* */
	KB_CC_URING,		/* IORING_OP_*: no argument, report names */
};

/* The widths of the arguments keys read: an int, a long. */
#define KB_ARG_W32	0xffffffffULL
#define KB_ARG_W64	0xffffffffffffffffULL

/* A profile key of one syscall: "cmd" of ioctl is argument 1, 32 bits. */
struct kb_argkey {
	const char *key;
	int nr;
	uint8_t arg;
	uint8_t cls;		/* enum kb_const_class */
	uint64_t mask;		/* the argument's width */
};

/* The key @key of syscall @nr, or NULL when the key does not apply. */
const struct kb_argkey *kb_argkey_find(const char *key, int nr);
/* The named key that reads argument @arg of @nr with @mask, or NULL. */
const struct kb_argkey *kb_argkey_by_arg(int nr, unsigned int arg, uint64_t mask);
/* True when @key names a key of some syscall (for better errors). */
bool kb_argkey_known(const char *key);
/* @nr's key whose values are commands, not flags (ioctl's cmd, prctl's
 * option...): its sub-features; NULL when it has none. */
const struct kb_argkey *kb_argkey_enum(int nr);

struct kb_const {
	const char *name;
	uint64_t value;
};

/* The constants of @cls, canonical names before aliases; *@n entries. */
const struct kb_const *kb_const_table(int cls, unsigned int *n);
/* The value of constant @name of @cls; false when it has none. */
bool kb_const_lookup(int cls, const char *name, uint64_t *value);
/* The first name of @cls whose value is @value, or NULL. */
const char *kb_const_name(int cls, uint64_t value);
/* True when @cls is a class of flags (MAP_*, CLONE_*, PROT_*), ORed. */
bool kb_const_is_flags(int cls);

/* The argument index of @nr's path, or -1 when it has none we know. */
int kb_path_arg(int nr);

#endif /* KB_CONSTS_H */
