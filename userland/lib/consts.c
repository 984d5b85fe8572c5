// SPDX-License-Identifier: GPL-2.0
/*
 * Symbolic constants a profile may name, and which argument each profile
 * key reads. Names and values both come from the system headers through
 * K(): a constant the headers lack fails the build here instead of being
 * typed in with a number that could be wrong.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <asm/prctl.h>
#include <linux/io_uring.h>

#include "consts.h"

#define K(x)	{ #x, (uint64_t)(x) }
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Terminal, file and socket requests programs commonly probe. */
static const struct kb_const ioctl_consts[] = {
	K(TCGETS), K(TCSETS), K(TCSETSW), K(TCSETSF), K(TCGETA), K(TCSETA),
	K(TCSETAW), K(TCSETAF), K(TCSBRK), K(TCSBRKP), K(TCXONC), K(TCFLSH),
	K(TIOCEXCL), K(TIOCNXCL), K(TIOCGEXCL), K(TIOCSCTTY), K(TIOCNOTTY),
	K(TIOCGPGRP), K(TIOCSPGRP), K(TIOCGSID), K(TIOCOUTQ), K(TIOCSTI),
	K(TIOCGWINSZ), K(TIOCSWINSZ), K(TIOCMGET), K(TIOCMBIS), K(TIOCMBIC),
	K(TIOCMSET), K(TIOCGSOFTCAR), K(TIOCSSOFTCAR), K(TIOCLINUX),
	K(TIOCCONS), K(TIOCPKT), K(TIOCGPKT), K(TIOCSETD), K(TIOCGETD),
	K(TIOCSBRK), K(TIOCCBRK), K(TIOCGPTN), K(TIOCSPTLCK), K(TIOCGPTLCK),
	K(TIOCGDEV), K(TIOCGPTPEER), K(TIOCGSERIAL), K(TIOCSSERIAL),
	K(TIOCMIWAIT), K(TIOCGICOUNT), K(TIOCVHANGUP),
	K(FIONREAD), K(FIONBIO), K(FIOASYNC), K(FIOCLEX), K(FIONCLEX),
	K(FIOQSIZE), K(FIOSETOWN), K(FIOGETOWN),
	K(SIOCSPGRP), K(SIOCGPGRP), K(SIOCATMARK),
	K(SIOCADDRT), K(SIOCDELRT), K(SIOCGIFNAME),
	K(SIOCGIFCONF), K(SIOCGIFFLAGS), K(SIOCSIFFLAGS), K(SIOCGIFADDR),
	K(SIOCSIFADDR), K(SIOCGIFDSTADDR), K(SIOCGIFBRDADDR),
	K(SIOCGIFNETMASK), K(SIOCGIFMETRIC), K(SIOCGIFMTU), K(SIOCSIFMTU),
	K(SIOCGIFHWADDR), K(SIOCGIFINDEX), K(SIOCGIFTXQLEN),
	/* aliases: the names above win when printing */
	K(TIOCINQ),
};

static const struct kb_const fcntl_consts[] = {
	K(F_DUPFD), K(F_GETFD), K(F_SETFD), K(F_GETFL), K(F_SETFL),
	K(F_GETLK), K(F_SETLK), K(F_SETLKW), K(F_SETOWN), K(F_GETOWN),
	K(F_SETSIG), K(F_GETSIG), K(F_SETOWN_EX), K(F_GETOWN_EX),
	K(F_OFD_GETLK), K(F_OFD_SETLK), K(F_OFD_SETLKW), K(F_SETLEASE),
	K(F_GETLEASE), K(F_NOTIFY), K(F_DUPFD_CLOEXEC), K(F_SETPIPE_SZ),
	K(F_GETPIPE_SZ), K(F_ADD_SEALS), K(F_GET_SEALS), K(F_GET_RW_HINT),
	K(F_SET_RW_HINT), K(F_GET_FILE_RW_HINT), K(F_SET_FILE_RW_HINT),
};

