// SPDX-License-Identifier: GPL-2.0
/*
 * kblaunch: loading the program the way execve(2) would, into the running
 * process, so that SUD can be on before the program's first instruction
 * (the loader's and libc's start-up syscalls included).
 *
 *  - PROGRAM is looked up in PATH like execvp(3) does;
 *  - "#!" scripts are handled like the kernel's binfmt_script: the
 *    interpreter, its one optional argument, the script's path, then the
 *    arguments, up to KB_MAX_SCRIPT_DEPTH interpreters deep;
 *  - or, for an exec the runtime followed (kb_load_fd), the file it
 *    opened, under the name the program gave;
 *  - ELF64 x86_64 ET_EXEC or ET_DYN; with PT_INTERP the interpreter
 *    (ld.so) is loaded too and runs first, as with the kernel.
 *
 * Every file is opened and validated completely before the first mapping
 * is made, so a bad program fails with "kblaunch: PROGRAM: reason" and an
 * untouched process. Runs in the child, with libc, before SUD.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "kblaunch.h"
#include "../rt/elfcheck.h"

#define KB_MAX_SCRIPT_DEPTH	5	/* nested #! interpreters: the kernel's */
#define KB_BINPRM_BUF		256	/* bytes of a #! line the kernel reads */

/* An opened and validated ELF file, not mapped yet. */
struct kb_elf {
	const char *path;
	int fd;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	uint64_t lo, hi;		/* page-aligned span of the PT_LOADs */
	unsigned int hi_i;		/* the PT_LOAD that ends at hi */
	uint64_t align;			/* alignment of an ET_DYN load address */
	uint64_t phdr_vaddr;		/* program headers, link address */
	bool has_phdr;
	bool exec_stack;
	char *interp;			/* PT_INTERP, or NULL */
};

static uint64_t page;

static uint64_t page_down(uint64_t v)
{
	return v & ~(page - 1);
}

static uint64_t page_up(uint64_t v)
{
	return (v + page - 1) & ~(page - 1);
}

/* Can @path be executed, as execve would judge it? 0 or an errno. */
static int exec_check(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return errno;
	if (!S_ISREG(st.st_mode))
		return EACCES;
	if (access(path, X_OK))
		return errno;
	return 0;
}

/*
 * execvp's search: a name with a slash is used as is; otherwise each PATH
 * entry in turn (an empty entry is the current directory; no PATH means
 * confstr's default), skipping entries that are missing or not
 * executable. Returns a malloc'd path.
 */
static char *resolve(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	char buf[PATH_MAX + 1];
	int err, seen = ENOENT;
	size_t len;

	if (!*name)
		kb_fail(KB_EXIT_NOTFOUND, "''", "%s", strerror(ENOENT));
	if (strchr(name, '/')) {
		err = exec_check(name);
		if (err)
			kb_fail(err == ENOENT ? KB_EXIT_NOTFOUND :
				KB_EXIT_NOEXEC, name, "%s", strerror(err));
		return strdup(name);
	}
	if (!path) {
		len = confstr(_CS_PATH, buf, sizeof(buf));
		path = len ? strdup(buf) : "/bin:/usr/bin";
	}
	for (p = path;; p = end + 1) {
		end = strchrnul(p, ':');
		len = (size_t)(end - p);
		if (snprintf(buf, sizeof(buf), "%.*s%s%s", (int)len, p,
			     len ? "/" : "", name) < (int)sizeof(buf)) {
			err = exec_check(buf);
			if (!err)
				return strdup(buf);
			/* As execvp: a hit we may not run is remembered. */
			if (err == EACCES)
				seen = EACCES;
		}
		if (!*end)
			break;
	}
	kb_fail(seen == ENOENT ? KB_EXIT_NOTFOUND : KB_EXIT_NOEXEC, name,
		"%s", seen == ENOENT ? "command not found in PATH" :
		strerror(seen));
}

