# SPDX-License-Identifier: GPL-2.0
# expect: 3: unknown constant 'TCFOO' for 'cmd' of 'ioctl'
ioctl when cmd=TCFOO pass
