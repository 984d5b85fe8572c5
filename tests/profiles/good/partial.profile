# SPDX-License-Identifier: GPL-2.0
# Tier 2 rules with every key, symbolic constants from each class and
# numbers; 'when' lines before and after their 'partial' line.
ioctl when cmd=TCGETS,TIOCGWINSZ pass
ioctl when cmd=FIONBIO fake
ioctl when cmd=0x5401 stub EPERM
ioctl partial stub ENOTTY
fcntl partial pass
fcntl when cmd=F_SETFD fake
fcntl when cmd=F_SETFL,F_GETFL pass
prctl when option=PR_SET_KEEPCAPS fake
arch_prctl partial stub EINVAL
arch_prctl when code=ARCH_SET_FS pass
prlimit64 when resource=RLIMIT_NOFILE,RLIMIT_STACK pass
getrlimit when resource=RLIMIT_CORE stub
setrlimit when resource=RLIMIT_NOFILE fake
madvise when advice=MADV_DONTNEED pass
madvise partial fake
socket when family=AF_INET,AF_INET6 pass
socket partial stub EAFNOSUPPORT
socketpair when family=AF_UNIX pass
mmap when flags&MAP_SHARED stub ENODEV
mmap when flags=MAP_PRIVATE|MAP_ANONYMOUS pass
mmap when prot&PROT_EXEC stub EACCES
mprotect when prot=PROT_READ|PROT_WRITE pass
mprotect when prot&PROT_EXEC stub EACCES
clone when flags&CLONE_THREAD|CLONE_VM pass
clone when flags&CLONE_NEWNS|CLONE_NEWPID stub EPERM
write when arg0=-1 stub EBADF
write when arg2=0x10000000000 stub EFBIG
kill when arg1&0x7 fake
