// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge runtime: following exec.
 *
 * execve ends Syscall User Dispatch: the new image would run with no
 * runtime and no SUD, escaping kbridge. So the program's execve and
 * execveat become an exec of kblaunch itself, through the O_PATH fd
 * kblaunch left us (kbrt_cfg->selffd), in its re-entry mode (see
 * KBRT_REENTRY_ARG in rt.h and kblaunch/reenter.c): kblaunch then loads
 * the program's target into the new image with the original path, argv
 * and envp, and arms SUD before its first instruction. The task stays the
 * same (same pid, same parent, same kbridge session: the kbridge fd and
 * the --no-module counters go across as fds without close-on-exec), and
 * no supervisor is forked again.
 *
 * Once kblaunch's exec has succeeded there is no way back to the program,
 * so what the kernel would refuse before its point of no return is
 * checked here first and refused with the kernel's errno, the program
 * going on under kbridge: the file is opened as execve opens it (ENOENT,
 * ENOTDIR, ELOOP, ENAMETOOLONG, EACCES for no search or execute
 * permission, a file that is not regular or a noexec mount), then what
 * binfmt_script and binfmt_elf check before they commit: "#!" lines and
 * their interpreters up to the kernel's depth (ELOOP), ELF headers and
 * program headers (ENOEXEC), PT_INTERP and its interpreter (ENOENT,
 * EACCES, ELIBBAD...); anything else is ENOEXEC. Then what kblaunch's
 * loader would refuse after the exec (rt/elfcheck.h, which the loader
 * shares: segments outside the file or the address space, overlapping,
 * a second PT_INTERP...) is refused before it, with ENOEXEC (ELIBBAD for
 * the interpreter): the exec happens whole or not at all, and only a
 * mapping that fails (no memory) is left to end the process after it.
 * EFAULT for a bad argv or envp array, E2BIG and EFAULT for the strings
 * come from the kernel itself when it copies them for kblaunch.
 *
 * Not like the kernel (README.md, "kblaunch"): the file must also be
 * readable (a userspace loader cannot map an execute-only file: EACCES);
 * a set-user-ID, set-group-ID or file-capability program that would gain
 * privileges is refused with EPERM and one line on stderr (kbridge's
 * runtime would otherwise run inside it, and policies could fake the
 * results of its syscalls); ETXTBSY is not detected.
 */
#include <linux/stat.h>

#include "internal.h"
#include "sys.h"
#include "elfcheck.h"

#define KBRT_BINPRM_BUF		256	/* what the kernel reads of a file */
#define KBRT_MAX_DEPTH		5	/* #! rewrites the kernel follows */
#define KBRT_PATH_MAX		4096
#define KBRT_ARGV_STACK		128	/* kblaunch's argv on the stack up to */
#define KBRT_PAGE		4096

/* What the program asked, and what has been found out about it. */
struct kbrt_exec {
	int dirfd;
	uint64_t path;			/* the file to run */
	uint64_t name;			/* the program's string for it */
	uint64_t argv, envp;		/* the program's arrays */
	int flags;			/* AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW */
	int empty;			/* path is "" (AT_EMPTY_PATH) */
	int fdpath;			/* the kernel calls it /dev/fd/N[/path] */
	int fd;				/* the target, readable, close-on-exec */
	char hdr[KBRT_BINPRM_BUF + 1];
};

static const char kbrt_self_name[] = "kblaunch";
static const char kbrt_reentry_arg[] = KBRT_REENTRY_ARG;

/*
 * The file behind @fd may be executed as the kernel's do_open_execat()
 * would judge it: a regular file (a symlink when not followed: ELOOP),
 * execute permission for the effective ids, no noexec mount.
 */
