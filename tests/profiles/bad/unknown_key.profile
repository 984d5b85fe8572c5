# SPDX-License-Identifier: GPL-2.0
# expect: 3: unknown key 'colour' for 'ioctl'
ioctl when colour=1 pass
