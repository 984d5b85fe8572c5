# SPDX-License-Identifier: GPL-2.0
# expect: 3: 'TCGETS' is not a number ('arg1' takes numbers only)
ioctl when arg1=TCGETS pass
