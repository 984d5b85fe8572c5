# SPDX-License-Identifier: GPL-2.0
# expect: 3: unknown action 'stop'
read stop
