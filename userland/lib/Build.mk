# SPDX-License-Identifier: GPL-2.0
# The client layer, libkbclient.a, linked into kblaunch and kbctl: the
# profile parser, the name tables, the ioctls more than one tool issues
# and the JSON shapes they share.
LIB_SRCS += lib/profile_parse.c lib/profile_load.c lib/profile_format.c \
	    lib/consts.c lib/escape.c lib/names.c lib/ioctl.c \
	    lib/json.c lib/procstat.c
