# SPDX-License-Identifier: GPL-2.0
# expect: 4: 'ioctl partial' conflicts with the whole-syscall rule of line 3
ioctl stub
ioctl partial stub ENOTTY