static const struct kb_const prctl_consts[] = {
	K(PR_SET_PDEATHSIG), K(PR_GET_PDEATHSIG), K(PR_GET_DUMPABLE),
	K(PR_SET_DUMPABLE), K(PR_GET_UNALIGN), K(PR_SET_UNALIGN),
	K(PR_GET_KEEPCAPS), K(PR_SET_KEEPCAPS), K(PR_GET_FPEMU),
	K(PR_SET_FPEMU), K(PR_GET_FPEXC), K(PR_SET_FPEXC), K(PR_GET_TIMING),
	K(PR_SET_TIMING), K(PR_SET_NAME), K(PR_GET_NAME), K(PR_GET_ENDIAN),
	K(PR_SET_ENDIAN), K(PR_GET_SECCOMP), K(PR_SET_SECCOMP),
	K(PR_CAPBSET_READ), K(PR_CAPBSET_DROP), K(PR_GET_TSC), K(PR_SET_TSC),
	K(PR_GET_SECUREBITS), K(PR_SET_SECUREBITS), K(PR_SET_TIMERSLACK),
	K(PR_GET_TIMERSLACK), K(PR_TASK_PERF_EVENTS_DISABLE),
	K(PR_TASK_PERF_EVENTS_ENABLE), K(PR_MCE_KILL), K(PR_MCE_KILL_GET),
	K(PR_SET_MM), K(PR_SET_PTRACER), K(PR_SET_CHILD_SUBREAPER),
	K(PR_GET_CHILD_SUBREAPER), K(PR_SET_NO_NEW_PRIVS),
	K(PR_GET_NO_NEW_PRIVS), K(PR_GET_TID_ADDRESS), K(PR_SET_THP_DISABLE),
	K(PR_GET_THP_DISABLE), K(PR_MPX_ENABLE_MANAGEMENT),
	K(PR_MPX_DISABLE_MANAGEMENT), K(PR_SET_FP_MODE), K(PR_GET_FP_MODE),
	K(PR_CAP_AMBIENT), K(PR_SVE_SET_VL), K(PR_SVE_GET_VL),
	K(PR_GET_SPECULATION_CTRL), K(PR_SET_SPECULATION_CTRL),
	K(PR_SET_TAGGED_ADDR_CTRL), K(PR_GET_TAGGED_ADDR_CTRL),
	K(PR_SET_IO_FLUSHER), K(PR_GET_IO_FLUSHER),
	K(PR_SET_SYSCALL_USER_DISPATCH), K(PR_SCHED_CORE),
};

static const struct kb_const arch_prctl_consts[] = {
	K(ARCH_SET_GS), K(ARCH_SET_FS), K(ARCH_GET_FS), K(ARCH_GET_GS),
	K(ARCH_GET_CPUID), K(ARCH_SET_CPUID), K(ARCH_GET_XCOMP_SUPP),
	K(ARCH_GET_XCOMP_PERM), K(ARCH_REQ_XCOMP_PERM),
	K(ARCH_GET_XCOMP_GUEST_PERM), K(ARCH_REQ_XCOMP_GUEST_PERM),
	K(ARCH_MAP_VDSO_X32), K(ARCH_MAP_VDSO_32), K(ARCH_MAP_VDSO_64),
};

static const struct kb_const rlimit_consts[] = {
	K(RLIMIT_CPU), K(RLIMIT_FSIZE), K(RLIMIT_DATA), K(RLIMIT_STACK),
	K(RLIMIT_CORE), K(RLIMIT_RSS), K(RLIMIT_NPROC), K(RLIMIT_NOFILE),
	K(RLIMIT_MEMLOCK), K(RLIMIT_AS), K(RLIMIT_LOCKS),
	K(RLIMIT_SIGPENDING), K(RLIMIT_MSGQUEUE), K(RLIMIT_NICE),
	K(RLIMIT_RTPRIO), K(RLIMIT_RTTIME),
	K(RLIMIT_OFILE),
};

