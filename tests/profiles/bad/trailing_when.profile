# SPDX-License-Identifier: GPL-2.0
# expect: 3: unexpected 'EPERM' at the end of the line
ioctl when cmd=TCGETS pass EPERM
