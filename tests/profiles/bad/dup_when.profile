# SPDX-License-Identifier: GPL-2.0
# expect: 6: duplicate line: the same 'when' rule as line 3
ioctl when cmd=TCGETS,TIOCGWINSZ pass
ioctl when cmd=TCGETS pass
ioctl when cmd=TIOCGWINSZ,TCGETS pass
ioctl when cmd=0x5401,0x5413 pass