static long check_exec_file(int fd, struct stat *st)
{
	long ret;

	ret = sys_fstat(fd, st);
	if (ret)
		return ret;
	if (S_ISLNK(st->st_mode))
		return -ELOOP;
	if (!S_ISREG(st->st_mode))
		return -EACCES;
	/* access(X_OK) also fails on a noexec mount, as execve does. */
	return sys_faccessat2(fd, "", 1 /* X_OK */, AT_EMPTY_PATH | AT_EACCESS);
}

/*
 * open_exec(): @path (relative to @dirfd) checked through an O_PATH fd
 * first, so that nothing that is not a regular file is ever opened for
 * reading (a FIFO would block, a device might act), then opened for
 * reading. Returns the fd (close-on-exec) or a -errno.
 */
static long open_exec(int dirfd, const char *path, int nofollow)
{
	int extra = nofollow ? O_NOFOLLOW : 0;
	struct stat st;
	long pfd, fd;

	pfd = sys_openat(dirfd, path, O_PATH | O_CLOEXEC | extra, 0);
	if (pfd < 0)
		return pfd;
	fd = check_exec_file((int)pfd, &st);
	if (!fd)
		fd = sys_openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
				O_NONBLOCK | extra, 0);
	sys_close((int)pfd);
	/* Replaced in between by something else: as if found so at first. */
	if (fd >= 0 && (sys_fstat((int)fd, &st) || !S_ISREG(st.st_mode))) {
		sys_close((int)fd);
		fd = -EACCES;
	}
	return fd;
}

/*
 * fexecve / execveat(fd, "", AT_EMPTY_PATH): the file is the program's
 * @fd. A copy of it to read from: a dup if it is open for reading, else
 * (O_PATH, write-only) the file opened again through /proc.
 */
static long open_exec_fd(int fd)
{
	static const char proc[] = "/proc/self/fd/";
	char buf[sizeof(proc) + 16], num[16], *d;
	struct stat st;
	long ret, fl;

	ret = check_exec_file(fd, &st);
	if (ret)
		return ret;
	fl = sys_fcntl(fd, F_GETFL, 0);
	if (fl < 0)
		return fl;
	if (!(fl & O_PATH) && (fl & O_ACCMODE) != O_WRONLY) {
		/* Out of the way if the program's limit lets it. */
		ret = sys_fcntl(fd, F_DUPFD_CLOEXEC, kbrt_cfg->fd_min);
		return ret == -EINVAL || ret == -EMFILE ?
		       sys_fcntl(fd, F_DUPFD_CLOEXEC, 0) : ret;
	}
	d = kbrt_fmt_int(num + sizeof(num), fd);
	kbrt_memcpy(buf, proc, sizeof(proc) - 1);
	kbrt_memcpy(buf + sizeof(proc) - 1, d, kbrt_strlen(d) + 1);
	return open_exec(AT_FDCWD, buf, 0);
}

/* The first KBRT_BINPRM_BUF bytes, zero-padded as the kernel reads them. */
static long read_hdr(int fd, char *buf)
{
	long n;

	kbrt_memset(buf, 0, KBRT_BINPRM_BUF + 1);
	do {
		n = sys_pread(fd, buf, KBRT_BINPRM_BUF, 0);
	} while (n == -EINTR);
	return n < 0 ? n : 0;
}

static int spacetab(char c)
{
	return c == ' ' || c == '\t';
}

static char *next_non_spacetab(char *first, const char *last)
{
	for (; first <= last; first++)
		if (!spacetab(*first))
			return first;
	return 0;
}

static char *next_terminator(char *first, const char *last)
{
	for (; first <= last; first++)
		if (spacetab(*first) || !*first)
			return first;
	return 0;
}

/*
 * binfmt_script's parse of a "#!" line in @buf: the interpreter's name,
 * NUL-terminated in @buf, or -ENOEXEC where the kernel gives up.
 */
