// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge runtime: its own fds, out of the program's sight.
 *
 * The runtime keeps up to four fds in the program's process: the kbridge
 * session, the --no-module counters, kblaunch itself (to follow exec) and
 * the --only list. kblaunch puts them at the program's soft
 * RLIMIT_NOFILE or above (kblaunch/child.c), where the program opens
 * nothing unless it raises its limit, and exec passes them on at the same
 * numbers, whatever limit the program set meanwhile. The program still
 * sees exactly the fds it opened:
 *  - close(), fstat(), fcntl() and fstatat/statx relative to one of them
 *    are EBADF, close_range() closes around them;
 *  - dup2 and dup3 onto one, and an fcntl(F_DUPFD*) that natively would
 *    be given one, move the runtime's fd out of the way and then do what
 *    the program asked;
 *  - a listing of the process's /proc fd or fdinfo directory leaves them
 *    out, and /proc/self/fd/N and /proc/self/fdinfo/N do not exist for
 *    them (open, readlink).
 * Other calls on a number the program never opened (read, lseek...) are
 * not intercepted: only the calls that find, probe or reclaim fds are,
 * and the probes only in the KB_FD_FLOOR_SPAN numbers from the floor (the
 * module traps them there only): a program that takes nearly all of those
 * numbers pushes ours past them, where fstat and fcntl reach them.
 *
 * The numbers change only when an fd is moved, which is rare: a mover
 * holds kbrt_fds_lock with every signal blocked, dups the fd to the
 * lowest free number at the floor or above, publishes the new number and
 * only then lets the program's call replace the old one. A thread that
 * read the old number just before may issue one call on the program's
 * new file; the callers that matter (the ioctl) read the number again and
 * retry when it changed.
 */
#include "internal.h"
#include "sys.h"

static int kbrt_fd_now[KBRT_FD_N];
static int kbrt_fds_owner;		/* tid of the mover, or 0 */

void kbrt_fds_init(const struct kbrt_config *cfg)
{
	kbrt_fd_now[KBRT_FD_KB] = cfg->kbfd;
	kbrt_fd_now[KBRT_FD_CNT] = cfg->cntfd;
	kbrt_fd_now[KBRT_FD_SELF] = cfg->selffd;
	kbrt_fd_now[KBRT_FD_ONLY] = cfg->onlyfd;
}

int kbrt_fd(enum kbrt_fd_which w)
{
	return __atomic_load_n(&kbrt_fd_now[w], __ATOMIC_ACQUIRE);
}

/* Which of the runtime's fds @fd is, or -1. */
static int own_index(long fd)
{
	int i;

	if (fd < 0 || fd > 0x7fffffff)
		return -1;
	for (i = 0; i < KBRT_FD_N; i++)
		if (kbrt_fd(i) == (int)fd)
			return i;
	return -1;
}

int kbrt_own_fd(int fd)
{
	return own_index(fd) >= 0;
}

/* A fork child has one thread, ours: a mover elsewhere is gone. */
void kbrt_fds_forked(void)
{
	__atomic_store_n(&kbrt_fds_owner, 0, __ATOMIC_RELEASE);
}

/*
 * Take the movers' lock with every signal blocked (a handler of the
 * program nesting here, or leaving by siglongjmp, would leave it held).
 * -EBUSY in a vfork-style child: it shares our memory but not our fd
 * table, so the numbers it would publish are not its parent's.
 */