static const struct kb_const madv_consts[] = {
	K(MADV_NORMAL), K(MADV_RANDOM), K(MADV_SEQUENTIAL), K(MADV_WILLNEED),
	K(MADV_DONTNEED), K(MADV_FREE), K(MADV_REMOVE), K(MADV_DONTFORK),
	K(MADV_DOFORK), K(MADV_MERGEABLE), K(MADV_UNMERGEABLE),
	K(MADV_HUGEPAGE), K(MADV_NOHUGEPAGE), K(MADV_DONTDUMP),
	K(MADV_DODUMP), K(MADV_WIPEONFORK), K(MADV_KEEPONFORK), K(MADV_COLD),
	K(MADV_PAGEOUT), K(MADV_HWPOISON),
#ifdef MADV_POPULATE_READ
	K(MADV_POPULATE_READ), K(MADV_POPULATE_WRITE),
#endif
};

static const struct kb_const af_consts[] = {
	K(AF_UNSPEC), K(AF_UNIX), K(AF_INET), K(AF_INET6), K(AF_NETLINK),
	K(AF_PACKET), K(AF_AX25), K(AF_IPX), K(AF_APPLETALK), K(AF_BRIDGE),
	K(AF_X25), K(AF_KEY), K(AF_ALG), K(AF_VSOCK), K(AF_XDP), K(AF_CAN),
	K(AF_BLUETOOTH), K(AF_TIPC), K(AF_RDS), K(AF_LLC), K(AF_IB),
	K(AF_MPLS), K(AF_SMC),
	K(AF_LOCAL), K(AF_ROUTE),
};

static const struct kb_const map_consts[] = {
	K(MAP_SHARED), K(MAP_PRIVATE), K(MAP_SHARED_VALIDATE), K(MAP_FIXED),
	K(MAP_ANONYMOUS), K(MAP_32BIT), K(MAP_GROWSDOWN), K(MAP_DENYWRITE),
	K(MAP_EXECUTABLE), K(MAP_LOCKED), K(MAP_NORESERVE), K(MAP_POPULATE),
	K(MAP_NONBLOCK), K(MAP_STACK), K(MAP_HUGETLB), K(MAP_SYNC),
	K(MAP_FIXED_NOREPLACE),
	K(MAP_ANON),
};

/* clone(2)'s flags; the low byte is the exit signal, not a flag. */
static const struct kb_const clone_consts[] = {
	K(CLONE_VM), K(CLONE_FS), K(CLONE_FILES), K(CLONE_SIGHAND),
	K(CLONE_PIDFD), K(CLONE_PTRACE), K(CLONE_VFORK), K(CLONE_PARENT),
	K(CLONE_THREAD), K(CLONE_NEWNS), K(CLONE_SYSVSEM), K(CLONE_SETTLS),
	K(CLONE_PARENT_SETTID), K(CLONE_CHILD_CLEARTID), K(CLONE_DETACHED),
	K(CLONE_UNTRACED), K(CLONE_CHILD_SETTID), K(CLONE_NEWCGROUP),
	K(CLONE_NEWUTS), K(CLONE_NEWIPC), K(CLONE_NEWUSER), K(CLONE_NEWPID),
	K(CLONE_NEWNET), K(CLONE_IO),
};

static const struct kb_const prot_consts[] = {
	K(PROT_NONE), K(PROT_READ), K(PROT_WRITE), K(PROT_EXEC),
	K(PROT_GROWSDOWN), K(PROT_GROWSUP),
};