static long script_interp(char *buf, char **name)
{
	char *buf_end = buf + KBRT_BINPRM_BUF - 1, *i_end = 0, *i_name;
	char *i_sep, *p;

	for (p = buf; p <= buf_end; p++)
		if (*p == '\n') {
			i_end = p;
			break;
		}
	if (!i_end) {
		i_end = next_non_spacetab(buf + 2, buf_end);
		if (!i_end || !next_terminator(i_end, buf_end))
			return -ENOEXEC;
		i_end = buf_end;
	}
	while (spacetab(i_end[-1]))
		i_end--;
	i_name = next_non_spacetab(buf + 2, i_end);
	if (!i_name || i_name == i_end)
		return -ENOEXEC;
	i_sep = next_terminator(i_name, i_end);
	*(i_sep ? i_sep : i_end) = '\0';
	*name = i_name;
	return 0;
}

static int is_elf(const char *hdr)
{
	return hdr[0] == 0x7f && hdr[1] == 'E' && hdr[2] == 'L' &&
	       hdr[3] == 'F';
}

/*
 * load_elf_phdrs(): the program headers must have the x86_64 size, be at
 * least one and at most 64 KiB, and be in the file. @bad: the errno of
 * the caller (ENOEXEC for the program, ELIBBAD for its interpreter).
 */
static long check_phdrs(const Elf64_Ehdr *eh, uint64_t fsize, long bad)
{
	uint64_t size = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);

	if (eh->e_phentsize != sizeof(Elf64_Phdr) || !eh->e_phnum ||
	    size > 65536 || eh->e_phoff > fsize || size > fsize - eh->e_phoff)
		return bad;
	return 0;
}

/* What check_elf() reads, in memory of its own: too big for a stack. */
struct kbrt_elfbuf {
	Elf64_Phdr ph[KB_ELF_PHDRS_MAX / sizeof(Elf64_Phdr)];
	Elf64_Phdr iph[KB_ELF_PHDRS_MAX / sizeof(Elf64_Phdr)];
	char interp[KB_ELF_INTERP_MAX];
	Elf64_Ehdr ieh;
};
#define KBRT_ELFBUF_SIZE \
	((sizeof(struct kbrt_elfbuf) + KBRT_PAGE - 1) & ~(uint64_t)(KBRT_PAGE - 1))

/* Exactly @len bytes at @off, or a -errno (-EIO for a short read). */
static long read_exact(int fd, void *buf, uint64_t len, uint64_t off)
{
	long n;

	do {
		n = sys_pread(fd, buf, len, off);
	} while (n == -EINTR);
	if (n < 0)
		return n;
	return (uint64_t)n == len ? 0 : -EIO;
}

/*
 * The first PT_INTERP as load_elf_binary() takes it before its point of
 * no return: its path, NUL-terminated, opened like the program, with an
 * ELF header and program headers (ELIBBAD). The interpreter's fd goes
 * to *@ifd (-1: no PT_INTERP).
 */
static long check_interp(int fd, const Elf64_Ehdr *eh, struct kbrt_elfbuf *b,
			 long *ifd)
{
	const Elf64_Phdr *ph = 0;
	struct stat ist;
	unsigned int i;
	long ret;

	*ifd = -1;
	for (i = 0; i < eh->e_phnum && !ph; i++)
		if (b->ph[i].p_type == PT_INTERP)
			ph = &b->ph[i];
	if (!ph)
		return 0;
	if (ph->p_filesz > KB_ELF_INTERP_MAX || ph->p_filesz < 2)
		return -ENOEXEC;
	ret = read_exact(fd, b->interp, ph->p_filesz, ph->p_offset);
	if (ret)
		return ret;
	if (b->interp[ph->p_filesz - 1])
		return -ENOEXEC;
	/*
	 * The kernel opens "" as the current directory (open_exec() does
	 * not refuse an empty name), which is not a regular file.
	 */
	if (!b->interp[0])
		return -EACCES;
	*ifd = open_exec(AT_FDCWD, b->interp, 0);
	if (*ifd < 0) {
		ret = *ifd;
		*ifd = -1;
		return ret;
	}
	ret = read_exact((int)*ifd, &b->ieh, sizeof(b->ieh), 0);
	if (ret)
		return ret;
	if (!is_elf((const char *)&b->ieh) || b->ieh.e_machine != EM_X86_64 ||
	    sys_fstat((int)*ifd, &ist))
		return -ELIBBAD;
	return check_phdrs(&b->ieh, (uint64_t)ist.st_size, -ELIBBAD);
}

