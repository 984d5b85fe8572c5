# SPDX-License-Identifier: GPL-2.0
# path=GLOB rules on syscalls whose path is argument 0 and argument 1.
openat when path=/proc/[0-9]*/maps stub ENOENT
openat when path=/sys/* stub EACCES
openat partial
open when path=/etc/passwd fake 3
stat when path=/dev/?ty* stub ENOENT
execve when path=/usr/bin/* pass
execve partial stub EPERM
newfstatat when path=/proc/self/* stub ENOENT
readlink when path=/proc/self/exe pass
