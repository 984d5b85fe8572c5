/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What kblaunch's loader checks of an ELF file before it maps anything,
 * in one place for the two that need it: the loader (kblaunch/loader.c),
 * which says what is wrong, and the runtime's exec (rt/exec.c), which
 * must refuse before the program's execve what the loader would refuse
 * after it, past the point where the program could still be told.
 *
 * Header only and without a single library call: the runtime is
 * freestanding. The includer has the ELF types and constants already,
 * from <elf.h> (kblaunch) or <linux/elf.h> (the runtime).
 */
#ifndef KB_ELFCHECK_H
#define KB_ELFCHECK_H

#include <stdbool.h>
#include <stdint.h>

#define KB_ELF_TASK_SIZE	0x00007ffffffff000ULL	/* x86_64, 4 levels */
#define KB_ELF_MAX_ALIGN	(1ULL << 30)	/* larger p_align: ignored */
#define KB_ELF_PHDRS_MAX	65536	/* the kernel's limit, in bytes */

enum kb_elf_err {
	KB_ELF_OK,
	/* the ELF header */
	KB_ELF_TRUNCATED,	/* shorter than the header */
	KB_ELF_NOT_X86_64,	/* class, data or machine */
	KB_ELF_VERSION,
	KB_ELF_TYPE,		/* neither ET_EXEC nor ET_DYN */
	KB_ELF_PHENTSIZE,
	KB_ELF_PHNUM,		/* none, or more than 64 KiB of them */
	KB_ELF_PHOFF,		/* program headers past the end of the file */
	KB_ELF_NO_LOAD,
	KB_ELF_ENTRY,		/* outside the PT_LOADs */
	KB_ELF_PHDRS_NOT_LOADED,	/* no AT_PHDR for the program */
	/* program header bad_i */
	KB_ELF_LOAD_FILESZ,	/* p_filesz > p_memsz */
	KB_ELF_LOAD_PAST_EOF,
	KB_ELF_LOAD_RANGE,	/* outside the user address space */
	KB_ELF_LOAD_MODULO,	/* p_vaddr and p_offset differ modulo the page */
	KB_ELF_LOAD_ALIGN,	/* p_align not a power of 2 */
	KB_ELF_LOAD_OVERLAP,	/* with program header bad_j */
	KB_ELF_LOAD_AT_0,	/* ET_EXEC below the first page */
	KB_ELF_INTERP_TWICE,	/* the first is bad_j */
	KB_ELF_INTERP_SIZE,	/* p_filesz not 2 to KB_ELF_INTERP_MAX */
	KB_ELF_INTERP_PAST_EOF,
};

#define KB_ELF_INTERP_MAX	4096	/* PATH_MAX, NUL included */

/* Where the PT_LOADs go, and where a check failed. */
struct kb_elf_layout {
	uint64_t lo, hi;		/* page-aligned span of the PT_LOADs */
	uint64_t align;			/* alignment of an ET_DYN load address */
	uint64_t phdr_vaddr;		/* program headers, link address */
	unsigned int lo_i, hi_i;	/* the PT_LOADs at lo and at hi */
	unsigned int loads;
	int interp;			/* PT_INTERP's index, or -1 */
	bool has_phdr;
	bool exec_stack;
	unsigned int bad_i, bad_j;	/* program headers of an error */
};

/* The ELF header of a file of @fsize bytes whose magic is ELF's. */
static inline enum kb_elf_err kb_elf_check_ehdr(const Elf64_Ehdr *eh,
						uint64_t fsize)
{
	uint64_t phsize = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);

	if (fsize < sizeof(*eh))
		return KB_ELF_TRUNCATED;
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64)
		return KB_ELF_NOT_X86_64;
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return KB_ELF_VERSION;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return KB_ELF_TYPE;
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return KB_ELF_PHENTSIZE;
	if (!eh->e_phnum || phsize > KB_ELF_PHDRS_MAX)
		return KB_ELF_PHNUM;
	if (eh->e_phoff > fsize || phsize > fsize - eh->e_phoff)
		return KB_ELF_PHOFF;
	return KB_ELF_OK;
}

/*
 * The program headers @ph of a file whose header kb_elf_check_ehdr()
 * passed: every PT_LOAD against the file, the address space and the
 * other PT_LOADs (overlapping segments would be mapped one over the
 * other: no linker makes them), PT_INTERP's place (its text is the
 * caller's to read), the entry point. @need_phdr: the program headers
 * must be in memory (AT_PHDR of the main program). Fills @l.
 */
