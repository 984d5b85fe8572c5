# SPDX-License-Identifier: GPL-2.0
# expect: 3: bad errno '0'
read stub 0
