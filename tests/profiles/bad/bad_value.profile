# SPDX-License-Identifier: GPL-2.0
# expect: 3: bad value '12x'
getpid fake 12x