static inline enum kb_elf_err kb_elf_check_phdrs(const Elf64_Ehdr *eh,
						 const Elf64_Phdr *ph,
						 uint64_t fsize, uint64_t page,
						 bool need_phdr,
						 struct kb_elf_layout *l)
{
	uint64_t phsize = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), end;
	unsigned int i, j;

	/* Field by field: a struct copy may become a memset() call. */
	l->lo = UINT64_MAX;
	l->hi = 0;
	l->align = page;
	l->phdr_vaddr = 0;
	l->lo_i = l->hi_i = l->loads = 0;
	l->interp = -1;
	l->has_phdr = false;
	l->exec_stack = false;
	l->bad_i = l->bad_j = 0;
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];

		l->bad_i = i;
		switch (p->p_type) {
		case PT_LOAD:
			if (!p->p_memsz)
				break;
			if (p->p_filesz > p->p_memsz)
				return KB_ELF_LOAD_FILESZ;
			if (p->p_offset > fsize || p->p_filesz > fsize - p->p_offset)
				return KB_ELF_LOAD_PAST_EOF;
			if (p->p_vaddr >= KB_ELF_TASK_SIZE ||
			    p->p_memsz > KB_ELF_TASK_SIZE - p->p_vaddr)
				return KB_ELF_LOAD_RANGE;
			if ((p->p_vaddr - p->p_offset) & (page - 1))
				return KB_ELF_LOAD_MODULO;
			if (p->p_align & (p->p_align - 1))
				return KB_ELF_LOAD_ALIGN;
			for (j = 0; j < i; j++) {
				const Elf64_Phdr *q = &ph[j];

				l->bad_j = j;
				if (q->p_type == PT_LOAD && q->p_memsz &&
				    p->p_vaddr < q->p_vaddr + q->p_memsz &&
				    q->p_vaddr < p->p_vaddr + p->p_memsz)
					return KB_ELF_LOAD_OVERLAP;
			}
			if (p->p_align > l->align && p->p_align <= KB_ELF_MAX_ALIGN)
				l->align = p->p_align;
			if ((p->p_vaddr & ~(page - 1)) < l->lo) {
				l->lo = p->p_vaddr & ~(page - 1);
				l->lo_i = i;
			}
			end = (p->p_vaddr + p->p_memsz + page - 1) & ~(page - 1);
			if (end > l->hi) {
				l->hi = end;
				l->hi_i = i;
			}
			l->loads++;
			break;
		case PT_INTERP:
			if (l->interp >= 0) {
				l->bad_j = (unsigned int)l->interp;
				return KB_ELF_INTERP_TWICE;
			}
			if (p->p_filesz < 2 || p->p_filesz > KB_ELF_INTERP_MAX)
				return KB_ELF_INTERP_SIZE;
			if (p->p_offset > fsize || p->p_filesz > fsize - p->p_offset)
				return KB_ELF_INTERP_PAST_EOF;
			l->interp = (int)i;
			break;
		case PT_PHDR:
			l->phdr_vaddr = p->p_vaddr;
			l->has_phdr = true;
			break;
		case PT_GNU_STACK:
			l->exec_stack = p->p_flags & PF_X;
			break;
		}
	}
	if (!l->loads)
		return KB_ELF_NO_LOAD;
	if (eh->e_type == ET_EXEC && l->lo < page) {
		l->bad_i = l->lo_i;
		return KB_ELF_LOAD_AT_0;
	}
	if (eh->e_entry < l->lo || eh->e_entry >= l->hi)
		return KB_ELF_ENTRY;
	/* Where AT_PHDR points: PT_PHDR, or the PT_LOAD holding e_phoff. */
	for (i = 0; !l->has_phdr && i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];

		if (p->p_type == PT_LOAD && p->p_offset <= eh->e_phoff &&
		    eh->e_phoff - p->p_offset <= p->p_filesz &&
		    phsize <= p->p_filesz - (eh->e_phoff - p->p_offset)) {
			l->phdr_vaddr = p->p_vaddr + (eh->e_phoff - p->p_offset);
			l->has_phdr = true;
		}
	}
	if (need_phdr && !l->has_phdr)
		return KB_ELF_PHDRS_NOT_LOADED;
	return KB_ELF_OK;
}

#endif /* KB_ELFCHECK_H */
