# SPDX-License-Identifier: GPL-2.0
# expect: 3: bad condition 'cmd'
ioctl when cmd pass
