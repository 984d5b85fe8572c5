# SPDX-License-Identifier: GPL-2.0
# expect: 3: unknown constant 'F_SETFL' for 'cmd' of 'ioctl'
ioctl when cmd=F_SETFL pass
