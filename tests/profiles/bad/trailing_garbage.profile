# SPDX-License-Identifier: GPL-2.0
# expect: 3: unexpected 'now' at the end of the line
read pass now