/*
 * What kblaunch's loader refuses of the interpreter @ifd beyond the
 * kernel's checks (elfcheck.h), and an interpreter with an interpreter
 * of its own: ELIBBAD, as the kernel says of a bad interpreter.
 */
static long check_interp_strict(long ifd, struct kbrt_elfbuf *b)
{
	struct kb_elf_layout l;
	struct stat ist;

	if (sys_fstat((int)ifd, &ist) ||
	    kb_elf_check_ehdr(&b->ieh, (uint64_t)ist.st_size) ||
	    read_exact((int)ifd, b->iph,
		       (uint64_t)b->ieh.e_phnum * sizeof(Elf64_Phdr),
		       b->ieh.e_phoff) ||
	    kb_elf_check_phdrs(&b->ieh, b->iph, (uint64_t)ist.st_size,
			       KBRT_PAGE, false, &l) ||
	    l.interp >= 0)
		return -ELIBBAD;
	return 0;
}

/*
 * What load_elf_binary() checks before its point of no return: the
 * header, the program headers, and the first PT_INTERP with its
 * interpreter, each refused with the kernel's errno. Then what
 * kblaunch's loader refuses on top (elfcheck.h: segments outside the
 * file or overlapping, a second PT_INTERP...), which the kernel would
 * find only past that point or not at all: ENOEXEC (ELIBBAD for the
 * interpreter) while the program can still be told, rather than a
 * program killed after an exec it was told had worked.
 */
static long check_elf(int fd, const char *hdr, const struct stat *st)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)hdr;
	uint64_t fsize = (uint64_t)st->st_size;
	struct kbrt_elfbuf *b;
	struct kb_elf_layout l;
	long ret, ifd = -1;

	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) ||
	    eh->e_machine != EM_X86_64)
		return -ENOEXEC;
	ret = check_phdrs(eh, fsize, -ENOEXEC);
	if (ret)
		return ret;
	ret = sys_mmap(0, KBRT_ELFBUF_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ret < 0)
		return ret;
	b = (struct kbrt_elfbuf *)ret;
	ret = read_exact(fd, b->ph, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr),
			 eh->e_phoff) ? -ENOEXEC : 0;
	if (!ret)
		ret = check_interp(fd, eh, b, &ifd);
	if (!ret && (kb_elf_check_ehdr(eh, fsize) ||
		     kb_elf_check_phdrs(eh, b->ph, fsize, KBRT_PAGE, true, &l)))
		ret = -ENOEXEC;
	if (!ret && ifd >= 0)
		ret = check_interp_strict(ifd, b);
	if (ifd >= 0)
		sys_close((int)ifd);
	sys_munmap(b, KBRT_ELFBUF_SIZE);
	return ret;
}

/*
 * A program that would gain privileges from this exec: set-user-ID to
 * another user, set-group-ID to another group, or file capabilities for
 * a non-root caller; unless the kernel would not grant them anyway on
 * its nosuid mount, in which case it runs as it would natively.
 * no_new_privs is no reason to run it: kblaunch sets it for every
 * unprivileged user (the module's condition for joining), and the
 * program would then run without its privilege under the user's policy.
 */
