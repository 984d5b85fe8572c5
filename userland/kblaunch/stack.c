// SPDX-License-Identifier: GPL-2.0
/*
 * kblaunch: the program's initial stack, as execve(2) lays it out:
 *
 *   sp ->  argc
 *          argv[0] ... argv[argc - 1], NULL
 *          envp[0] ... NULL
 *          auxv pairs ..., AT_NULL
 *          (padding)
 *          the argument, environment and AT_EXECFN strings
 *
 * It is written on the real process stack, KB_STACK_GAP below the
 * current stack pointer (kblaunch still calls functions after writing
 * it), so that the program's main thread runs on the kernel's [stack]
 * mapping, which grows on demand and is what the program's libc expects
 * to find. sp is 16-byte aligned, as the x86_64 ABI requires at entry.
 *
 * Below sp, the program finds zeros, as after execve(2): kblaunch's own
 * calls have left data there, and a program that reads its stack before
 * writing it (a stat buffer a faked fstat never filled, in ld.so) would
 * otherwise behave according to what kblaunch happened to do, that is
 * to the length of its arguments and environment: the same profile
 * passed under kbctl analyze and failed by hand.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/prctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../lib/procstat.h"
#include "kblaunch.h"

#define KB_STACK_GAP		(256 * 1024)
/* What is left for the program must at least be this much. */
#define KB_STACK_MIN_LEFT	(256 * 1024)

/*
 * auxv entries that describe the new program rather than kblaunch, and
 * with --vdso=hide the vDSO's address: libc (and Go) then make real
 * clock_gettime, gettimeofday, time and getcpu syscalls.
 */
static bool overridden(uint64_t type, bool vdso_hide)
{
	if (type == AT_SYSINFO_EHDR)
		return vdso_hide;
	switch (type) {
	case AT_PHDR:
	case AT_PHENT:
	case AT_PHNUM:
	case AT_ENTRY:
	case AT_BASE:
	case AT_EXECFN:
	case AT_SECURE:
	case AT_EXECFD:		/* binfmt_misc only: never for us */
	case AT_NULL:
		return true;
	}
	return false;
}

static size_t count(char **v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
}

/* Copy @s to *@at and return where it went; *@at moves past it. */
static uint64_t put_str(char **at, const char *s)
{
	size_t len = strlen(s) + 1;
	char *dst = *at;

	memcpy(dst, s, len);
	*at += len;
	return (uint64_t)dst;
}

/*
 * The program must not find the vDSO by its mapping either: take [vdso]
 * and [vvar] away. x86_64 signal frames return through SA_RESTORER, not
 * the vDSO, so nothing of the kernel's needs them.
 */
void kb_unmap_vdso(void)
{
	unsigned long long from, to;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		kb_die("--vdso=hide: cannot read /proc/self/maps: %s",
		       strerror(errno));
	while (fgets(line, sizeof(line), f))
		if ((strstr(line, "[vdso]") || strstr(line, "[vvar]")) &&
		    sscanf(line, "%llx-%llx", &from, &to) == 2 &&
		    munmap((void *)(uintptr_t)from, (size_t)(to - from)))
			kb_die("--vdso=hide: cannot unmap %.*s: %s",
			       (int)strcspn(line, "\n"), line, strerror(errno));
	fclose(f);
}

/* The lowest address of the [stack] mapping, or 0 when unknown. */
static uint64_t stack_low(void)
{
	unsigned long long lo = 0, from, to;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[stack]") &&
		    sscanf(line, "%llx-%llx", &from, &to) == 2) {
			lo = from;
			break;
		}
	fclose(f);
	return lo;
}

/*
 * The fields of /proc/self/stat that PR_SET_MM_MAP replaces whole, in
 * prctl_mm_map's order: 0 or -1.
 */
static int stat_fields(struct prctl_mm_map *m)
{
	unsigned long long v[KB_STAT_MAX];

	if (kb_proc_stat("self", NULL, 0, v, KB_STAT_START_BRK))
		return -1;
	m->start_code = v[KB_STAT_START_CODE];
	m->end_code = v[KB_STAT_END_CODE];
	m->start_stack = v[KB_STAT_START_STACK];
	m->start_data = v[KB_STAT_START_DATA];
	m->end_data = v[KB_STAT_END_DATA];
	m->start_brk = v[KB_STAT_START_BRK];
	return 0;
}

/*
 * What /proc/PID/cmdline, environ and auxv show (and so ps, pgrep -f,
 * pkill -f) is the kernel's record of where execve put the strings: it
 * names kblaunch's. Point it at the program's, which PR_SET_MM_MAP lets
 * any process do for itself (CONFIG_CHECKPOINT_RESTORE), every other
 * field kept as it is. A program that writes its title over its argv
 * and environment strings (PostgreSQL) is then shown as natively. Best
 * effort: without it, those files keep naming kblaunch.
 */
