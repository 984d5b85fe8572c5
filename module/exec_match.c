// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: what an exec rule looks at in the file an exec runs, and the
 * match. The file is named and read once per exec, for all the rules: its
 * path (and the script's, for a file run through an interpreter), its ELF
 * header's EI_OSABI and, when some rule needs them, its SHT_NOTE
 * sections, within fixed bounds.
 */
#include <linux/cred.h>
#include <linux/elf.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/slab.h>

#include "exec.h"

/*
 * Reads the SHT_NOTE sections of @img->file, whose ELF header is @eh, as
 * many as fit, into @img->notes.
 */
static void kb_exec_read_notes(struct kb_exec_image *img,
			       const Elf64_Ehdr *eh)
{
	Elf64_Shdr *sh = NULL;
	u32 i, used = 0;
	loff_t pos;

	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shentsize != sizeof(*sh) || !eh->e_shnum ||
	    eh->e_shnum > KB_NOTE_SECTIONS)
		return;
	sh = kmalloc_array(eh->e_shnum, sizeof(*sh), GFP_KERNEL);
	img->notes = kmalloc(KB_NOTE_BYTES, GFP_KERNEL);
	pos = eh->e_shoff;
	if (!sh || !img->notes ||
	    kernel_read(img->file, sh, eh->e_shnum * sizeof(*sh), &pos) !=
	    eh->e_shnum * sizeof(*sh))
		goto out;
	for (i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_NOTE ||
		    sh[i].sh_size > KB_NOTE_BYTES - used)
			continue;
		pos = sh[i].sh_offset;
		if (kernel_read(img->file, img->notes + used, sh[i].sh_size,
				&pos) != sh[i].sh_size)
			continue;
		img->start[img->nsect] = used;
		img->len[img->nsect++] = sh[i].sh_size;
		used = ALIGN(used + sh[i].sh_size, 4);
		if (used >= KB_NOTE_BYTES)
			break;
	}
out:
	kfree(sh);
}

/* Has @img a note named @name whose description is the string @desc? */
static bool kb_exec_has_note(const struct kb_exec_image *img,
			     const char *name, const char *desc)
{
	size_t nlen = strlen(name) + 1, dlen = strlen(desc);
	u32 i, off, size;

	for (i = 0; i < img->nsect; i++) {
		const u8 *sect = img->notes + img->start[i];

		size = img->len[i];
		/* Each note: namesz, descsz, type, then both, 4-aligned. */
		for (off = 0; off + sizeof(Elf64_Nhdr) <= size;) {
			const Elf64_Nhdr *nh = (const Elf64_Nhdr *)(sect + off);
			u32 n = ALIGN(nh->n_namesz, 4), d = ALIGN(nh->n_descsz, 4);
			const char *nm = (const char *)(nh + 1);

			if (n < nh->n_namesz || d < nh->n_descsz ||
			    n + d > size - off - sizeof(*nh))
				break;
			if (nh->n_namesz == nlen && !memcmp(nm, name, nlen) &&
			    nh->n_descsz >= dlen && nh->n_descsz <= dlen + 1 &&
			    !memcmp(nm + n, desc, dlen) &&
			    (nh->n_descsz == dlen || !nm[n + dlen]))
				return true;
			off += sizeof(*nh) + n + d;
		}
	}
	return false;
}

/*
 * Names @file and reads what rules look at; @buf: PATH_MAX bytes or NULL;
 * @notes: some rule reads notes.
 * kb_exec_image_put() frees what this allocated.
 */
void kb_exec_image_get(struct kb_exec_image *img, struct file *file,
		       char *buf, bool notes)
{
	loff_t pos = 0;
	Elf64_Ehdr eh;
	ssize_t n;

	img->file = file;
	img->path = NULL;
	img->script = NULL;
	img->osabi = -1;
	img->nsect = 0;
	img->notes = NULL;
	if (buf) {
		img->path = d_path(&file->f_path, buf, PATH_MAX);
		if (IS_ERR(img->path))
			img->path = NULL;
	}
	/* One read of the header serves EI_OSABI and the notes. */
	n = kernel_read(file, &eh, sizeof(eh), &pos);
	if (n < EI_NIDENT || memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return;
	img->osabi = eh.e_ident[EI_OSABI];
	if (n == sizeof(eh) && notes)
		kb_exec_read_notes(img, &eh);
}

void kb_exec_image_put(struct kb_exec_image *img)
{
	kfree(img->notes);
}

bool kb_exec_matches(const struct kb_exec_rule *r,
		     const struct kb_exec_image *img)
{
	if (!r->global && r->userns != current_user_ns())
		return false;
	switch (r->match) {
	case KB_EXEC_MATCH_PATH:
		return (img->path && kb_glob_match(r->glob, img->path)) ||
		       (img->script && kb_glob_match(r->glob, img->script));
	case KB_EXEC_MATCH_OSABI:
		return img->osabi == (int)r->osabi;
	case KB_EXEC_MATCH_NOTE:
		return kb_exec_has_note(img, r->glob, r->name);
	}
	return false;
}

/*
 * The absolute path of @name, which the exec that just succeeded looked
 * up from the same working directory, into @buf (PATH_MAX); NULL when it
 * cannot be found again.
 */
const char *kb_exec_script_path(const char *name, char *buf)
{
	const char *ret = NULL;
	struct path p;

	if (!buf || kern_path(name, LOOKUP_FOLLOW, &p))
		return NULL;
	ret = d_path(&p, buf, PATH_MAX);
	path_put(&p);
	return IS_ERR(ret) ? NULL : ret;
}
