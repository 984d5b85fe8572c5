# SPDX-License-Identifier: GPL-2.0
# kerla-like: the syscalls Kerla's kernel dispatches on x86_64.
#
# Source: nuta/kerla, kernel/syscalls/mod.rs, SyscallHandler::do_dispatch,
#   at commit 9816b67decbdf754d7d89076b87fc793e0181e96 (read 2026-11-23).
#   Documentation/compatibility.md in the same repository lists the same
#   kind of statuses (Partially / Unimplemented) for another state of the code.
# Mapping (see profiles/README.md):
#   a match arm calling a sys_* handler   -> pass (how complete the handler
#                                            is was not examined)
#   a match arm returning Ok(0) ("TODO")  -> fake 0
#   the default arm (ENOSYS)              -> default: stub ENOSYS
default stub ENOSYS

read pass
write pass
open pass
close pass
stat pass
fstat pass
lstat pass
poll pass
mmap pass
brk pass
rt_sigaction pass
rt_sigprocmask pass
rt_sigreturn pass
ioctl pass
writev pass
pipe pass
select pass
dup2 pass
getpid pass
socket pass
connect pass
accept pass
sendto pass
recvfrom pass
shutdown pass
bind pass
listen pass
getsockname pass
getpeername pass
getsockopt pass
fork pass
execve pass
exit pass
wait4 pass
kill pass
uname pass
fcntl pass
fsync pass
getcwd pass
chdir pass
mkdir pass
link pass
readlink pass
chmod pass
chown fake 0                    # Ok(0), marked TODO
getuid fake 0                   # Ok(0), marked TODO
syslog pass
setuid fake 0                   # Ok(0), marked TODO
setgid fake 0                   # Ok(0), marked TODO
geteuid fake 0                  # Ok(0), marked TODO
setpgid pass
getppid pass
setgroups fake 0                # Ok(0), marked TODO
getpgid pass
arch_prctl pass
reboot pass
gettid pass
getdents64 pass
set_tid_address pass
clock_gettime pass
exit_group pass
utimes pass
linkat pass
getrandom pass
