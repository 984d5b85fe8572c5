# SPDX-License-Identifier: GPL-2.0
# expect: 4: 'ioctl when' conflicts with the whole-syscall rule of line 3
ioctl stub
ioctl when cmd=TCGETS pass