static int open_exec(const char *what, const char *path)
{
	struct statvfs vfs;
	int fd, err;

	err = exec_check(path);
	if (err)
		kb_fail(err == ENOENT ? KB_EXIT_NOTFOUND : KB_EXIT_NOEXEC,
			what, "%s: %s", path, strerror(err));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		kb_fail(KB_EXIT_NOEXEC, what, "%s: %s", path, strerror(errno));
	/* The kernel refuses to run anything from a noexec mount. */
	if (fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_NOEXEC))
		kb_fail(KB_EXIT_NOEXEC, what, "%s: %s (noexec mount)", path,
			strerror(EACCES));
	return fd;
}

/* pread exactly @len bytes at @off; false on a short read or error. */
static bool read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, (char *)buf + done, len - done,
			  (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * binfmt_script's parse of the first line: "#!" [blanks] interpreter
 * [blanks argument], the argument being the rest of the line with
 * trailing blanks removed (one argument, blanks inside kept). If the line
 * does not end within the first KB_BINPRM_BUF bytes, the interpreter's
 * name at least must. Returns false if @buf is not a #! line.
 */
static bool parse_shebang(const char *what, char *buf, size_t len,
			  char **interp, char **arg)
{
	char *end, *p;
	bool cut;

	if (len < 2 || buf[0] != '#' || buf[1] != '!')
		return false;
	buf[len] = '\0';
	end = memchr(buf, '\n', len);
	cut = !end;
	if (end)
		*end = '\0';
	end = buf + strlen(buf);
	while (end > buf + 2 && is_blank(end[-1]))
		*--end = '\0';
	for (p = buf + 2; is_blank(*p); p++)
		;
	if (!*p)
		kb_fail(KB_EXIT_NOEXEC, what, "no interpreter in the #! line");
	*interp = p;
	while (*p && !is_blank(*p))
		p++;
	if (cut && !*p)
		kb_fail(KB_EXIT_NOEXEC, what, "#! line too long");
	*arg = NULL;
	if (*p) {
		*p++ = '\0';
		while (is_blank(*p))
			p++;
		if (*p)
			*arg = p;
	}
	return true;
}

/* "kblaunch: WHAT: PATH: ELF header: reason", then exit 126. */
#define elf_bad(what, path, fmt, ...)					\
	kb_fail(KB_EXIT_NOEXEC, what, "%s: ELF header: " fmt, path,	\
		##__VA_ARGS__)
/* "kblaunch: WHAT: PATH: program header N: reason", then exit 126. */
#define ph_bad(what, path, i, fmt, ...)					\
	kb_fail(KB_EXIT_NOEXEC, what, "%s: program header %u: " fmt,	\
		path, i, ##__VA_ARGS__)

/*
 * The text of PT_INTERP (program header @i, whose place in the file
 * kb_elf_check_phdrs() has checked): a NUL-terminated path. Malloc'd.
 */
static char *elf_interp(const char *what, const char *path, int fd,
			const Elf64_Phdr *ph, unsigned int i)
{
	char *s = malloc(ph->p_filesz);

	if (!s)
		kb_fail(KB_EXIT_NOEXEC, what, "%s", strerror(ENOMEM));
	if (!read_at(fd, s, ph->p_filesz, ph->p_offset))
		ph_bad(what, path, i, "PT_INTERP cannot be read");
	if (s[ph->p_filesz - 1] != '\0')
		ph_bad(what, path, i, "PT_INTERP is not NUL-terminated");
	if (!s[0])
		ph_bad(what, path, i, "PT_INTERP is empty");
	return s;
}

/* What kb_elf_check_ehdr() or kb_elf_check_phdrs() found, said. */
static noreturn void elf_refuse(const char *what, const char *path,
				enum kb_elf_err err, const Elf64_Ehdr *eh,
				const Elf64_Phdr *ph, const struct kb_elf_layout *l,
				uint64_t fsize)
{
	uint64_t phsize = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	const Elf64_Phdr *p = ph ? &ph[l->bad_i] : NULL;
	unsigned int i = l ? l->bad_i : 0;

	switch (err) {
	case KB_ELF_OK:
		break;
	case KB_ELF_TRUNCATED:
		elf_bad(what, path, "truncated: the file has %llu bytes, the header %zu",
			(unsigned long long)fsize, sizeof(*eh));
	case KB_ELF_NOT_X86_64:
		elf_bad(what, path, "not an x86_64 ELF (class %u, data %u, machine %u)",
			eh->e_ident[EI_CLASS], eh->e_ident[EI_DATA],
			eh->e_machine);
	case KB_ELF_VERSION:
		elf_bad(what, path, "unknown ELF version %u", eh->e_version);
	case KB_ELF_TYPE:
		elf_bad(what, path, "not an executable (ELF type %u)", eh->e_type);
	case KB_ELF_PHENTSIZE:
		elf_bad(what, path, "program header size %u, expected %zu",
			eh->e_phentsize, sizeof(Elf64_Phdr));
	case KB_ELF_PHNUM:
		elf_bad(what, path, "%u program headers (1 to %zu)", eh->e_phnum,
			KB_ELF_PHDRS_MAX / sizeof(Elf64_Phdr));
	case KB_ELF_PHOFF:
		elf_bad(what, path,
			"program headers past the end of the file (offset %llu, %llu bytes; the file has %llu)",
			(unsigned long long)eh->e_phoff,
			(unsigned long long)phsize, (unsigned long long)fsize);
	case KB_ELF_NO_LOAD:
		elf_bad(what, path, "no loadable segment (PT_LOAD)");
	case KB_ELF_ENTRY:
		elf_bad(what, path, "entry point 0x%llx outside the loaded segments",
			(unsigned long long)eh->e_entry);
	case KB_ELF_PHDRS_NOT_LOADED:
		elf_bad(what, path, "program headers are not in a loaded segment");
	case KB_ELF_LOAD_FILESZ:
		ph_bad(what, path, i, "PT_LOAD file size larger than memory size");
	case KB_ELF_LOAD_PAST_EOF:
		ph_bad(what, path, i,
		       "PT_LOAD past the end of the file (offset %llu, %llu bytes; the file has %llu)",
		       (unsigned long long)p->p_offset,
		       (unsigned long long)p->p_filesz, (unsigned long long)fsize);
	case KB_ELF_LOAD_RANGE:
		ph_bad(what, path, i, "PT_LOAD address out of range (0x%llx, %llu bytes)",
		       (unsigned long long)p->p_vaddr,
		       (unsigned long long)p->p_memsz);
	case KB_ELF_LOAD_MODULO:
		ph_bad(what, path, i,
		       "PT_LOAD address and file offset differ modulo the page size");
	case KB_ELF_LOAD_ALIGN:
		ph_bad(what, path, i, "PT_LOAD alignment is not a power of 2");
	case KB_ELF_LOAD_OVERLAP:
		ph_bad(what, path, i, "PT_LOAD overlaps program header %u", l->bad_j);
	case KB_ELF_LOAD_AT_0:
		ph_bad(what, path, i, "PT_LOAD would load at address 0");
	case KB_ELF_INTERP_TWICE:
		ph_bad(what, path, i, "a second PT_INTERP (the first is program header %u)",
		       l->bad_j);
	case KB_ELF_INTERP_SIZE:
		ph_bad(what, path, i, "PT_INTERP of %llu bytes (2 to %d with its NUL)",
		       (unsigned long long)p->p_filesz, KB_ELF_INTERP_MAX);
	case KB_ELF_INTERP_PAST_EOF:
		ph_bad(what, path, i, "PT_INTERP past the end of the file");
	}
	kb_fail(KB_EXIT_NOEXEC, what, "%s: %s", path, strerror(ENOEXEC));
}

/*
 * Open and check one ELF file completely (elfcheck.h), PT_INTERP's text
 * too. @need_phdr: the program headers must be in memory (AT_PHDR of the
 * main program). Errors name the header they are about.
 */
static void elf_open(struct kb_elf *e, const char *what, const char *path,
		     int fd, bool need_phdr)
{
	Elf64_Ehdr *eh = &e->eh;
	struct kb_elf_layout l;
	enum kb_elf_err err;
	uint64_t fsize;
	struct stat st;

	memset(e, 0, sizeof(*e));
	e->path = path;
	e->fd = fd;
	if (fstat(fd, &st))
		kb_fail(KB_EXIT_NOEXEC, what, "%s: %s", path, strerror(errno));
	fsize = (uint64_t)st.st_size;
	/* Not ELF at all: what execve says. */
	if (fsize < SELFMAG || !read_at(fd, eh->e_ident, SELFMAG, 0) ||
	    memcmp(eh->e_ident, ELFMAG, SELFMAG))
		kb_fail(KB_EXIT_NOEXEC, what, "%s: %s", path,
			strerror(ENOEXEC));
	if (fsize >= sizeof(*eh) && !read_at(fd, eh, sizeof(*eh), 0))
		elf_bad(what, path, "cannot be read");
	err = kb_elf_check_ehdr(eh, fsize);
	if (err)
		elf_refuse(what, path, err, eh, NULL, NULL, fsize);
	e->ph = malloc((size_t)eh->e_phnum * sizeof(Elf64_Phdr));
	if (!e->ph)
		kb_fail(KB_EXIT_NOEXEC, what, "%s", strerror(ENOMEM));
	if (!read_at(fd, e->ph, (size_t)eh->e_phnum * sizeof(Elf64_Phdr),
		     eh->e_phoff))
		elf_bad(what, path, "program headers cannot be read");
	err = kb_elf_check_phdrs(eh, e->ph, fsize, page, need_phdr, &l);
	if (err)
		elf_refuse(what, path, err, eh, e->ph, &l, fsize);
	if (l.interp >= 0)
		e->interp = elf_interp(what, path, fd, &e->ph[l.interp],
				       (unsigned int)l.interp);
	e->lo = l.lo;
	e->hi = l.hi;
	e->hi_i = l.hi_i;
	e->align = l.align;
	e->phdr_vaddr = l.phdr_vaddr;
	e->has_phdr = l.has_phdr;
	e->exec_stack = l.exec_stack;
}

static int seg_prot(const Elf64_Phdr *ph)
{
	return (ph->p_flags & PF_R ? PROT_READ : 0) |
	       (ph->p_flags & PF_W ? PROT_WRITE : 0) |
	       (ph->p_flags & PF_X ? PROT_EXEC : 0);
}

static void map_or_fail(const char *what, const struct kb_elf *e,
			unsigned int i, uint64_t addr, uint64_t len, int prot,
			int flags, int fd, uint64_t off)
{
	void *p = mmap((void *)addr, len, prot, flags | MAP_FIXED, fd,
		       (off_t)off);

	if (p == MAP_FAILED)
		ph_bad(what, e->path, i, "PT_LOAD cannot be mapped at 0x%llx-0x%llx: %s",
		       (unsigned long long)addr,
		       (unsigned long long)(addr + len), strerror(errno));
}

/*
 * Reserve the whole span PROT_NONE first (at its link address for
 * ET_EXEC, refusing to replace anything; where the kernel likes for
 * ET_DYN, aligned to the largest p_align), then map each PT_LOAD over it
 * from the file, zero the rest of the last file page and map anonymous
 * memory for the remaining bss, as the kernel's ELF loader does.
 */
static void elf_map(struct kb_elf *e, const char *what, struct kb_image *img)
{
	uint64_t span = e->hi - e->lo, base, bias;
	unsigned int i;
	void *p;

	if (e->eh.e_type == ET_EXEC) {
		p = mmap((void *)e->lo, span, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			 MAP_FIXED_NOREPLACE, -1, 0);
		/*
		 * Named after the segment that ends the span: where it is
		 * absurd (a huge p_memsz), that one made it so.
		 */
		if (p == MAP_FAILED || (uint64_t)p != e->lo)
			ph_bad(what, e->path, e->hi_i,
			       "PT_LOADs at 0x%llx-0x%llx cannot be reserved: %s",
			       (unsigned long long)e->lo,
			       (unsigned long long)e->hi,
			       p == MAP_FAILED ? strerror(errno) :
			       "address in use");
		bias = 0;
	} else {
		p = mmap(NULL, span + e->align - page, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			ph_bad(what, e->path, e->hi_i,
			       "PT_LOADs of %llu bytes cannot be reserved: %s",
			       (unsigned long long)span, strerror(errno));
		base = ((uint64_t)p + e->align - 1) & ~(e->align - 1);
		/* Give back what the alignment did not need. */
		if (base > (uint64_t)p)
			munmap(p, base - (uint64_t)p);
		if ((uint64_t)p + span + e->align - page > base + span)
			munmap((void *)(base + span),
			       (uint64_t)p + span + e->align - page -
			       (base + span));
		bias = base - e->lo;
	}

	for (i = 0; i < e->eh.e_phnum; i++) {
		const Elf64_Phdr *ph = &e->ph[i];
		uint64_t start, file_end, mem_end, map_start, map_end;
		int prot = seg_prot(ph);
		bool zero;

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		start = bias + ph->p_vaddr;
		file_end = start + ph->p_filesz;
		mem_end = start + ph->p_memsz;
		map_start = page_down(start);
		map_end = map_start;
		if (ph->p_filesz) {
			map_end = page_up(file_end);
			/* The tail of the last file page becomes bss. */
			zero = ph->p_memsz > ph->p_filesz &&
			       (file_end & (page - 1));
			map_or_fail(what, e, i, map_start, map_end - map_start,
				    prot | (zero ? PROT_WRITE : 0),
				    MAP_PRIVATE, e->fd,
				    page_down(ph->p_offset));
			if (zero) {
				memset((void *)file_end, 0, map_end - file_end);
				if (!(prot & PROT_WRITE) &&
				    mprotect((void *)map_start,
					     map_end - map_start, prot))
					ph_bad(what, e->path, i, "PT_LOAD mprotect: %s",
					       strerror(errno));
			}
		}
		if (page_up(mem_end) > map_end)
			map_or_fail(what, e, i, map_end, page_up(mem_end) - map_end,
				    prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}

	img->bias = bias;
	img->entry = bias + e->eh.e_entry;
	img->phdr = e->has_phdr ? bias + e->phdr_vaddr : 0;
	img->phnum = e->eh.e_phnum;
	img->exec_stack = e->exec_stack;
	close(e->fd);
	e->fd = -1;
}

/*
 * /proc/self/exe of the program: the file behind @fd, as the kernel
 * names it; realpath() of @path without /proc.
 */
static void exe_path(struct kb_program *p, const char *what, int fd,
		     const char *path)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, p->exe, sizeof(p->exe) - 1);
	if (n > 0) {
		p->exe[n] = '\0';
		return;
	}
	if (!realpath(path, p->exe))
		kb_fail(KB_EXIT_NOEXEC, what, "cannot resolve the path of %s",
			path);
}

/*
 * Load p->path (opened as @fd when @fd >= 0): follow #! lines to the ELF
 * file that really runs, check it and its interpreter completely, then
 * map them. @name is what error messages call the program.
 */
static void load(struct kb_program *p, const char *name, int fd,
		 bool verbose)
{
	char buf[KB_BINPRM_BUF + 1], *interp, *arg, *file = p->path;
	struct kb_elf elf, ld;
	int depth, i, n;
	ssize_t len;
	char **nargv;

	page = (uint64_t)sysconf(_SC_PAGESIZE);
	for (depth = 0;; depth++) {
		if (fd < 0)
			fd = open_exec(name, file);
		do {
			len = pread(fd, buf, KB_BINPRM_BUF, 0);
		} while (len < 0 && errno == EINTR);
		if (len < 0)
			kb_fail(KB_EXIT_NOEXEC, name, "%s: %s", file,
				strerror(errno));
		if (!parse_shebang(name, buf, (size_t)len, &interp, &arg))
			break;
		if (depth == KB_MAX_SCRIPT_DEPTH)
			kb_fail(KB_EXIT_NOEXEC, name,
				"more than %d levels of #! interpreters",
				KB_MAX_SCRIPT_DEPTH);
		close(fd);
		fd = -1;
		/* interpreter [arg] script args[1..] */
		n = 0;
		nargv = calloc((size_t)p->argc + 3, sizeof(*nargv));
		if (!nargv)
			kb_fail(KB_EXIT_NOEXEC, name, "%s", strerror(ENOMEM));
		nargv[n++] = strdup(interp);
		if (arg)
			nargv[n++] = strdup(arg);
		nargv[n++] = file;
		for (i = 1; i < p->argc; i++)
			nargv[n++] = p->argv[i];
		p->argv = nargv;
		p->argc = n;
		file = nargv[0];
		if (verbose)
			fprintf(stderr, "kblaunch: #! interpreter %s%s%s\n",
				file, arg ? " " : "", arg ? arg : "");
	}

	p->elf_path = file;
	kb_refuse_privileged(name, file, fd);
	elf_open(&elf, name, file, fd, true);
	exe_path(p, name, fd, file);
	if (elf.interp) {
		p->interp_path = elf.interp;
		elf_open(&ld, name, elf.interp, open_exec(name, elf.interp),
			 false);
		if (ld.interp)
			kb_fail(KB_EXIT_NOEXEC, name,
				"%s: the interpreter %s has an interpreter itself",
				file, elf.interp);
	}

	/* Everything checked: from here on the process changes. */
	elf_map(&elf, name, &p->main);
	p->entry = p->main.entry;
	if (p->interp_path) {
		elf_map(&ld, name, &p->interp);
		p->entry = p->interp.entry;
	}
	if (verbose) {
		fprintf(stderr, "kblaunch: %s at 0x%llx, entry 0x%llx\n", file,
			(unsigned long long)(elf.lo + p->main.bias),
			(unsigned long long)p->main.entry);
		if (p->interp_path)
			fprintf(stderr,
				"kblaunch: interpreter %s at 0x%llx, entry 0x%llx\n",
				p->interp_path,
				(unsigned long long)(ld.lo + p->interp.bias),
				(unsigned long long)p->interp.entry);
	}
}

noreturn void kb_exec_native(const char *name, char **argv,
			     const sigset_t *mask)
{
	char *path = resolve(name);
	int fd = open_exec(name, path);

	/* The same refusal as kb_load()'s, with the same message. */
	kb_refuse_privileged(name, path, fd);
	close(fd);
	sigprocmask(SIG_SETMASK, mask, NULL);
	execv(path, argv);
	kb_fail(errno == ENOENT ? KB_EXIT_NOTFOUND : KB_EXIT_NOEXEC, name,
		"%s", strerror(errno));
}

void kb_load(const char *name, char **argv, int argc, struct kb_program *p,
	     bool verbose)
{
	memset(p, 0, sizeof(*p));
	p->path = resolve(name);
	p->argv = argv;
	p->argc = argc;
	load(p, name, -1, verbose);
}

/*
 * An exec followed through kblaunch: the runtime has opened and checked
 * the file the program named @filename (AT_EXECFN), as @fd.
 */
void kb_load_fd(char *filename, int fd, char **argv, int argc,
		struct kb_program *p, bool verbose)
{
	memset(p, 0, sizeof(*p));
	p->path = filename;
	p->argv = argv;
	p->argc = argc;
	load(p, filename, fd, verbose);
}
