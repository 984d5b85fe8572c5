# SPDX-License-Identifier: GPL-2.0
# expect: 4: bad value '9223372036854775808'
# Decimal values must fit in 64 signed bits; hex gives raw register bits.
getpid fake 9223372036854775808
