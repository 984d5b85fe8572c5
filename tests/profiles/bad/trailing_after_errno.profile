# SPDX-License-Identifier: GPL-2.0
# expect: 3: unexpected 'extra' at the end of the line
read stub ENOENT extra
