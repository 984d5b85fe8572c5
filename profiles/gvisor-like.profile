# SPDX-License-Identifier: GPL-2.0
# gvisor-like: the Linux surface gVisor's Sentry offers on amd64.
#
# Source: google/gvisor, pkg/sentry/syscalls/linux/linux64.go, the AMD64
#   syscall table, at commit 02c06d48776e2f2fbe2264fb74a5abb208df4dc5
#   (read 2026-11-23). gVisor's published amd64 compatibility table
#   (gvisor.dev, user guide, compatibility, amd64) is generated from it.
# Mapping (see profiles/README.md):
#   Supported                  -> pass
#   PartiallySupported         -> pass, the table's note as a comment;
#                                 partial rules where the note names what
#                                 works (madvise, arch_prctl, clone)
#   Error / ErrorWithEvent     -> stub with the errno the table gives
#   CapError                   -> stub EPERM: gVisor answers EPERM when the
#                                 caller lacks the capability (the usual
#                                 unprivileged container), ENOSYS otherwise
#   not in the table           -> default: stub ENOSYS (the table's Missing)
# The errno of the partial rules (EINVAL) is Linux's answer for an
# unsupported flag or code; the table does not give one.
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
brk pass
rt_sigaction pass
rt_sigprocmask pass
rt_sigreturn pass
ioctl pass
pread64 pass
pwrite64 pass
readv pass
writev pass
access pass
pipe pass
select pass
sched_yield pass
mremap pass
msync pass                      # partial: full data flush not guaranteed
mincore pass                    # partial: stub: reports every mapped page resident
madvise partial fake			# other advice is accepted and ignored
madvise when advice=MADV_DONTNEED,MADV_DONTFORK pass
shmget pass                     # partial: SHM_HUGETLB unsupported
shmat pass                      # partial: SHM_RND unsupported
shmctl pass                     # partial: SHM_LOCK, SHM_UNLOCK unsupported
dup pass
dup2 pass
pause pass
nanosleep pass
getitimer pass
alarm pass
setitimer pass
getpid pass
sendfile pass
socket pass
connect pass
accept pass
sendto pass
recvfrom pass
sendmsg pass
recvmsg pass
shutdown pass
bind pass
listen pass
getsockname pass
getpeername pass
socketpair pass
setsockopt pass
getsockopt pass
clone partial pass			# CLONE_NEWTIME has no clone(2) bit here
clone when flags&CLONE_SYSVSEM stub EINVAL
fork pass
vfork pass
execve pass
exit pass
wait4 pass
kill pass
uname pass
semget pass
semop pass                      # partial: SEM_UNDO unsupported
semctl pass
shmdt pass
msgget pass
msgsnd pass
msgrcv pass
msgctl pass
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
chown pass
fchown pass
lchown pass
umask pass
gettimeofday pass
getrlimit pass
getrusage pass                  # partial: some fields missing or coarse
sysinfo pass                    # partial: some fields missing
times pass
ptrace pass                     # partial: PTRACE_PEEKSIGINFO, PTRACE_SECCOMP_GET_FILTER unsupported
getuid pass
syslog pass                     # partial: returns a dummy message
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
setfsuid stub ENOSYS
setfsgid stub ENOSYS
getsid pass
capget pass
capset pass
rt_sigpending pass
rt_sigtimedwait pass
rt_sigqueueinfo pass
rt_sigsuspend pass
sigaltstack pass
utime pass
mknod pass
uselib stub ENOSYS
personality pass                # partial: only no-op personality bits
ustat stub ENOSYS
statfs pass
fstatfs pass
sysfs stub ENOSYS
getpriority pass                # partial: stub
setpriority pass                # partial: stub
sched_setparam stub EPERM       # needs CAP_SYS_NICE
sched_getparam pass             # partial: stub
sched_setscheduler pass         # partial: stub
sched_getscheduler pass         # partial: stub
sched_get_priority_max pass     # partial: stub
sched_get_priority_min pass     # partial: stub
sched_rr_get_interval stub EPERM
mlock pass                      # partial: stub, no permission
munlock pass                    # partial: stub, no permission
mlockall pass                   # partial: stub, no permission
munlockall pass                 # partial: stub, no permission
vhangup stub EPERM              # needs CAP_SYS_TTY_CONFIG
modify_ldt stub EPERM
pivot_root pass
_sysctl stub EPERM
prctl pass                      # partial: not every option
arch_prctl partial pass
arch_prctl when code=ARCH_GET_GS,ARCH_SET_GS stub EINVAL
adjtimex stub EPERM             # needs CAP_SYS_TIME
setrlimit pass                  # partial: not every limit enforced
chroot pass
sync pass
acct stub EPERM                 # needs CAP_SYS_PACCT
settimeofday stub EPERM         # needs CAP_SYS_TIME
mount pass
umount2 pass
swapon stub EPERM               # needs CAP_SYS_ADMIN
swapoff stub EPERM              # needs CAP_SYS_ADMIN
reboot stub EPERM               # needs CAP_SYS_BOOT
sethostname pass
setdomainname pass
iopl stub EPERM                 # needs CAP_SYS_RAWIO
ioperm stub EPERM               # needs CAP_SYS_RAWIO
create_module stub EPERM        # needs CAP_SYS_MODULE
init_module stub EPERM          # needs CAP_SYS_MODULE
delete_module stub EPERM        # needs CAP_SYS_MODULE
get_kernel_syms stub ENOSYS
query_module stub ENOSYS
quotactl stub EPERM             # needs CAP_SYS_ADMIN
nfsservctl stub ENOSYS
getpmsg stub ENOSYS
putpmsg stub ENOSYS
afs_syscall pass                # partial: test implementation
tuxcall stub ENOSYS
security stub ENOSYS
gettid pass
readahead pass
setxattr pass
lsetxattr pass
fsetxattr pass
getxattr pass
lgetxattr pass
fgetxattr pass
listxattr pass
llistxattr pass
flistxattr pass
removexattr pass
lremovexattr pass
fremovexattr pass
tkill pass
time pass
futex pass                      # partial: no robust futexes
sched_setaffinity pass          # partial: stub
sched_getaffinity pass          # partial: stub
set_thread_area stub ENOSYS
io_setup pass                   # partial: no user ring
io_destroy pass                 # partial: no user ring
io_getevents pass               # partial: no user ring
io_submit pass                  # partial: no user ring
io_cancel pass                  # partial: no user ring
get_thread_area stub ENOSYS
lookup_dcookie stub EPERM       # needs CAP_SYS_ADMIN
epoll_create pass
epoll_ctl_old stub ENOSYS
epoll_wait_old stub ENOSYS
remap_file_pages stub ENOSYS
getdents64 pass
set_tid_address pass
restart_syscall pass
semtimedop pass
fadvise64 pass                  # partial: advice ignored
timer_create pass
timer_settime pass
timer_gettime pass
timer_getoverrun pass
timer_delete pass
clock_settime pass
clock_gettime pass
clock_getres pass
clock_nanosleep pass
exit_group pass
epoll_wait pass
epoll_ctl pass
tgkill pass
utimes pass
vserver stub ENOSYS
mbind pass                      # partial: stub, one NUMA node
set_mempolicy pass              # partial: stub
get_mempolicy pass              # partial: stub
mq_open pass
mq_unlink pass
mq_timedsend stub ENOSYS
mq_timedreceive stub ENOSYS
mq_notify stub ENOSYS
mq_getsetattr stub ENOSYS
kexec_load stub EPERM           # needs CAP_SYS_BOOT
waitid pass
add_key stub EACCES
request_key stub EACCES
keyctl pass                     # partial: session keyrings without keys only
ioprio_set pass                 # partial: stub
ioprio_get pass                 # partial: stub
inotify_init pass               # partial: events inside the sandbox only
inotify_add_watch pass          # partial: events inside the sandbox only
inotify_rm_watch pass           # partial: events inside the sandbox only
migrate_pages stub EPERM        # needs CAP_SYS_NICE
openat pass
mkdirat pass
mknodat pass
fchownat pass
futimesat pass
newfstatat pass
unlinkat pass
renameat pass
linkat pass
symlinkat pass
readlinkat pass
fchmodat pass
faccessat pass
pselect6 pass
ppoll pass
unshare pass                    # partial: no time or cgroup namespaces
set_robust_list pass
get_robust_list pass
splice pass
tee pass
sync_file_range pass
vmsplice stub ENOSYS
move_pages stub EPERM           # needs CAP_SYS_NICE
utimensat pass
epoll_pwait pass
signalfd pass
timerfd_create pass
eventfd pass
fallocate pass                  # partial: not every mode
timerfd_settime pass
timerfd_gettime pass
accept4 pass
signalfd4 pass
eventfd2 pass
epoll_create1 pass
dup3 pass
pipe2 pass
inotify_init1 pass              # partial: events inside the sandbox only
preadv pass
pwritev pass
rt_tgsigqueueinfo pass
perf_event_open stub ENODEV
recvmmsg pass
fanotify_init stub ENOSYS
fanotify_mark stub ENOSYS
prlimit64 pass
name_to_handle_at stub EOPNOTSUPP
open_by_handle_at stub EOPNOTSUPP
clock_adjtime stub EPERM        # needs CAP_SYS_TIME
syncfs pass
sendmmsg pass
setns pass
getcpu pass
process_vm_readv pass
process_vm_writev pass
kcmp stub EPERM                 # needs CAP_SYS_PTRACE
finit_module stub EPERM         # needs CAP_SYS_MODULE
sched_setattr pass              # partial: stub
sched_getattr pass              # partial: stub
renameat2 pass
seccomp pass
getrandom pass
memfd_create pass
kexec_file_load stub EPERM      # needs CAP_SYS_BOOT
bpf pass                        # partial: CGROUP_DEVICE programs only, without effect
execveat pass
userfaultfd stub ENOSYS
membarrier pass                 # partial: not on every platform
mlock2 pass                     # partial: stub, no permission
copy_file_range stub ENOSYS
preadv2 pass                    # partial: no RWF flags
pwritev2 pass                   # partial: no RWF flags
pkey_mprotect stub ENOSYS
pkey_alloc stub ENOSYS
pkey_free stub ENOSYS
statx pass
io_pgetevents stub ENOSYS
rseq pass                       # partial: not on every platform
pidfd_send_signal pass
io_uring_setup pass             # partial: not every flag
io_uring_enter pass             # partial: not every flag
io_uring_register stub ENOSYS
open_tree pass
move_mount pass                 # partial: MOVE_MOUNT_SET_GROUP, MOVE_MOUNT_BENEATH unsupported
fsopen pass                     # partial: no message retrieval
fsconfig pass                   # partial: few commands
fsmount pass                    # partial: MOUNT_ATTR_NOSYMFOLLOW, MOUNT_ATTR_NODIRATIME unsupported
fspick stub ENOSYS
pidfd_open pass
clone3 pass                     # partial: CLONE_NEWTIME, CLONE_SYSVSEM, set_tid unsupported
close_range pass
openat2 pass
pidfd_getfd pass
faccessat2 pass
epoll_pwait2 pass
