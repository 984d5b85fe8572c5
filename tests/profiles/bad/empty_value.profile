# SPDX-License-Identifier: GPL-2.0
# expect: 3: empty value in 'cmd=TCGETS,'
ioctl when cmd=TCGETS, pass
