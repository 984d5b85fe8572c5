# SPDX-License-Identifier: GPL-2.0
# expect: 4: duplicate 'default' (first at line 3)
default stub
default pass
