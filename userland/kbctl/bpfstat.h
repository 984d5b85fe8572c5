/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbctl stats and kbctl top: the pinned maps of bpf/kbstat.bpf.c, read
 * (bpfstat.c), loaded and unloaded (bpfstat_load.c).
 */
#ifndef KBCTL_BPFSTAT_H
#define KBCTL_BPFSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <argp.h>

#include <linux/types.h>
#include "kbstat.h"

/* Which counters a snapshot reads: the whole machine, a session, a process. */
enum kbs_scope_kind { KBS_ALL, KBS_SESSION, KBS_PID };

struct kbs_scope {
	enum kbs_scope_kind kind;
	uint64_t session;
	pid_t pid;
};

/* One (syscall, tier, action, path) of the scope, summed over the CPUs. */
struct kbs_row {
	uint32_t nr;
	uint16_t tier;
	uint8_t action;
	uint8_t fastpath;
	uint64_t count;
};

struct kbs_snap {
	struct kbs_row *rows;
	size_t n;
	uint64_t total;		/* sum of the rows */
	uint64_t kernel;	/* of which decided on the fast path */
	uint64_t drops[KBSTAT_NR_DROPS];
	/*
	 * io_uring operations per opcode (all sessions, or the session);
	 * @uring_counted false: a load or a module without them, or a PID
	 * scope (they are not kept per process).
	 */
	bool uring_counted;
	uint64_t uring[KB_URING_OPS];
};

/* File descriptors of the pinned maps, and what the load counts. */
struct kbs_maps {
	int tier, session, pid, drops;
	int uring, uring_session;	/* -1: a load without them */
	bool uring_attached;		/* the module had the tracepoint */
	uint32_t scopes;	/* enum kbstat_scope bits */
};

/*
 * Open the maps pinned under KBSTAT_PIN_DIR; prints why not (not loaded,
 * not permitted) and returns -1.
 */
int kbs_open(struct kbs_maps *m);
void kbs_close(struct kbs_maps *m);
/* One snapshot of @scope; -errno (message printed) on failure. */
int kbs_read(const struct kbs_maps *m, const struct kbs_scope *scope,
	     struct kbs_snap *s);
void kbs_free(struct kbs_snap *s);
/* Order of rows by (nr, tier, action, path), as in the maps' keys. */
int kbs_row_cmp(const struct kbs_row *x, const struct kbs_row *y);

/*
 * The name of a row's syscall, malloc'd. tier_hits (scope KBS_ALL) counts
 * every number from KBSTAT_SLOT_OUT_OF_RANGE up in that one slot: its
 * row has nr KBSTAT_SLOT_OUT_OF_RANGE and the name KBS_OUT_OF_RANGE.
 */
#define KBS_OUT_OF_RANGE "out_of_range"
char *kbs_row_name(const struct kbs_scope *scope, uint32_t nr);
/*
 * Decisions the scope's map did not count: for KBS_ALL, those with a
 * (tier, action) pair tier_hits has no field for (the array never fills).
 */
uint64_t kbs_dropped(const struct kbs_snap *s, const struct kbs_scope *scope);

/* "kernel" (in-kernel fast path) or "sigsys" (SIGSYS and KB_IOC_SYSCALL) */
const char *kbs_path_name(bool fastpath);
/* "all sessions", "session 3", "PID 1234" */
void kbs_scope_describe(const struct kbs_scope *scope, char *buf, size_t len);
/* "global,session,pid" of enum kbstat_scope bits */
void kbs_scopes_describe(uint32_t scopes, char *buf, size_t len);
/* -s/--session S and the PID argument of stats and top, for argp. */
error_t kbs_parse_scope(int key, char *arg, struct argp_state *state,
			struct kbs_scope *scope);
/* The session number of --session; false (message printed) when invalid. */
bool kbs_parse_session(const char *s, uint64_t *session);

/* The comma list of --scope (global, session, pid) into enum kbstat_scope
 * bits; false when a word is none of them. */
bool kbs_parse_scopes(const char *arg, uint32_t *out);

/* Where the pins are, and which. */
#define KBS_BPFFS	"/sys/fs/bpf"
#define KBS_NMAPS	4
#define KBS_NURING	2
/* The program's read-only data: what it was loaded to count. */
#define KBS_CONFIG_PIN	"config"
extern const char *const kbs_pinned_maps[KBS_NMAPS];
extern const char *const kbs_uring_maps[KBS_NURING];
/* KBSTAT_PIN_DIR/@name into @buf. */
void kbs_pin_path(char *buf, size_t len, const char *name);
/* The enum kbstat_scope bits the loaded program counts (all when its
 * read-only data cannot be read). */
uint32_t kbs_read_scopes(void);

/* --bpf load, unload, status: 0 or KBCTL_EXIT_FAIL, said on stderr. */
int kbs_bpf_load(uint32_t scopes);
int kbs_bpf_unload(void);
int kbs_bpf_status(void);
/* libbpf's own messages on stderr (kbctl stats -v), or none. */
void kbs_libbpf_verbose(bool verbose);

#endif /* KBCTL_BPFSTAT_H */
