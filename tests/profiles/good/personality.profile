# SPDX-License-Identifier: GPL-2.0
# A personality module, and the syscall that shares its name.
personality-module demo_os-2
personality stub EPERM
uname pass
