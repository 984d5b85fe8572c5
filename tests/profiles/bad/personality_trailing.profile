# SPDX-License-Identifier: GPL-2.0
# expect: 3: unexpected 'x' at the end of the line
personality-module demo x
