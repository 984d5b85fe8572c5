# SPDX-License-Identifier: GPL-2.0
# expect: 3: bad value '0x100000000' for 'cmd'
ioctl when cmd=0x100000000 pass
