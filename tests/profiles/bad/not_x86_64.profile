# SPDX-License-Identifier: GPL-2.0
# expect: 3: 'socketcall' is not an x86_64 syscall
socketcall pass
