# SPDX-License-Identifier: GPL-2.0
# expect: 4: duplicate line: 'ioctl partial' already at line 3
ioctl partial
ioctl partial stub
