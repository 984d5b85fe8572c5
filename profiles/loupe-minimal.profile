# SPDX-License-Identifier: GPL-2.0
# loupe-minimal: pass only what the Loupe study finds applications need
# implemented; stub or fake what it finds they survive without; stub the
# rest. A starting point for a new OS: run your programs under it, see
# what breaks, move syscalls up a tier.
#
# Source: H. Lefeuvre, G. Gain, V.-A. Bădoiu, D. Dinca, V.-R. Schiller,
#   C. Raiciu, F. Huici, P. Olivier, "Loupe: Driving the Development of OS
#   Compatibility Layers", ASPLOS'24. Section and figure of each finding
#   next to its lines; "Loupe stubbing" means returning -ENOSYS, "faking"
#   returning success (§3, slides "How does it work?").
# kbridge needs rt_sigreturn, exit and exit_group to pass in every profile.
# The paper measured glibc 2.28/2.31; where today's glibc (2.36, Debian 12)
# uses an alternative of a call the paper lists (§5.6 "System Call
# Alternatives"), the alternative passes too and says so.
default stub ENOSYS

# --- glibc's start-up sequence (§5.6, Table 4): every dynamic binary ---
execve pass
arch_prctl partial stub EINVAL		# §5.4: only ARCH_SET_FS is ever used
arch_prctl when code=ARCH_SET_FS pass
openat pass				# §5.3: allocates fds, cannot be stubbed
read pass
write pass
fstat pass
newfstatat pass				# glibc >= 2.33 fstat(); §5.6 alternative
mmap pass				# §5.3: allocates memory, cannot be stubbed
mprotect pass
exit_group pass
exit pass
rt_sigreturn pass
brk stub				# §5.3: glibc falls back to mmap when brk fails
access stub				# §5.6: a debugging feature of ld.so only
uname stub				# §5.2 (Fig. 7): checked, yet stub-able
readlink stub				# §5.6: $ORIGIN of static binaries only
pread64 pass				# Table 3 (nginx, glibc 2.31)
set_tid_address pass			# glibc 2.36 keeps its result as the thread id

# --- resources are freed: stub-able at a cost (§5.3, Table 2) ---
# munmap and close "can be stubbed or faked without functional impact",
# but Redis then uses 20% more memory and 8x the fds: they pass here so
# that measurements under this profile stay comparable (§5.3 "Impact on
# Stubbing and Faking Policy").
munmap pass
close pass

# --- threads and event loops (§5.2, higher range: futex, epoll) ---
futex pass				# §5.3: faking futex breaks Redis' sync
clone pass				# §5.3: faking clone runs nginx's workers in the master
set_robust_list stub			# Table 3; glibc copes with its failure
epoll_create pass
epoll_create1 pass
epoll_ctl pass
epoll_wait pass
epoll_pwait pass
rt_sigaction pass			# Table 3
rt_sigprocmask pass			# Table 3
wait4 pass				# Table 3
kill pass
getpid pass				# Table 3
clock_gettime pass			# §5.2 (Fig. 7): stub-able only in some apps
nanosleep pass

# --- files (Table 3) ---
lseek pass
stat pass
lstat pass
writev pass
pipe2 pass				# §5.3: stubbing it drops Redis persistence
dup2 pass
mkdir pass
unlink pass				# §5.2 (Fig. 7): stub-able only in some apps
# §5.4: F_SETFL (non-blocking mode) is required by nearly every program,
# F_SETFD (close-on-exec) is always stub-able; F_GETFL comes with F_SETFL.
fcntl partial stub
fcntl when cmd=F_SETFL,F_GETFL pass
fcntl when cmd=F_SETFD stub
# §5.4: TCGETS, FIONBIO and FIOASYNC are the only commands the studied
# servers issue, and all of them can be stubbed.
ioctl stub

# --- network (§5.2: bind, accept...; Table 3) ---
socket pass
socketpair pass
bind pass
listen pass
accept pass
accept4 pass				# glibc's accept4() for SOCK_NONBLOCK accepts
connect pass
setsockopt pass
recvfrom pass
sendto pass
recvmsg pass
sendmsg pass
sendfile pass
shutdown pass
getsockname pass

# --- queried limits and facts: stub-able (§5.2, Fig. 6a; §5.4) ---
# prlimit64: of 16 resources only RLIMIT_CORE, _NOFILE and _STACK are
# used, _STACK by libc start-up; getrlimit fails safely in Redis (Fig. 6a).
prlimit64 partial stub
prlimit64 when resource=RLIMIT_CORE,RLIMIT_NOFILE,RLIMIT_STACK pass
getrlimit stub				# Fig. 6a
sysinfo stub				# §5.2: Redis ignores its failure
getrusage stub				# §5.2 (Fig. 7): never checked, stub-able
getppid stub				# §5.2 (Fig. 7): always succeeds, stub-able
alarm stub				# idem
utime stub				# idem
futimesat stub				# idem
inotify_rm_watch stub			# idem
madvise fake				# §5.3: a hint; faking it changed no metric

# --- identity: no users in a unikernel (§5.2, Fig. 6b) ---
prctl partial stub
prctl when option=PR_SET_KEEPCAPS fake	# Fig. 6b: nginx aborts if it fails
geteuid fake				# §5.2 (Fig. 7): checked, yet stub-able
setuid fake				# Table 3 (nginx); same reasoning as Fig. 6b
setgid fake
setgroups fake
umask stub				# Table 3; always succeeds natively