/* io_uring operations (the opcodes of Linux 6.1's uapi header). */
static const struct kb_const uring_consts[] = {
	K(IORING_OP_NOP), K(IORING_OP_READV), K(IORING_OP_WRITEV),
	K(IORING_OP_FSYNC), K(IORING_OP_READ_FIXED), K(IORING_OP_WRITE_FIXED),
	K(IORING_OP_POLL_ADD), K(IORING_OP_POLL_REMOVE),
	K(IORING_OP_SYNC_FILE_RANGE), K(IORING_OP_SENDMSG),
	K(IORING_OP_RECVMSG), K(IORING_OP_TIMEOUT), K(IORING_OP_TIMEOUT_REMOVE),
	K(IORING_OP_ACCEPT), K(IORING_OP_ASYNC_CANCEL),
	K(IORING_OP_LINK_TIMEOUT), K(IORING_OP_CONNECT),
	K(IORING_OP_FALLOCATE), K(IORING_OP_OPENAT), K(IORING_OP_CLOSE),
	K(IORING_OP_FILES_UPDATE), K(IORING_OP_STATX), K(IORING_OP_READ),
	K(IORING_OP_WRITE), K(IORING_OP_FADVISE), K(IORING_OP_MADVISE),
	K(IORING_OP_SEND), K(IORING_OP_RECV), K(IORING_OP_OPENAT2),
	K(IORING_OP_EPOLL_CTL), K(IORING_OP_SPLICE),
	K(IORING_OP_PROVIDE_BUFFERS), K(IORING_OP_REMOVE_BUFFERS),
	K(IORING_OP_TEE), K(IORING_OP_SHUTDOWN), K(IORING_OP_RENAMEAT),
	K(IORING_OP_UNLINKAT), K(IORING_OP_MKDIRAT), K(IORING_OP_SYMLINKAT),
	K(IORING_OP_LINKAT), K(IORING_OP_MSG_RING), K(IORING_OP_FSETXATTR),
	K(IORING_OP_SETXATTR), K(IORING_OP_FGETXATTR), K(IORING_OP_GETXATTR),
	K(IORING_OP_SOCKET), K(IORING_OP_URING_CMD), K(IORING_OP_SEND_ZC),
	K(IORING_OP_SENDMSG_ZC),
};

/* Each class's constants; a class of flags is ORed bits, not one value. */
static const struct {
	const struct kb_const *tab;
	unsigned int n;
	bool flags;
} classes[] = {
	[KB_CC_NONE]		= { NULL, 0, false },
	[KB_CC_IOCTL]		= { ioctl_consts, ARRAY_SIZE(ioctl_consts), false },
	[KB_CC_FCNTL]		= { fcntl_consts, ARRAY_SIZE(fcntl_consts), false },
	[KB_CC_PRCTL]		= { prctl_consts, ARRAY_SIZE(prctl_consts), false },
	[KB_CC_ARCH_PRCTL]	= { arch_prctl_consts, ARRAY_SIZE(arch_prctl_consts), false },
	[KB_CC_RLIMIT]		= { rlimit_consts, ARRAY_SIZE(rlimit_consts), false },
	[KB_CC_MADV]		= { madv_consts, ARRAY_SIZE(madv_consts), false },
	[KB_CC_AF]		= { af_consts, ARRAY_SIZE(af_consts), false },
	[KB_CC_MAP]		= { map_consts, ARRAY_SIZE(map_consts), true },
	[KB_CC_CLONE]		= { clone_consts, ARRAY_SIZE(clone_consts), true },
	[KB_CC_PROT]		= { prot_consts, ARRAY_SIZE(prot_consts), true },
	[KB_CC_URING]		= { uring_consts, ARRAY_SIZE(uring_consts), false },
};

/*
 * Argument indexes from the syscalls' prototypes; the width is that of
 * the C type the kernel reads (an int compares on its low 32 bits only).
 */
static const struct kb_argkey argkeys[] = {
	{ "cmd",	__NR_ioctl,		1, KB_CC_IOCTL,		KB_ARG_W32 },
	{ "cmd",	__NR_fcntl,		1, KB_CC_FCNTL,		KB_ARG_W32 },
	{ "option",	__NR_prctl,		0, KB_CC_PRCTL,		KB_ARG_W32 },
	{ "code",	__NR_arch_prctl,	0, KB_CC_ARCH_PRCTL,	KB_ARG_W32 },
	{ "resource",	__NR_prlimit64,		1, KB_CC_RLIMIT,	KB_ARG_W32 },
	{ "resource",	__NR_getrlimit,		0, KB_CC_RLIMIT,	KB_ARG_W32 },
	{ "resource",	__NR_setrlimit,		0, KB_CC_RLIMIT,	KB_ARG_W32 },
	{ "advice",	__NR_madvise,		2, KB_CC_MADV,		KB_ARG_W32 },
	{ "family",	__NR_socket,		0, KB_CC_AF,		KB_ARG_W32 },
	{ "family",	__NR_socketpair,	0, KB_CC_AF,		KB_ARG_W32 },
	{ "flags",	__NR_mmap,		3, KB_CC_MAP,		KB_ARG_W32 },
	{ "flags",	__NR_clone,		0, KB_CC_CLONE,		KB_ARG_W64 },
	{ "prot",	__NR_mmap,		2, KB_CC_PROT,		KB_ARG_W32 },
	{ "prot",	__NR_mprotect,		2, KB_CC_PROT,		KB_ARG_W32 },
};