static void set_identity(uint64_t arg_start, uint64_t arg_end,
			 uint64_t env_end, const uint64_t *auxv,
			 size_t auxv_bytes, bool verbose)
{
	struct prctl_mm_map m = { .exe_fd = (__u32)-1 };
	unsigned int size = 0;

	if (prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, (unsigned long)&size, 0, 0) ||
	    size != sizeof(m) || stat_fields(&m))
		goto fail;
	m.brk = (uint64_t)sbrk(0);
	m.arg_start = arg_start;
	m.arg_end = arg_end;
	m.env_start = arg_end;
	m.env_end = env_end;
	m.auxv = (__u64 *)(uintptr_t)auxv;
	m.auxv_size = (__u32)auxv_bytes;
	if (!prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&m, sizeof(m), 0))
		return;
	/* An auxv longer than the kernel keeps: the strings alone. */
	m.auxv = NULL;
	m.auxv_size = 0;
	if (!prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&m, sizeof(m), 0))
		return;
fail:
	if (verbose)
		fprintf(stderr,
			"kblaunch: /proc/self/cmdline keeps kblaunch's (PR_SET_MM_MAP: %s)\n",
			strerror(errno));
}

uint64_t kb_build_stack(const struct kb_program *p, char **envp,
			const Elf64_auxv_t *auxv, bool vdso_hide, bool verbose)
{
	uint64_t arg_end, env_end, *auxv_at;
	size_t argc = (size_t)p->argc, envc = count(envp), nauxv, words, i;
	uint64_t top, strbase, sp, low, *w, strsize = 0;
	const Elf64_auxv_t *a;
	struct rlimit rl;
	char *s;

	for (i = 0; i < argc; i++)
		strsize += strlen(p->argv[i]) + 1;
	for (i = 0; i < envc; i++)
		strsize += strlen(envp[i]) + 1;
	strsize += strlen(p->path) + 1;
	/* kblaunch's own entries we keep, plus the ones we set, plus AT_NULL */
	for (nauxv = 0, a = auxv; a->a_type != AT_NULL; a++)
		if (!overridden(a->a_type, vdso_hide))
			nauxv++;
	nauxv += 8;
	words = 1 + argc + 1 + envc + 1 + 2 * nauxv;

	top = ((uint64_t)__builtin_frame_address(0) - KB_STACK_GAP) & ~15ULL;
	strbase = (top - strsize) & ~15ULL;
	sp = (strbase - words * sizeof(uint64_t)) & ~15ULL;

	/*
	 * The stack from kblaunch's own auxv (near the top) down to sp is
	 * used up; the program gets the rest of RLIMIT_STACK.
	 */
	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (uint64_t)auxv > sp && (uint64_t)auxv - sp + KB_STACK_MIN_LEFT > rl.rlim_cur)
		kb_fail(KB_EXIT_NOEXEC, p->argv[0],
			"the stack limit (ulimit -s) leaves no room for the program's stack");

	s = (char *)strbase;
	w = (uint64_t *)sp;
	*w++ = argc;
	for (i = 0; i < argc; i++)
		*w++ = put_str(&s, p->argv[i]);
	*w++ = 0;
	arg_end = (uint64_t)s;
	for (i = 0; i < envc; i++)
		*w++ = put_str(&s, envp[i]);
	*w++ = 0;
	env_end = (uint64_t)s;
	auxv_at = w;
	for (a = auxv; a->a_type != AT_NULL; a++) {
		if (overridden(a->a_type, vdso_hide))
			continue;
		*w++ = a->a_type;
		*w++ = a->a_un.a_val;
	}
	*w++ = AT_PHDR;
	*w++ = p->main.phdr;
	*w++ = AT_PHENT;
	*w++ = sizeof(Elf64_Phdr);
	*w++ = AT_PHNUM;
	*w++ = p->main.phnum;
	*w++ = AT_ENTRY;
	*w++ = p->main.entry;
	*w++ = AT_BASE;
	*w++ = p->interp_path ? p->interp.bias : 0;
	*w++ = AT_EXECFN;
	*w++ = put_str(&s, p->path);
	*w++ = AT_SECURE;
	*w++ = 0;
	*w++ = AT_NULL;
	*w++ = 0;
	set_identity(strbase, arg_end, env_end, auxv_at,
		     (size_t)((char *)w - (char *)auxv_at), verbose);

	/*
	 * What kblaunch left below the program's stack: zeros, as execve.
	 * The mapping may begin right at sp, with nothing below it yet;
	 * without /proc there is no telling where it begins, and the
	 * program finds what is there, as before kblaunch did this.
	 */
	low = stack_low();
	if (low && low < sp)
		memset((void *)low, 0, sp - low);

	/* PT_GNU_STACK with PF_X: the kernel would make the stack executable. */
	if (p->main.exec_stack &&
	    mprotect((void *)(sp & ~(uint64_t)(sysconf(_SC_PAGESIZE) - 1)),
		     (size_t)sysconf(_SC_PAGESIZE),
		     PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN))
		kb_fail(KB_EXIT_NOEXEC, p->argv[0],
			"cannot make the stack executable: %s",
			strerror(errno));
	return sp;
}
