# SPDX-License-Identifier: GPL-2.0
# expect: 4: duplicate 'personality-module' (first at line 3)
personality-module demo
personality-module other
