# SPDX-License-Identifier: GPL-2.0
# expect: 3: bad personality name 'Demo' (1 to 31 of a-z, 0-9, '_', '-')
personality-module Demo
