# SPDX-License-Identifier: GPL-2.0
# expect: 4: unknown syscall 'frobnicate'
read pass
frobnicate pass
