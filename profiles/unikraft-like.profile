# SPDX-License-Identifier: GPL-2.0
# unikraft-like: Unikraft's binary-compatible syscall surface as the Loupe
# authors recorded it for their support plans (Loupe, ASPLOS'24, §4, Table 1).
#
# Source: unikraft/loupe,
#   misc-artifacts/os-compatibility-score/google-csvs/unikraft.csv at commit
#   06f127e455a28c802e50f1798cc617215bf089ba (read 2026-11-23): column
#   "Status" per syscall 0..334, and the column "Incomplete".
# Mapping (see profiles/README.md):
#   Implemented                   -> pass
#   listed as Incomplete          -> pass, "# incomplete" (kbridge cannot
#                                    tell which part is missing)
#   Stubbed                       -> stub ENOSYS, "# stubbed" (Loupe's
#                                    meaning of stubbing: return -ENOSYS)
#   Not implemented, and 335..    -> stub ENOSYS
# One exception: rt_sigreturn is "Not implemented" in the table but passes
# here, because a program's signal handlers cannot return without it and
# every kbridge profile keeps it (and exit, exit_group) passing.
default stub ENOSYS

read pass
write pass
open pass
close pass
stat pass
fstat pass
lstat pass
poll pass
lseek pass
mmap pass
mprotect pass
munmap pass
brk pass                        # incomplete
rt_sigaction pass               # incomplete
rt_sigprocmask pass             # incomplete
rt_sigreturn pass               # not implemented; kbridge needs it (see header)
ioctl pass
pread64 pass
pwrite64 pass
readv pass
writev pass
access pass
pipe pass                       # incomplete
select pass
sched_yield pass
mremap stub ENOSYS              # stubbed
msync stub ENOSYS
mincore stub ENOSYS
madvise stub ENOSYS             # stubbed
shmget stub ENOSYS
shmat stub ENOSYS
shmctl stub ENOSYS
dup pass
dup2 pass
pause stub ENOSYS               # stubbed
nanosleep pass
getitimer stub ENOSYS
alarm stub ENOSYS               # stubbed
setitimer pass                  # incomplete
getpid pass
sendfile stub ENOSYS
socket pass
connect pass
accept pass
sendto pass
recvfrom pass
sendmsg pass
recvmsg pass
shutdown pass
bind pass                       # incomplete
listen pass                     # incomplete
getsockname pass
getpeername pass
socketpair pass
setsockopt pass
getsockopt pass
clone stub ENOSYS
fork stub ENOSYS                # stubbed
vfork stub ENOSYS               # stubbed
execve stub ENOSYS              # stubbed
exit pass                       # incomplete
wait4 pass
kill pass
uname pass
semget stub ENOSYS
semop stub ENOSYS
semctl stub ENOSYS
shmdt stub ENOSYS
msgget stub ENOSYS
msgsnd stub ENOSYS
msgrcv stub ENOSYS
msgctl stub ENOSYS
fcntl pass
flock pass
fsync pass
fdatasync pass
truncate pass
ftruncate pass
getdents pass
getcwd pass
chdir pass
fchdir pass
rename pass
mkdir pass
rmdir pass
creat pass
link pass
unlink pass
symlink pass
readlink pass
chmod pass
fchmod pass
chown stub ENOSYS               # stubbed
fchown stub ENOSYS              # stubbed
lchown stub ENOSYS              # stubbed
umask pass
gettimeofday pass
getrlimit pass
getrusage pass
sysinfo stub ENOSYS             # stubbed
times stub ENOSYS               # stubbed
ptrace stub ENOSYS
getuid pass
syslog stub ENOSYS              # stubbed
getgid pass
setuid pass
setgid pass
geteuid pass
getegid pass
setpgid pass
getppid pass
getpgrp pass
setsid pass
setreuid pass
setregid pass
getgroups pass
setgroups pass
setresuid pass
getresuid pass
setresgid pass
getresgid pass
getpgid pass
setfsuid stub ENOSYS            # stubbed
setfsgid stub ENOSYS            # stubbed
getsid pass
capget stub ENOSYS              # stubbed
capset stub ENOSYS              # stubbed
rt_sigpending pass              # incomplete
rt_sigtimedwait pass            # incomplete
rt_sigqueueinfo stub ENOSYS
rt_sigsuspend pass              # incomplete
sigaltstack stub ENOSYS
utime pass
mknod pass
uselib stub ENOSYS
personality stub ENOSYS
ustat stub ENOSYS
statfs stub ENOSYS
fstatfs pass
sysfs stub ENOSYS
getpriority pass
setpriority pass
sched_setparam stub ENOSYS
sched_getparam stub ENOSYS
sched_setscheduler stub ENOSYS
sched_getscheduler stub ENOSYS
sched_get_priority_max stub ENOSYS
sched_get_priority_min stub ENOSYS
sched_rr_get_interval stub ENOSYS
mlock stub ENOSYS
munlock stub ENOSYS
mlockall stub ENOSYS
munlockall stub ENOSYS
vhangup stub ENOSYS
modify_ldt stub ENOSYS
pivot_root stub ENOSYS
_sysctl stub ENOSYS
prctl stub ENOSYS               # stubbed
arch_prctl stub ENOSYS
adjtimex stub ENOSYS
setrlimit stub ENOSYS           # stubbed
chroot stub ENOSYS              # stubbed
sync pass
acct stub ENOSYS
settimeofday stub ENOSYS
mount pass
umount2 pass
swapon stub ENOSYS
swapoff stub ENOSYS
reboot stub ENOSYS
sethostname pass
setdomainname stub ENOSYS
iopl stub ENOSYS
ioperm stub ENOSYS
create_module stub ENOSYS
init_module stub ENOSYS
delete_module stub ENOSYS
get_kernel_syms stub ENOSYS
query_module stub ENOSYS
quotactl stub ENOSYS
nfsservctl stub ENOSYS
getpmsg stub ENOSYS
putpmsg stub ENOSYS
afs_syscall stub ENOSYS
tuxcall stub ENOSYS
security stub ENOSYS
gettid stub ENOSYS
readahead stub ENOSYS
setxattr stub ENOSYS
lsetxattr stub ENOSYS
fsetxattr stub ENOSYS
getxattr stub ENOSYS
lgetxattr stub ENOSYS
fgetxattr stub ENOSYS
listxattr stub ENOSYS
llistxattr stub ENOSYS
flistxattr stub ENOSYS
removexattr stub ENOSYS
lremovexattr stub ENOSYS
fremovexattr stub ENOSYS
tkill pass                      # incomplete
time pass
futex stub ENOSYS
sched_setaffinity stub ENOSYS
sched_getaffinity stub ENOSYS
set_thread_area stub ENOSYS
io_setup stub ENOSYS
io_destroy stub ENOSYS
io_getevents stub ENOSYS
io_submit stub ENOSYS
io_cancel stub ENOSYS
get_thread_area stub ENOSYS
lookup_dcookie stub ENOSYS
epoll_create stub ENOSYS
epoll_ctl_old stub ENOSYS
epoll_wait_old stub ENOSYS
remap_file_pages stub ENOSYS
getdents64 stub ENOSYS
set_tid_address stub ENOSYS
restart_syscall stub ENOSYS
semtimedop stub ENOSYS
fadvise64 stub ENOSYS
timer_create stub ENOSYS        # stubbed
timer_settime stub ENOSYS       # stubbed
timer_gettime stub ENOSYS       # stubbed
timer_getoverrun stub ENOSYS    # stubbed
timer_delete stub ENOSYS        # stubbed
clock_settime stub ENOSYS       # stubbed
clock_gettime pass
clock_getres stub ENOSYS        # stubbed
clock_nanosleep stub ENOSYS
exit_group pass                 # incomplete
epoll_wait stub ENOSYS
epoll_ctl stub ENOSYS
tgkill stub ENOSYS
utimes pass
vserver stub ENOSYS
mbind stub ENOSYS
set_mempolicy stub ENOSYS
get_mempolicy stub ENOSYS
mq_open stub ENOSYS
mq_unlink stub ENOSYS
mq_timedsend stub ENOSYS
mq_timedreceive stub ENOSYS
mq_notify stub ENOSYS
mq_getsetattr stub ENOSYS
kexec_load stub ENOSYS
waitid stub ENOSYS
add_key stub ENOSYS
request_key stub ENOSYS
keyctl stub ENOSYS
ioprio_set stub ENOSYS
ioprio_get stub ENOSYS
inotify_init stub ENOSYS
inotify_add_watch stub ENOSYS
inotify_rm_watch stub ENOSYS
migrate_pages stub ENOSYS
openat pass
mkdirat stub ENOSYS
mknodat stub ENOSYS
fchownat stub ENOSYS
futimesat stub ENOSYS
newfstatat pass
unlinkat stub ENOSYS
renameat stub ENOSYS
linkat stub ENOSYS
symlinkat stub ENOSYS
readlinkat stub ENOSYS
fchmodat stub ENOSYS
faccessat pass
pselect6 stub ENOSYS
ppoll pass
unshare stub ENOSYS
set_robust_list stub ENOSYS
get_robust_list stub ENOSYS
splice stub ENOSYS
tee stub ENOSYS
sync_file_range stub ENOSYS
vmsplice stub ENOSYS
move_pages stub ENOSYS
utimensat pass
epoll_pwait stub ENOSYS
signalfd stub ENOSYS
timerfd_create stub ENOSYS
eventfd stub ENOSYS             # stubbed
fallocate pass
timerfd_settime stub ENOSYS
timerfd_gettime stub ENOSYS
accept4 stub ENOSYS
signalfd4 stub ENOSYS
eventfd2 stub ENOSYS
epoll_create1 stub ENOSYS
dup3 pass
pipe2 pass
inotify_init1 stub ENOSYS
preadv pass
pwritev pass
rt_tgsigqueueinfo stub ENOSYS
perf_event_open stub ENOSYS
recvmmsg stub ENOSYS
fanotify_init stub ENOSYS
fanotify_mark stub ENOSYS
prlimit64 pass
name_to_handle_at stub ENOSYS
open_by_handle_at stub ENOSYS
clock_adjtime stub ENOSYS
syncfs stub ENOSYS
sendmmsg stub ENOSYS
setns stub ENOSYS
getcpu stub ENOSYS
process_vm_readv stub ENOSYS
process_vm_writev stub ENOSYS
kcmp stub ENOSYS
finit_module stub ENOSYS
sched_setattr stub ENOSYS
sched_getattr stub ENOSYS
renameat2 stub ENOSYS
seccomp stub ENOSYS
getrandom pass
memfd_create stub ENOSYS
kexec_file_load stub ENOSYS
bpf stub ENOSYS
execveat stub ENOSYS
userfaultfd stub ENOSYS
membarrier stub ENOSYS
mlock2 stub ENOSYS
copy_file_range stub ENOSYS
preadv2 stub ENOSYS
pwritev2 stub ENOSYS
pkey_mprotect stub ENOSYS
pkey_alloc stub ENOSYS
pkey_free stub ENOSYS
statx stub ENOSYS
io_pgetevents stub ENOSYS
rseq stub ENOSYS
