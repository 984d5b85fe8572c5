# SPDX-License-Identifier: GPL-2.0
# The tier core's sources, one list for every build of them: Kbuild
# (kbridge.ko) and userland/Makefile (libkbridge) both read it.
KB_CORE_SRCS := policy.c decide.c glob.c tier_full.c tier_partial.c \
		tier_stub.c
