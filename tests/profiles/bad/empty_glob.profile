# SPDX-License-Identifier: GPL-2.0
# expect: 3: empty glob in 'path='
openat when path= pass
