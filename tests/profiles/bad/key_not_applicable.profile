# SPDX-License-Identifier: GPL-2.0
# expect: 3: key 'cmd' does not apply to 'read'
read when cmd=1 pass