static int gains_privileges(int fd, const struct stat *st)
{
	struct statfs sfs;
	int caps;

	caps = sys_fgetxattr(fd, "security.capability", 0, 0) >= 0;
	if (!(st->st_mode & S_ISUID) &&
	    (st->st_mode & (S_ISGID | S_IXGRP)) != (S_ISGID | S_IXGRP) && !caps)
		return 0;
	if (sys_fstatfs(fd, &sfs) == 0 && (sfs.f_flags & KBRT_ST_NOSUID))
		return 0;
	if ((st->st_mode & S_ISUID) &&
	    st->st_uid != (uint32_t)KBRT_SYS0(__NR_geteuid))
		return 1;
	if ((st->st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
	    st->st_gid != (uint32_t)KBRT_SYS0(__NR_getegid))
		return 1;
	return caps && KBRT_SYS0(__NR_geteuid) != 0;
}

static void say_refused(const struct kbrt_exec *x)
{
	char path[256];
	const char *parts[3] = { "kblaunch: ", path,
		": set-user-ID, set-group-ID or file capabilities: not run under kbridge (EPERM)" };
	long n;

	n = kbrt_copy_str_from_user(path, x->name, sizeof(path) - 1);
	path[n > 0 ? n : 0] = '\0';
	if (!path[0])
		parts[1] = "(fd)";
	kbrt_write_line(parts, 3);
}

/*
 * exec_binprm(): follow "#!" interpreters from x->fd to the ELF file that
 * would run, checking each file as the kernel would.
 */
static long check_target(struct kbrt_exec *x, int cloexec_dirfd)
{
	struct stat st;
	int fd = x->fd, depth;
	char *name;
	long ret = 0, nfd;

	for (depth = 0;; depth++) {
		if (depth > KBRT_MAX_DEPTH) {
			ret = -ELOOP;
			break;
		}
		ret = sys_fstat(fd, &st);
		if (!ret)
			ret = read_hdr(fd, x->hdr);
		if (ret)
			break;
		if (x->hdr[0] == '#' && x->hdr[1] == '!') {
			ret = script_interp(x->hdr, &name);
			/*
			 * A script named /dev/fd/N/... with N close-on-exec
			 * could not be opened by its interpreter: ENOENT, as
			 * binfmt_script says.
			 */
			if (!ret && cloexec_dirfd)
				ret = -ENOENT;
			if (ret)
				break;
			nfd = open_exec(AT_FDCWD, name, 0);
			if (nfd < 0) {
				ret = nfd;
				break;
			}
			if (fd != x->fd)
				sys_close(fd);
			fd = (int)nfd;
			continue;
		}
		if (!is_elf(x->hdr)) {
			ret = -ENOEXEC;
			break;
		}
		ret = check_elf(fd, x->hdr, &st);
		if (!ret && gains_privileges(fd, &st)) {
			say_refused(x);
			ret = -EPERM;
		}
		break;
	}
	if (fd != x->fd)
		sys_close(fd);
	return ret;
}

/*
 * The pointers of the program's NULL-terminated array @arr: their number
 * (0 for a NULL array, as the kernel allows), stored into @dst up to @max
 * when @dst is given; -EFAULT if the array cannot be read.
 */
static long user_ptrs(uint64_t arr, uint64_t *dst, long max)
{
	uint64_t chunk[16];
	long n = 0, got, i;

	if (!arr)
		return 0;
	for (;;) {
		got = kbrt_copy_some_from_user(chunk, arr + (uint64_t)n * 8,
					       sizeof(chunk));
		if (got < 8)
			return -EFAULT;
		for (i = 0; i < got / 8; i++, n++) {
			if (!chunk[i])
				return n;
			if (dst && n < max)
				dst[n] = chunk[i];
		}
	}
}

static char *put_int(char *p, long v, char sep)
{
	char num[24], *d = kbrt_fmt_int(num + sizeof(num), v);
	uint64_t n = kbrt_strlen(d);

	kbrt_memcpy(p, d, n);
	p += n;
	*p++ = sep;
	return p;
}

/*
 * Everything checked: hand over to kblaunch. @fname is the name the
 * kernel would give the program (AT_EXECFN, the script argument).
 */
static long reenter(struct kbrt_exec *x, uint64_t fname, long argc)
{
	long fds[KBRT_FD_N], ret, n;
	struct kbrt_siginfo pending;
	uint64_t stack_argv[KBRT_ARGV_STACK], *kargv = stack_argv;
	uint64_t map_len = 0;
	char state[128], *p;
	int tid = 0, blocked, has_pending, sflags = 0;

	if (argc + 5 > KBRT_ARGV_STACK) {
		/*
		 * A long argv: in memory of its own. A vfork child sharing
		 * its parent's memory leaves this mapping behind in the
		 * parent when the exec succeeds.
		 */
		map_len = ((uint64_t)(argc + 5) * 8 + KBRT_PAGE - 1) &
			  ~(uint64_t)(KBRT_PAGE - 1);
		ret = sys_mmap(0, map_len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ret < 0)
			return ret;
		kargv = (uint64_t *)ret;
	}
	n = user_ptrs(x->argv, kargv + 4, argc);
	if (n < 0) {
		ret = n;
		goto out_unmap;
	}
	if (n > argc)
		n = argc;
	kargv[0] = (uint64_t)kbrt_self_name;
	kargv[1] = (uint64_t)kbrt_reentry_arg;
	kargv[2] = (uint64_t)state;
	kargv[3] = fname;
	kargv[4 + n] = 0;

	/*
	 * Our fds at the numbers they have, whatever RLIMIT_NOFILE the
	 * program set: a copy would need a free number below it.
	 */
	ret = kbrt_fds_pass(fds);
	if (ret)
		goto out_unmap;
	if (fds[KBRT_FD_SELF] < 0)
		ret = -ENOEXEC;	/* kblaunch always passes it: not reached */
	if (!ret)
		ret = sys_fcntl(x->fd, F_SETFD, 0);
	if (ret)
		goto out_unpass;

	blocked = kbrt_vsig_blocked(&tid);
	has_pending = blocked && kbrt_vsig_pending(&tid);
	if (kbrt_cfg->verbose)
		sflags |= KBRT_REENTRY_VERBOSE;
	if (blocked)
		sflags |= KBRT_REENTRY_SIGSYS_BLOCKED;
	if (has_pending)
		sflags |= KBRT_REENTRY_SIGSYS_PENDING;
	if (kbrt_vsig_ignored())
		sflags |= KBRT_REENTRY_SIGSYS_IGNORED;
	if (x->empty)
		sflags |= KBRT_REENTRY_COMM_FROM_FILE;
	if (kbrt_cfg->vdso_hide)
		sflags |= KBRT_REENTRY_VDSO_HIDE;
	p = put_int(state, kbrt_cfg->mode, ',');
	p = put_int(p, fds[KBRT_FD_KB], ',');
	p = put_int(p, fds[KBRT_FD_CNT], ',');
	p = put_int(p, fds[KBRT_FD_SELF], ',');
	p = put_int(p, x->fd, ',');
	p = put_int(p, sflags, ',');
	p = put_int(p, fds[KBRT_FD_ONLY], '\0');

	/*
	 * The thread's slot must not outlive it if the exec succeeds (a
	 * vfork child shares the table with its parent).
	 */
	has_pending = 0;
	if (blocked) {
		kbrt_vsig_forget(&tid, &pending);
		has_pending = sflags & KBRT_REENTRY_SIGSYS_PENDING;
	}
	ret = KBRT_SYS5(__NR_execveat, fds[KBRT_FD_SELF], "", kargv,
			x->envp, AT_EMPTY_PATH);
	/* Still here: the kernel refused (E2BIG, EFAULT, ENOMEM...). */
	if (blocked) {
		kbrt_vsig_set_blocked(&tid, 1, 0);
		if (has_pending)
			kbrt_vsig_hold(&pending);
	}
out_unpass:
	kbrt_fds_unpass(fds);
out_unmap:
	if (map_len)
		sys_munmap(kargv, map_len);
	return ret;
}

/* Build "/dev/fd/N" or "/dev/fd/N/PATH" in @buf (@size bytes). */
static long fd_name(const struct kbrt_exec *x, char *buf, uint64_t size)
{
	char num[16], *d = kbrt_fmt_int(num + sizeof(num), x->dirfd);
	uint64_t n = kbrt_strlen(d);
	long got;

	kbrt_memcpy(buf, "/dev/fd/", 8);
	kbrt_memcpy(buf + 8, d, n + 1);
	if (x->empty)
		return 0;
	buf[8 + n] = '/';
	got = kbrt_copy_str_from_user(buf + 9 + n, x->path, size - 9 - n);
	if (got < 0)
		return got;
	if (!got || buf[9 + n + got - 1])
		return -ENAMETOOLONG;
	return 0;
}

/* The part with the big buffers, kept out of the handler's common path. */
static __attribute__((noinline)) long follow(struct kbrt_exec *x)
{
	char first, fdname[24];
	uint64_t fname = x->name;
	char *longname = 0;
	int cloexec_dirfd = 0;
	long ret, argc;

	/* getname(): a bad pointer, "" without AT_EMPTY_PATH. */
	if (kbrt_copy_str_from_user(&first, x->path, 1) != 1)
		return -EFAULT;
	x->empty = !first;
	if (x->empty && !(x->flags & AT_EMPTY_PATH))
		return -ENOENT;
	/* The arrays are counted before the file is opened. */
	argc = user_ptrs(x->argv, 0, 0);
	if (argc < 0)
		return argc;
	ret = user_ptrs(x->envp, 0, 0);
	if (ret < 0)
		return ret;

	x->fdpath = x->dirfd != AT_FDCWD && first != '/';
	if (x->empty) {
		/* AT_FDCWD with "": the current directory. */
		if (x->dirfd == AT_FDCWD)
			return -EACCES;
		ret = open_exec_fd(x->dirfd);
	} else {
		ret = open_exec(x->dirfd, (const char *)x->path,
				x->flags & AT_SYMLINK_NOFOLLOW);
	}
	if (ret < 0)
		return ret;
	x->fd = (int)ret;
	if (x->fdpath) {
		ret = sys_fcntl(x->dirfd, F_GETFD, 0);
		cloexec_dirfd = ret > 0 && (ret & FD_CLOEXEC);
	}
	ret = check_target(x, cloexec_dirfd);
	if (ret)
		goto out;

	if (x->fdpath && x->empty) {
		fd_name(x, fdname, sizeof(fdname));
		fname = (uint64_t)fdname;
	} else if (x->fdpath) {
		ret = sys_mmap(0, KBRT_PATH_MAX + 32, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ret < 0)
			goto out;
		longname = (char *)ret;
		ret = fd_name(x, longname, KBRT_PATH_MAX + 32);
		if (ret)
			goto out;
		fname = (uint64_t)longname;
	}
	ret = reenter(x, fname, argc);
out:
	if (longname)
		sys_munmap(longname, KBRT_PATH_MAX + 32);
	sys_close(x->fd);
	return ret;
}

long kbrt_exec(long nr, const __u64 a[6], uint64_t name)
{
	struct kbrt_exec x;

	kbrt_memset(&x, 0, sizeof(x));
	if (nr == __NR_execve) {
		x.dirfd = AT_FDCWD;
		x.path = a[0];
		x.argv = a[1];
		x.envp = a[2];
	} else {
		x.dirfd = (int)a[0];
		x.path = a[1];
		x.argv = a[2];
		x.envp = a[3];
		x.flags = (int)a[4];
		if (x.flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
			return -EINVAL;
	}
	x.name = name;
	return follow(&x);
}
