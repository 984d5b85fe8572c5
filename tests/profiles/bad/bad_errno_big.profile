# SPDX-License-Identifier: GPL-2.0
# expect: 3: bad errno '4096'
read stub 4096