static long lock(kbrt_sigset_t *old)
{
	kbrt_sigset_t all = ~0ULL;
	int tid = (int)sys_gettid(), free;

	if (kbrt_as_vfork_child(tid))
		return -EBUSY;
	sys_rt_sigprocmask(SIG_SETMASK, &all, old);
	for (;;) {
		free = 0;
		if (__atomic_compare_exchange_n(&kbrt_fds_owner, &free, tid, 0,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return 0;
		KBRT_SYS0(__NR_sched_yield);
	}
}

static void unlock(const kbrt_sigset_t *old)
{
	__atomic_store_n(&kbrt_fds_owner, 0, __ATOMIC_RELEASE);
	sys_rt_sigprocmask(SIG_SETMASK, old, 0);
}

/*
 * Move the runtime's fd @i (the lock held) to another number at the floor
 * or above, so that the program can have its number. -EBADF when the
 * program's limit is below the floor (the number is out of its reach
 * natively too), -EMFILE when every number up to the limit is taken.
 */
static long move_away(int i)
{
	long nfd = sys_fcntl(kbrt_fd(i), F_DUPFD_CLOEXEC, kbrt_cfg->fd_min);

	if (nfd == -EINVAL)
		return -EBADF;
	if (nfd < 0)
		return nfd;
	__atomic_store_n(&kbrt_fd_now[i], (int)nfd, __ATOMIC_RELEASE);
	return 0;
}

/*
 * dup2 and dup3 onto one of ours: the kernel's checks first (flags, the
 * old fd), then ours out of the way, then the call itself.
 */
static long dup_onto(long nr, __u64 a[6])
{
	kbrt_sigset_t old;
	long ret;
	int i = own_index((long)(int)a[1]);

	if (i < 0)
		return raw(nr, a);
	if (nr == __NR_dup3 && (a[0] == a[1] || (a[2] & ~(__u64)O_CLOEXEC)))
		return -EINVAL;
	/* Ours is not the program's: oldfd == newfd is a closed fd. */
	if (own_index((long)(int)a[0]) >= 0 || a[0] == a[1])
		return -EBADF;
	ret = sys_fcntl((int)a[0], F_GETFD, 0);
	if (ret < 0)
		return ret;
	ret = lock(&old);
	if (ret)
		return ret;
	i = own_index((long)(int)a[1]);
	ret = i < 0 ? 0 : move_away(i);
	if (!ret)
		ret = raw(nr, a);
	unlock(&old);
	return ret;
}

/*
 * fcntl(F_DUPFD*, from): natively the lowest free number from @from, ours
 * counting as free. The kernel's pick skipped ours: if it did, give the
 * program the lowest of them instead.
 */
static long dupfd(__u64 a[6])
{
	int cmd = (int)a[1], i, low = -1, fd;
	kbrt_sigset_t old;
	long got, ret;

	if (own_index((long)(int)a[0]) >= 0)
		return -EBADF;
	if (cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC)
		return raw(__NR_fcntl, a);
	got = raw(__NR_fcntl, a);
	if (got < 0)
		return got;
	ret = lock(&old);
	if (ret)
		return got;
	for (i = 0; i < KBRT_FD_N; i++) {
		fd = kbrt_fd(i);
		if (fd >= 0 && (__u64)fd >= (a[2] & 0xffffffff) && fd < got &&
		    (low < 0 || fd < kbrt_fd(low)))
			low = i;
	}
	if (low < 0) {
		unlock(&old);
		return got;
	}
	fd = kbrt_fd(low);
	ret = move_away(low);
	if (!ret)
		ret = KBRT_SYS3(__NR_dup3, got, fd,
				cmd == F_DUPFD_CLOEXEC ? O_CLOEXEC : 0);
	unlock(&old);
	if (ret < 0)
		return got;	/* the kernel's own answer still stands */
	sys_close((int)got);
	return fd;
}

/* close_range() of everything around ours, each gap a call of its own. */
static long close_range_around(__u64 a[6])
{
	unsigned int lo = (unsigned int)a[0], hi = (unsigned int)a[1];
	unsigned int own[KBRT_FD_N], n = 0, i, j, t, from;
	long ret = 0;
	int fd;

	if (lo > hi)
		return raw(__NR_close_range, a);
	for (i = 0; i < KBRT_FD_N; i++) {
		fd = kbrt_fd(i);
		if (fd >= 0 && (unsigned int)fd >= lo && (unsigned int)fd <= hi)
			own[n++] = (unsigned int)fd;
	}
	if (!n)
		return raw(__NR_close_range, a);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && own[j - 1] > own[j]; j--) {
			t = own[j];
			own[j] = own[j - 1];
			own[j - 1] = t;
		}
	from = lo;
	for (i = 0; i < n; i++) {
		if (own[i] > from) {
			a[0] = from;
			a[1] = own[i] - 1;
			ret = raw(__NR_close_range, a);
			if (ret < 0)
				return ret;
		}
		if (own[i] == hi)
			return ret;
		from = own[i] + 1;
	}
	a[0] = from;
	a[1] = hi;
	return raw(__NR_close_range, a);
}

/* Parse a decimal at *@p up to a '/' or the end; -1 if none. */
static long parse_num(const char **p)
{
	long v = 0;
	int digits = 0;

	while (**p >= '0' && **p <= '9' && digits < 10) {
		v = v * 10 + (**p - '0');
		(*p)++;
		digits++;
	}
	return digits && (**p == '/' || !**p) ? v : -1;
}

static int skip(const char **p, const char *word)
{
	uint64_t n = kbrt_strlen(word), i;

	for (i = 0; i < n; i++)
		if ((*p)[i] != word[i])
			return 0;
	*p += n;
	return 1;
}

/*
 * Does @path (after "/proc/") name this process's fd or fdinfo directory
 * ("self/fd", "thread-self/fdinfo", "PID/fd", "PID/task/TID/fd")? If so,
 * *@rest points after it.
 */
static int names_own_fd_dir(const char *path, const char **rest)
{
	const char *p = path;
	long pid;

	if (!skip(&p, "self/") && !skip(&p, "thread-self/")) {
		pid = parse_num(&p);
		if (pid < 0 || pid != sys_getpid() || !skip(&p, "/"))
			return 0;
		if (skip(&p, "task/")) {
			if (parse_num(&p) < 0 || !skip(&p, "/"))
				return 0;
		}
	}
	if (!skip(&p, "fdinfo") && !skip(&p, "fd"))
		return 0;
	*rest = p;
	return 1;
}

/*
 * Is the directory open at @fd one of this process's fd or fdinfo
 * directories? Asked of the kernel, which names it from /proc/self/fd.
 */
static int lists_own_fds(int fd)
{
	static const char proc[] = "/proc/self/fd/";
	char link[sizeof(proc) + 12], num[12], target[64], *d;
	const char *rest;
	long n;

	d = kbrt_fmt_int(num + sizeof(num), fd);
	kbrt_memcpy(link, proc, sizeof(proc) - 1);
	kbrt_memcpy(link + sizeof(proc) - 1, d, kbrt_strlen(d) + 1);
	n = KBRT_SYS3(__NR_readlink, link, target, sizeof(target) - 1);
	if (n <= 6)
		return 0;
	target[n] = '\0';
	rest = target;
	return skip(&rest, "/proc/") && names_own_fd_dir(rest, &rest) &&
	       !*rest;
}

/* Is @name (NUL-terminated, at most 11 bytes read) the number of ours? */
static int names_own(const char *name)
{
	const char *p = name;
	long v = parse_num(&p);

	return v >= 0 && !*p && name[0] != '0' && own_index(v) >= 0;
}

/*
 * getdents and getdents64 of an own fd directory: the records of ours
 * taken out, the rest moved down in the program's buffer. A read that
 * held only ours reads on, so that 0 still means the end.
 */
static long getdents_filtered(long nr, __u64 a[6])
{
	/* d_reclen is at 16 in both layouts; d_name at 18 or 19 */
	const uint64_t name_at = nr == __NR_getdents64 ? 19 : 18;
	uint64_t buf = a[1], at, to;
	char chunk[256], name[12];
	unsigned short reclen;
	long got, n, c;

	for (;;) {
		got = raw(nr, a);
		if (got <= 0 || !lists_own_fds((int)a[0]))
			return got;
		for (at = to = 0; at < (uint64_t)got; at += reclen) {
			if (kbrt_copy_from_user(&reclen, buf + at + 16, 2))
				return -EFAULT;
			if (reclen < name_at + 1 || at + reclen > (uint64_t)got)
				return got;	/* not a layout we know */
			kbrt_memset(name, 0, sizeof(name));
			n = reclen - name_at < sizeof(name) - 1 ?
				reclen - name_at : sizeof(name) - 1;
			if (kbrt_copy_from_user(name, buf + at + name_at,
						(uint64_t)n))
				return -EFAULT;
			if (names_own(name))
				continue;
			for (c = 0; to != at && c < reclen; c += n) {
				n = reclen - c < (long)sizeof(chunk) ?
					reclen - c : (long)sizeof(chunk);
				if (kbrt_copy_from_user(chunk, buf + at + c,
							(uint64_t)n) ||
				    kbrt_copy_to_user(buf + to + c, chunk,
						      (uint64_t)n))
					return -EFAULT;
			}
			to += reclen;
		}
		if (to)
			return (long)to;
	}
}

/*
 * fstatat and statx of a path relative to one of ours, or of ours itself
 * (AT_EMPTY_PATH): EBADF, as for a closed dirfd. An absolute path does
 * not look at the dirfd; an empty one without the flag is ENOENT first.
 */
static long stat_at(long nr, __u64 a[6])
{
	int flags = (int)(nr == __NR_statx ? a[2] : a[3]);
	char c = 0;

	if (own_index((long)(int)a[0]) < 0 ||
	    kbrt_copy_from_user(&c, a[1], 1) || c == '/' ||
	    (!c && !(flags & AT_EMPTY_PATH)))
		return raw(nr, a);
	return -EBADF;
}

long kbrt_fd_call(long nr, __u64 a[6])
{
	switch (nr) {
	case __NR_close:
	case __NR_fstat:
		return own_index((long)(int)a[0]) >= 0 ? -EBADF : raw(nr, a);
	case __NR_newfstatat:
	case __NR_statx:
		return stat_at(nr, a);
	case __NR_dup2:
	case __NR_dup3:
		return dup_onto(nr, a);
	case __NR_fcntl:
		return dupfd(a);
	case __NR_close_range:
		return close_range_around(a);
	case __NR_getdents:
	case __NR_getdents64:
		return getdents_filtered(nr, a);
	}
	return raw(nr, a);
}

/*
 * open, openat, openat2, readlink and readlinkat of /proc/.../fd/N or
 * fdinfo/N for one of ours (path argument @path): ENOENT, as for any fd
 * the process does not have.
 */
long kbrt_fd_path(long nr, const __u64 a[6], int *handled)
{
	char buf[80];
	const char *p = buf;
	int path;
	long n;

	*handled = 0;
	switch (nr) {
	case __NR_open:
	case __NR_readlink:
		path = 0;
		break;
	case __NR_openat:
	case __NR_openat2:
	case __NR_readlinkat:
		path = 1;
		break;
	default:
		return 0;
	}
	if (!a[path])
		return 0;
	kbrt_memset(buf, 0, sizeof(buf));
	n = kbrt_copy_str_from_user(buf, a[path], sizeof(buf) - 1);
	if (n <= 0 || !skip(&p, "/proc/") || !names_own_fd_dir(p, &p) ||
	    !skip(&p, "/") || !names_own(p))
		return 0;
	*handled = 1;
	return -ENOENT;
}

/*
 * For exec: our fds without close-on-exec, into @out (-1: none), so that
 * the new image gets them at the same numbers. 0 or a -errno, with every
 * flag put back.
 */
long kbrt_fds_pass(long out[KBRT_FD_N])
{
	long ret = 0;
	int i;

	for (i = 0; i < KBRT_FD_N; i++) {
		out[i] = kbrt_fd(i);
		if (out[i] >= 0 && !ret)
			ret = sys_fcntl((int)out[i], F_SETFD, 0);
		if (ret)
			out[i] = -1;
	}
	if (ret)
		kbrt_fds_unpass(out);
	return ret;
}

void kbrt_fds_unpass(const long fds[KBRT_FD_N])
{
	int i;

	for (i = 0; i < KBRT_FD_N; i++)
		if (fds[i] >= 0)
			sys_fcntl((int)fds[i], F_SETFD, FD_CLOEXEC);
}