/* Syscalls whose path argument a path=GLOB condition reads. */
static const struct {
	int nr;
	int arg;
} path_args[] = {
	{ __NR_open, 0 }, { __NR_creat, 0 }, { __NR_access, 0 },
	{ __NR_stat, 0 }, { __NR_lstat, 0 }, { __NR_truncate, 0 },
	{ __NR_chdir, 0 }, { __NR_mkdir, 0 }, { __NR_rmdir, 0 },
	{ __NR_unlink, 0 }, { __NR_readlink, 0 }, { __NR_chmod, 0 },
	{ __NR_chown, 0 }, { __NR_lchown, 0 }, { __NR_execve, 0 },
	{ __NR_statfs, 0 },
	{ __NR_openat, 1 }, { __NR_faccessat, 1 }, { __NR_newfstatat, 1 },
	{ __NR_statx, 1 }, { __NR_mkdirat, 1 }, { __NR_unlinkat, 1 },
	{ __NR_readlinkat, 1 }, { __NR_fchmodat, 1 }, { __NR_fchownat, 1 },
	{ __NR_execveat, 1 }, { __NR_mknodat, 1 }, { __NR_utimensat, 1 },
#ifdef __NR_openat2
	{ __NR_openat2, 1 },
#endif
#ifdef __NR_faccessat2
	{ __NR_faccessat2, 1 },
#endif
};

const struct kb_argkey *kb_argkey_find(const char *key, int nr)
{
	for (size_t i = 0; i < ARRAY_SIZE(argkeys); i++)
		if (argkeys[i].nr == nr && !strcmp(argkeys[i].key, key))
			return &argkeys[i];
	return NULL;
}

const struct kb_argkey *kb_argkey_by_arg(int nr, unsigned int arg, uint64_t mask)
{
	for (size_t i = 0; i < ARRAY_SIZE(argkeys); i++)
		if (argkeys[i].nr == nr && argkeys[i].arg == arg &&
		    argkeys[i].mask == mask)
			return &argkeys[i];
	return NULL;
}

bool kb_argkey_known(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(argkeys); i++)
		if (!strcmp(argkeys[i].key, key))
			return true;
	return false;
}

const struct kb_argkey *kb_argkey_enum(int nr)
{
	for (size_t i = 0; i < ARRAY_SIZE(argkeys); i++)
		if (argkeys[i].nr == nr && !kb_const_is_flags(argkeys[i].cls))
			return &argkeys[i];
	return NULL;
}

bool kb_const_is_flags(int cls)
{
	return cls > 0 && (size_t)cls < ARRAY_SIZE(classes) && classes[cls].flags;
}

const struct kb_const *kb_const_table(int cls, unsigned int *n)
{
	if (cls < 0 || (size_t)cls >= ARRAY_SIZE(classes)) {
		*n = 0;
		return NULL;
	}
	*n = classes[cls].n;
	return classes[cls].tab;
}

bool kb_const_lookup(int cls, const char *name, uint64_t *value)
{
	unsigned int n;
	const struct kb_const *t = kb_const_table(cls, &n);

	for (unsigned int i = 0; i < n; i++) {
		if (!strcmp(t[i].name, name)) {
			*value = t[i].value;
			return true;
		}
	}
	return false;
}

const char *kb_const_name(int cls, uint64_t value)
{
	unsigned int n;
	const struct kb_const *t = kb_const_table(cls, &n);

	for (unsigned int i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return NULL;
}

int kb_path_arg(int nr)
{
	for (size_t i = 0; i < ARRAY_SIZE(path_args); i++)
		if (path_args[i].nr == nr)
			return path_args[i].arg;
	return -1;
}
