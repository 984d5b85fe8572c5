# SPDX-License-Identifier: GPL-2.0
# expect: 3: key 'path' does not apply to 'read'
read when path=/x pass
