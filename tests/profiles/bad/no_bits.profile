# SPDX-License-Identifier: GPL-2.0
# expect: 3: no bits to test in 'flags&0'
mmap when flags&0 pass
