# SPDX-License-Identifier: GPL-2.0
# passthrough: every syscall is tier 1 and runs natively, as with no
# profile at all. A baseline: run a program under it to see every syscall
# it makes counted, with nothing changed, before trying a stricter profile.
default pass
