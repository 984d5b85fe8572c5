/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbridge: exec rules, private to the files that implement them.
 *
 *  exec_match.c  what a rule looks at in an exec's file (path, ELF
 *                header, notes), read once per exec, and the match
 *  exec_rules.c  the rule table, its lock and its counters
 *  exec_watch.c  the binary handler and the task work that put an exec
 *                under its rule, or redirect it to the rule's command
 *  exec_ioctl.c  KB_IOC_EXEC_RULE_ADD, _DEL and _LIST
 *
 * The rest of the module sees internal.h's kb_exec_* functions only.
 */
#ifndef _KBRIDGE_EXEC_H
#define _KBRIDGE_EXEC_H

#include <linux/atomic.h>
#include <linux/path.h>
#include <linux/percpu-rwsem.h>

#include "internal.h"

/**
 * struct kb_exec_rule - one KB_IOC_EXEC_RULE_ADD
 * @node:    in kb_exec_rules, in the order added
 * @id:      KB_IOC_EXEC_RULE_DEL's handle
 * @match:   KB_EXEC_MATCH_*
 * @osabi:   KB_EXEC_MATCH_OSABI's value
 * @global:  KB_EXEC_GLOBAL: execs of every user namespace
 * @userns:  else, the only user namespace whose execs it sees (held)
 * @glob:    KB_EXEC_MATCH_PATH's pattern, or KB_EXEC_MATCH_NOTE's note
 *           name, NUL-terminated
 * @name:    its personality's name
 * @s:       the session its programs join; NULL for a KB_EXEC_RUNTIME rule
 * @cmd:     KB_EXEC_RUNTIME: the command, NUL-terminated arguments
 * @cmd_len: bytes at @cmd
 * @cmd_argc: arguments at @cmd
 * @launcher: the command's file as it was when the rule was added
 * @execs:   execs it matched
 */
struct kb_exec_rule {
	struct list_head node;
	u64 id;
	u32 match;
	u32 osabi;
	bool global;
	struct user_namespace *userns;
	char *glob;
	char name[KB_EXEC_NAME_MAX + 1];
	struct kb_session *s;
	char *cmd;
	u32 cmd_len;
	u32 cmd_argc;
	struct path launcher;
	atomic64_t execs;
};

/* Sections and bytes of notes looked at, at most: bounded work per exec. */
#define KB_NOTE_SECTIONS	64
#define KB_NOTE_BYTES		4096
/* Arguments of a KB_EXEC_RUNTIME command, at most. */
#define KB_EXEC_RUNTIME_ARGS	64

/**
 * struct kb_exec_image - what an exec's rules are matched against, read
 *                        once for all of them
 * @file:   the program's file
 * @path:   its absolute path, or NULL when it has none (deleted, too long)
 * @script: the absolute path of the script (or other file run through an
 *          interpreter) that the exec named, or NULL
 * @osabi:  its ELF header's EI_OSABI, or -1 when it is no ELF file
 * @notes:  its SHT_NOTE sections, each at a 4-aligned offset, or NULL
 * @nsect:  how many of them
 * @start:  where each starts in @notes
 * @len:    and how long it is
 */
struct kb_exec_image {
	struct file *file;
	const char *path;
	const char *script;
	int osabi;
	u8 *notes;
	u32 nsect;
	u16 start[KB_NOTE_SECTIONS];
	u16 len[KB_NOTE_SECTIONS];
};

/* exec_match.c */
void kb_exec_image_get(struct kb_exec_image *img, struct file *file,
		       char *buf, bool notes);
void kb_exec_image_put(struct kb_exec_image *img);
bool kb_exec_matches(const struct kb_exec_rule *r,
		     const struct kb_exec_image *img);
const char *kb_exec_script_path(const char *name, char *buf);

/* exec_rules.c */
extern struct percpu_rw_semaphore kb_exec_rwsem;
extern struct list_head kb_exec_rules;
extern atomic_t kb_exec_nr_rules, kb_exec_nr_runtime, kb_exec_nr_notes;
bool kb_exec_may(const struct kb_exec_rule *r);
struct kb_exec_rule *kb_exec_find(const struct kb_exec_image *img,
				  bool runtime);
bool kb_exec_is_command(const struct kb_exec_rule *r, const struct file *file);
bool kb_exec_is_launcher(struct file *file);
void kb_exec_rule_insert(struct kb_exec_rule *r);
struct kb_exec_rule *kb_exec_rule_remove(u64 id);
void kb_exec_rule_free(struct kb_exec_rule *r);
void kb_exec_count_lookup(u64 start_ns);
void kb_exec_count_redirect(void);

#endif /* _KBRIDGE_EXEC_H */
