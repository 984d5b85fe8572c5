// SPDX-License-Identifier: GPL-2.0
/*
 * Names, each kept once (names.h): syscalls from libseccomp, errnos from
 * glibc (strerrorname_np), tiers and actions from the tables below,
 * io_uring opcodes from the constant tables (consts.c).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kbridge.h>
#include <seccomp.h>

#include "consts.h"
#include "names.h"

int kb_syscall_lookup(const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);

	if (nr == __NR_SCMP_ERROR)
		return -1;
	return nr < 0 ? -2 : nr;
}

char *kb_syscall_libname(uint32_t nr)
{
	return seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, (int)nr);
}

char *kb_syscall_name(uint32_t nr)
{
	char *n = kb_syscall_libname(nr);

	if (!n && asprintf(&n, "syscall_%" PRIu32, nr) < 0)
		n = NULL;
	return n;
}

int kb_syscall_unnamed(const char *name)
{
	if (strncmp(name, "syscall_", 8) || name[8] < '0' || name[8] > '9')
		return -1;
	return atoi(name + 8);
}

const char *kb_errno_name(int64_t e, char *buf, size_t len)
{
	const char *n = NULL;

	if (e > 0 && e <= KB_ERRNO_MAX)
		n = strerrorname_np((int)e);
	if (n)
		return n;
	snprintf(buf, len, "%" PRId64, e);
	return buf;
}

int kb_errno_lookup(const char *name)
{
	for (int e = 1; e <= KB_ERRNO_MAX; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcmp(n, name))
			return e;
	}
	return -1;
}

static const char *const tier_names[] = {
	[KB_TIER_FULL] = "full",
	[KB_TIER_PARTIAL] = "partial",
	[KB_TIER_STUBBED] = "stubbed",
};

static const char *const action_names[] = {
	[KB_ACTION_PASS] = "pass",
	[KB_ACTION_STUB] = "stub",
	[KB_ACTION_FAKE] = "fake",
};

const char *kb_tier_name(uint16_t tier)
{
	if (tier < sizeof(tier_names) / sizeof(tier_names[0]) && tier_names[tier])
		return tier_names[tier];
	return "?";
}

const char *kb_action_name(uint16_t action)
{
	if (action < sizeof(action_names) / sizeof(action_names[0]) &&
	    action_names[action])
		return action_names[action];
	return "?";
}

const char *kb_uring_name(unsigned int op, char *buf, size_t len)
{
	const char *name = op == KB_URING_OPS - 1 ? NULL :
			   kb_const_name(KB_CC_URING, op);

	if (name)
		return name;
	snprintf(buf, len, op == KB_URING_OPS - 1 ? "opcode>=%u" : "opcode%u",
		 op);
	return buf;
}
