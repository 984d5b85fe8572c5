# SPDX-License-Identifier: GPL-2.0
# expect: 4: 'ioctl pass' conflicts with 'ioctl partial' at line 3
ioctl partial
ioctl pass
