# SPDX-License-Identifier: GPL-2.0
# Every action form of whole-syscall and partial rules (profile_parse.c
# checks each entry against these lines).
default stub ENOSYS

read pass
write	pass		# tabs and trailing comments
getpid fake 42
getppid fake
getuid fake -1
getgid fake 0x10
open stub
access stub ENOENT
stat stub 13
umask stub ENOSYS
ioctl partial stub ENOTTY
fcntl partial
prctl partial fake 7
exit pass
exit_group pass
rt_sigreturn pass
