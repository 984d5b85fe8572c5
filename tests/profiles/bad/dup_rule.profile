# SPDX-License-Identifier: GPL-2.0
# expect: 5: duplicate rule for 'read' (first at line 3)
read pass
write pass
read stub
