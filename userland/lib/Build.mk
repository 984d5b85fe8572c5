# SPDX-License-Identifier: GPL-2.0
# The profile parser: libkbprofile.a, linked into kblaunch and kbctl.
LIB_SRCS += lib/profile.c lib/consts.c lib/escape.c
