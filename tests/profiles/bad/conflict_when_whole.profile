# SPDX-License-Identifier: GPL-2.0
# expect: 4: 'ioctl stub' conflicts with 'ioctl when' at line 3
ioctl when cmd=TCGETS pass
ioctl stub
