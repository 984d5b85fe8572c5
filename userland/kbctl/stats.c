// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl stats: the eBPF tier counters of bpf/kbstat.bpf.c.
 *
 *   kbctl stats --bpf load|unload|status   manage the program and its pins
 *   kbctl stats [--json] [PID | --session S]   one snapshot of the counts
 *
 * The program, its maps and its link are pinned under KBSTAT_PIN_DIR, so
 * counting goes on after kbctl exits and any tool (bpftool, kbctl top)
 * can read the maps; the pins are the only state, which is why "loaded"
 * means "the directory exists".
 */
#define _GNU_SOURCE
#include <argp.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <linux/magic.h>

#include "kbctl.h"
#include "bpfstat.h"
#include "kbstat.skel.h"
#include "../lib/json.h"
#include "../lib/names.h"

#define BPFFS		"/sys/fs/bpf"

/* The pinned objects, in the order load creates them. */
static const char *const pinned_maps[] = {
	"tier_hits", "session_hits", "pid_hits", "drops",
};
/* The program's read-only data: what it was loaded to count. */
#define CONFIG_PIN	"config"
/* io_uring counters: pinned when the module has kbridge_uring_op. */
static const char *const uring_maps[] = { "uring_hits", "uring_session_hits" };
#define NURING (sizeof(uring_maps) / sizeof(uring_maps[0]))

static const char *const scope_names[] = { "global", "session", "pid" };

#define NMAPS (sizeof(pinned_maps) / sizeof(pinned_maps[0]))

enum bpf_op { OP_NONE, OP_LOAD, OP_UNLOAD, OP_STATUS };

struct stats_opts {
	enum bpf_op op;
	bool json;
	bool verbose;
	struct kbs_scope scope;
	uint32_t load_scopes;	/* --scope, for --bpf load */
};

static const char doc[] =
"Per-syscall counts of kbridge.ko's tier decisions, kept by an eBPF program "
"attached to the module's kbridge_decisions tracepoint: one row per "
"(syscall, tier, action, path), path being 'kernel' (decided at syscall "
"entry, no signal) or 'sigsys' (SIGSYS and KB_IOC_SYSCALL). The module "
"reports a process's identical decisions in a row together: a busy "
"process's counts arrive within ~20 ms, a blocked one's all but its "
"blocking call, an exited one's all.\n"
"\n"
"  --bpf load     attach the program; pin it and its maps in\n"
"                 " KBSTAT_PIN_DIR ": counting goes on after kbctl exits\n"
"  --bpf unload   remove the pins: counting stops, the counts are gone\n"
"  --bpf status   loaded or not, the program and map ids, map entries\n"
"Without --bpf: one snapshot of the counts, for every session, for "
"--session S (the id 'kblaunch -v' and 'kbctl ps' print), for the programs "
"of --rule ID (an exec rule's session) or for the process PID (its "
"threads included, its children not).\n"
"\n"
"EXAMPLES:\n"
"  kbctl stats --bpf load\n"
"  kbctl stats --bpf load --scope global   the cheapest: no per-session or\n"
"                                   per-process counts\n"
"  kbctl stats                      every session since the load\n"
"  kbctl stats --session 3 --json\n"
"  kbctl stats 1234\n"
"  kbctl stats --rule 2\n"
"  bpftool map dump pinned " KBSTAT_PIN_DIR "/tier_hits\n"
"  kbctl stats --bpf unload"
"\v"
"Loading needs root (CAP_BPF and CAP_PERFMON) and a bpf filesystem on "
BPFFS " (kbctl mounts one there when none is). While loaded, the program "
"holds a reference to kbridge.ko: 'kbctl stats --bpf unload' before rmmod. "
"Exit status: 0, or 1 on any error.";

static const struct argp_option options[] = {
	{ "bpf", 'b', "load|unload|status", 0,
	  "Load, unload or show the eBPF counters", 0 },
	{ "session", 's', "S", 0, "Only the session with id S", 0 },
	{ "rule", 'r', "ID", 0,
	  "Only the programs of exec rule ID (its session; kbctl rule list)", 0 },
	{ "scope", 'S', "LIST", 0,
	  "With --bpf load: what to count, a comma list of global (tier_hits), "
	  "session (session_hits), pid (pid_hits); default all three. global "
	  "is the cheapest (an array by syscall number); session and pid cost "
	  "one hash update each per reported run of decisions", 0 },
	{ "json", 'j', NULL, 0, "Print JSON (schema in docs/kbctl.md)", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's messages", 0 },
	{ 0 }
};

error_t kbs_parse_scope(int key, char *arg, struct argp_state *state,
			struct kbs_scope *scope)
{
	if (key == 's' || key == 'r') {
		if (scope->kind != KBS_ALL)
			argp_error(state, "give one PID, --session or --rule");
		if (key == 's' ? !kbs_parse_session(arg, &scope->session) :
		    kbctl_rule_session(arg, &scope->session))
			exit(KBCTL_EXIT_FAIL);
		scope->kind = KBS_SESSION;
		return 0;
	}
	if (key != ARGP_KEY_ARG)
		return ARGP_ERR_UNKNOWN;
	if (state->arg_num >= 1)
		argp_error(state, "one PID at most");
	if (scope->kind == KBS_SESSION)
		argp_error(state, "give one PID, --session or --rule");
	scope->pid = kbctl_parse_pid(arg);
	if (scope->pid < 0)
		exit(KBCTL_EXIT_FAIL);
	scope->kind = KBS_PID;
	return 0;
}

void kbs_scopes_describe(uint32_t scopes, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(scope_names) / sizeof(scope_names[0]); i++) {
		if (!(scopes & (1u << i)))
			continue;
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%s",
				off ? "," : "", scope_names[i]);
	}
}

static bool parse_scopes(const char *arg, uint32_t *out)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	bool ok = copy != NULL;
	size_t i;

	*out = 0;
	for (tok = ok ? strtok_r(copy, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(scope_names) / sizeof(scope_names[0]); i++)
			if (!strcmp(tok, scope_names[i]))
				break;
		if (i == sizeof(scope_names) / sizeof(scope_names[0])) {
			ok = false;
			break;
		}
		*out |= 1u << i;
	}
	free(copy);
	return ok && *out;
}

bool kbs_parse_session(const char *s, uint64_t *session)
{
	if (kbctl_parse_id(s, session))
		return true;
	kbctl_err("'%s' is not a session id", s);
	return false;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct stats_opts *o = state->input;

	switch (key) {
	case 'b':
		if (!strcmp(arg, "load"))
			o->op = OP_LOAD;
		else if (!strcmp(arg, "unload"))
			o->op = OP_UNLOAD;
		else if (!strcmp(arg, "status"))
			o->op = OP_STATUS;
		else
			argp_error(state, "--bpf takes load, unload or status, not '%s'",
				   arg);
		break;
	case 's':
	case 'r':
	case ARGP_KEY_ARG:
		return kbs_parse_scope(key, arg, state, &o->scope);
	case 'S':
		if (!parse_scopes(arg, &o->load_scopes))
			argp_error(state, "--scope takes a comma list of global, session, pid, not '%s'",
				   arg);
		break;
	case 'j':
		o->json = true;
		break;
	case 'v':
		o->verbose = true;
		break;
	case ARGP_KEY_END:
		if (o->op != OP_NONE && (o->scope.kind != KBS_ALL || o->json))
			argp_error(state, "--bpf takes no PID, --session, --rule or --json");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* ---- names ---- */

const char *kbs_path_name(bool fastpath)
{
	return fastpath ? "kernel" : "sigsys";
}

void kbs_scope_describe(const struct kbs_scope *scope, char *buf, size_t len)
{
	switch (scope->kind) {
	case KBS_ALL:
		snprintf(buf, len, "all sessions");
		break;
	case KBS_SESSION:
		snprintf(buf, len, "session %" PRIu64, scope->session);
		break;
	case KBS_PID:
		snprintf(buf, len, "PID %d", (int)scope->pid);
		break;
	}
}

/* ---- reading the pinned maps ---- */

static void pin_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", KBSTAT_PIN_DIR, name);
}

static void not_loaded(void)
{
	kbctl_err("the eBPF counters are not loaded (no %s): kbctl stats --bpf load",
		  KBSTAT_PIN_DIR);
}

static int open_pinned(const char *name)
{
	char path[256];
	int fd;

	pin_path(path, sizeof(path), name);
	fd = bpf_obj_get(path);
	if (fd >= 0)
		return fd;
	/* libbpf returns -errno and sets errno; either reaches us. */
	if (errno == ENOENT)
		not_loaded();
	else if (errno == EPERM || errno == EACCES)
		kbctl_err("not permitted to read %s (root or CAP_BPF needed)", path);
	else
		kbctl_err("%s: %s", path, strerror(errno));
	return -1;
}

/* What the loaded program counts: its read-only data, pinned by load. */
static uint32_t read_scopes(void)
{
	char path[256];
	__u32 zero = 0;
	uint32_t v = KBSTAT_SCOPE_ALL;
	void *buf;
	int fd;

	pin_path(path, sizeof(path), CONFIG_PIN);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return KBSTAT_SCOPE_ALL;
	/* 'scopes' is the program's only read-only variable: offset 0. */
	buf = calloc(1, 4096);
	if (buf && !bpf_map_lookup_elem(fd, &zero, buf))
		memcpy(&v, buf, sizeof(v));
	free(buf);
	close(fd);
	return v;
}

/* A pin that may be missing (an older load): its fd, or -1 quietly. */
static int open_optional(const char *name)
{
	char path[256];

	pin_path(path, sizeof(path), name);
	return bpf_obj_get(path);
}

int kbs_open(struct kbs_maps *m)
{
	char path[256];

	m->uring = open_optional(uring_maps[0]);
	m->uring_session = open_optional(uring_maps[1]);
	pin_path(path, sizeof(path), KBSTAT_URING_LINK_NAME);
	m->uring_attached = !access(path, F_OK);
	m->tier = open_pinned("tier_hits");
	m->session = m->tier < 0 ? -1 : open_pinned("session_hits");
	m->pid = m->session < 0 ? -1 : open_pinned("pid_hits");
	m->drops = m->pid < 0 ? -1 : open_pinned("drops");
	if (m->drops < 0) {
		kbs_close(m);
		return -1;
	}
	m->scopes = read_scopes();
	return 0;
}

void kbs_close(struct kbs_maps *m)
{
	int *fds[] = { &m->tier, &m->session, &m->pid, &m->drops,
		       &m->uring, &m->uring_session };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

void kbs_free(struct kbs_snap *s)
{
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

static uint64_t sum_cpus(const uint64_t *v, int ncpus)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < ncpus; i++)
		sum += v[i];
	return sum;
}

static int add_row(struct kbs_snap *s, size_t *cap, uint32_t nr, uint16_t tier,
		   uint8_t action, uint8_t fastpath, uint64_t count)
{
	struct kbs_row *r;

	if (s->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;

		r = realloc(s->rows, ncap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		s->rows = r;
		*cap = ncap;
	}
	s->rows[s->n++] = (struct kbs_row){
		.nr = nr, .tier = tier, .action = action,
		.fastpath = fastpath, .count = count,
	};
	s->total += count;
	if (fastpath)
		s->kernel += count;
	return 0;
}

/*
 * tier_hits: every slot of the array, each field that counted something
 * one row. The values are per CPU, each CPU's struct padded to 8 bytes,
 * which kbstat_counts already is.
 */
static int read_global(int fd, int ncpus, struct kbs_snap *s, size_t *cap)
{
	static const struct { uint16_t tier; uint8_t action; } pair[] = {
#define KBSTAT_PAIR(name, t, a) { t, a },
		KBSTAT_FIELDS(KBSTAT_PAIR)
#undef KBSTAT_PAIR
	};
	struct kbstat_counts *vals;
	uint32_t slot;
	int c, f, fp, err = 0;

	_Static_assert(KBSTAT_SLOT_OUT_OF_RANGE == KB_NR_SYSCALLS,
		       "tier_hits has one slot per number of the module's table");
	_Static_assert(sizeof(pair) / sizeof(pair[0]) == KBSTAT_NR_FIELDS,
		       "one (tier, action) per kbstat_counts field");
	_Static_assert(sizeof(struct kbstat_counts) ==
		       KBSTAT_NR_FIELDS * 2 * sizeof(__u64),
		       "kbstat_counts is KBSTAT_FIELDS, two paths each");
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (slot = 0; !err && slot < KBSTAT_NR_SLOTS; slot++) {
		uint64_t sum[KBSTAT_NR_FIELDS][2] = { { 0 } };

		if (bpf_map_lookup_elem(fd, &slot, vals)) {
			err = -errno;
			break;
		}
		for (c = 0; c < ncpus; c++) {
			const __u64 *v = (const __u64 *)&vals[c];

			for (f = 0; f < KBSTAT_NR_FIELDS; f++)
				for (fp = 0; fp < 2; fp++)
					sum[f][fp] += v[f * 2 + fp];
		}
		for (f = 0; !err && f < KBSTAT_NR_FIELDS; f++)
			for (fp = 0; !err && fp < 2; fp++)
				if (sum[f][fp])
					err = add_row(s, cap, slot, pair[f].tier,
						      pair[f].action, fp,
						      sum[f][fp]);
	}
	free(vals);
	return err;
}

/*
 * The io_uring counts of @scope into @s (@vals: room for one per-CPU
 * value). Only where the load has them and the module fired them.
 */
static int read_uring(const struct kbs_maps *m, const struct kbs_scope *scope,
		      int ncpus, uint64_t *vals, struct kbs_snap *s)
{
	struct kbstat_uring_key key;
	uint32_t op;

	if (!m->uring_attached || m->uring < 0 || m->uring_session < 0 ||
	    scope->kind == KBS_PID)
		return 0;
	for (op = 0; op < KB_URING_OPS; op++) {
		if (scope->kind == KBS_ALL) {
			if (bpf_map_lookup_elem(m->uring, &op, vals))
				return -errno;
		} else {
			memset(&key, 0, sizeof(key));
			key.session = scope->session;
			key.opcode = op;
			if (bpf_map_lookup_elem(m->uring_session, &key, vals)) {
				if (errno != ENOENT)
					return -errno;
				continue;
			}
		}
		s->uring[op] = sum_cpus(vals, ncpus);
	}
	s->uring_counted = true;
	return 0;
}

/*
 * Walk one hash with get_next_key: a key deleted between two calls makes
 * the walk start over from the first key, which no key here ever is
 * (nothing deletes), so each key is seen once.
 */
int kbs_read(const struct kbs_maps *m, const struct kbs_scope *scope,
	     struct kbs_snap *s)
{
	union {
		struct kbstat_session_key s;
		struct kbstat_pid_key p;
	} key, next;
	int ncpus = libbpf_num_possible_cpus();
	const void *prev = NULL;
	uint64_t *vals;
	size_t cap = 0;
	uint32_t i, want;
	int fd, err = 0;

	memset(s, 0, sizeof(*s));
	want = scope->kind == KBS_ALL ? KBSTAT_SCOPE_GLOBAL :
	       scope->kind == KBS_SESSION ? KBSTAT_SCOPE_SESSION :
					    KBSTAT_SCOPE_PID;
	if (!(m->scopes & want)) {
		char had[64];

		kbs_scopes_describe(m->scopes, had, sizeof(had));
		kbctl_err("the eBPF counters were loaded with --scope %s: they keep no %s counts",
			  had, want == KBSTAT_SCOPE_GLOBAL ? "global" :
			  want == KBSTAT_SCOPE_SESSION ? "per-session" :
			  "per-process");
		return -ENOENT;
	}
	if (ncpus <= 0) {
		kbctl_err("cannot count the possible CPUs: %s", strerror(-ncpus));
		return ncpus ? ncpus : -EINVAL;
	}
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	fd = scope->kind == KBS_SESSION ? m->session : m->pid;
	memset(&key, 0, sizeof(key));
	memset(&next, 0, sizeof(next));
	if (scope->kind == KBS_ALL)
		err = read_global(m->tier, ncpus, s, &cap);
	while (scope->kind != KBS_ALL && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals)) {
			if (errno == ENOENT)
				continue;
			err = -errno;
			break;
		}
		if (scope->kind == KBS_SESSION) {
			if (key.s.session != scope->session)
				continue;
			err = add_row(s, &cap, key.s.nr, key.s.tier, key.s.action,
				      key.s.fastpath, sum_cpus(vals, ncpus));
		} else {
			if (key.p.tgid != (uint32_t)scope->pid)
				continue;
			err = add_row(s, &cap, key.p.nr, key.p.tier, key.p.action,
				      key.p.fastpath, sum_cpus(vals, ncpus));
		}
		if (err)
			break;
	}
	if (!err && scope->kind != KBS_ALL && errno != ENOENT)
		err = -errno;
	for (i = 0; !err && i < KBSTAT_NR_DROPS; i++) {
		if (bpf_map_lookup_elem(m->drops, &i, vals))
			err = -errno;
		else
			s->drops[i] = sum_cpus(vals, ncpus);
	}
	if (!err)
		err = read_uring(m, scope, ncpus, vals, s);
	free(vals);
	if (err) {
		kbctl_err("reading the eBPF maps in %s: %s", KBSTAT_PIN_DIR,
			  strerror(-err));
		kbs_free(s);
	}
	return err;
}

char *kbs_row_name(const struct kbs_scope *scope, uint32_t nr)
{
	if (scope->kind == KBS_ALL && nr == KBSTAT_SLOT_OUT_OF_RANGE)
		return strdup(KBS_OUT_OF_RANGE);
	return kb_syscall_name(nr);
}

uint64_t kbs_dropped(const struct kbs_snap *s, const struct kbs_scope *scope)
{
	switch (scope->kind) {
	case KBS_ALL:
		return s->drops[KBSTAT_DROP_TIER] + s->drops[KBSTAT_DROP_BAD];
	case KBS_SESSION:
		return s->drops[KBSTAT_DROP_SESSION];
	case KBS_PID:
		break;
	}
	return s->drops[KBSTAT_DROP_PID];
}

/* ---- the snapshot ---- */

int kbs_row_cmp(const struct kbs_row *x, const struct kbs_row *y)
{
	if (x->nr != y->nr)
		return x->nr < y->nr ? -1 : 1;
	if (x->tier != y->tier)
		return x->tier - y->tier;
	if (x->action != y->action)
		return x->action - y->action;
	return x->fastpath - y->fastpath;
}

static int by_count(const void *a, const void *b)
{
	const struct kbs_row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return kbs_row_cmp(x, y);
}

static int by_nr(const void *a, const void *b)
{
	return kbs_row_cmp(a, b);
}

static int print_text(const struct kbs_snap *s, const struct kbs_scope *scope)
{
	char what[64], op[24];
	size_t i;

	kbs_scope_describe(scope, what, sizeof(what));
	qsort(s->rows, s->n, sizeof(*s->rows), by_count);
	printf("eBPF tier counters, %s\n", what);
	printf("%-20s %5s %-8s %-6s %-6s %14s\n", "SYSCALL", "NR", "TIER",
	       "ACTION", "PATH", "COUNT");
	for (i = 0; i < s->n; i++) {
		const struct kbs_row *r = &s->rows[i];
		char *name = kbs_row_name(scope, r->nr);

		if (!name)
			return -ENOMEM;
		printf("%-20s %5" PRIu32 " %-8s %-6s %-6s %14" PRIu64 "\n", name,
		       r->nr, kb_tier_name(r->tier), kb_action_name(r->action),
		       kbs_path_name(r->fastpath), r->count);
		free(name);
	}
	printf("total %" PRIu64 ": kernel %" PRIu64 ", sigsys %" PRIu64
	       "; dropped %" PRIu64 "\n", s->total, s->kernel,
	       s->total - s->kernel, kbs_dropped(s, scope));
	if (!s->uring_counted)
		return 0;
	printf("%-20s %5s %14s\n", "IO_URING OP", "OP", "COUNT");
	for (i = 0; i < KB_URING_OPS; i++)
		if (s->uring[i])
			printf("%-20s %5zu %14" PRIu64 "\n",
			       kb_uring_name((unsigned int)i, op, sizeof(op)),
			       i, s->uring[i]);
	return 0;
}

static int print_json(const struct kbs_snap *s, const struct kbs_scope *scope)
{
	static const char *const scope_names[] = { "all", "session", "pid" };
	struct json_object *o, *t = NULL, *d = NULL, *a = NULL;
	char op[24];
	size_t i;
	bool ok;
	int err;

	qsort(s->rows, s->n, sizeof(*s->rows), by_nr);
	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	ok = kb_json_add(o, "source", json_object_new_string("bpf")) &&
	     kb_json_add(o, "pin_dir", json_object_new_string(KBSTAT_PIN_DIR)) &&
	     kb_json_add(o, "scope", json_object_new_string(scope_names[scope->kind]));
	if (ok && scope->kind == KBS_SESSION)
		ok = kb_json_add(o, "session", json_object_new_uint64(scope->session));
	if (ok && scope->kind == KBS_PID)
		ok = kb_json_add(o, "pid", json_object_new_int64(scope->pid));
	ok = ok && (t = json_object_new_object()) && kb_json_add(o, "totals", t) &&
	     kb_json_add(t, "total", json_object_new_uint64(s->total)) &&
	     kb_json_add(t, "kernel", json_object_new_uint64(s->kernel)) &&
	     kb_json_add(t, "sigsys", json_object_new_uint64(s->total - s->kernel)) &&
	     kb_json_add(t, "dropped", json_object_new_uint64(kbs_dropped(s, scope))) &&
	     (d = json_object_new_object()) && kb_json_add(o, "dropped", d) &&
	     kb_json_add(d, "tier_hits", json_object_new_uint64(s->drops[KBSTAT_DROP_TIER] +
								     s->drops[KBSTAT_DROP_BAD])) &&
	     kb_json_add(d, "session_hits", json_object_new_uint64(s->drops[KBSTAT_DROP_SESSION])) &&
	     kb_json_add(d, "pid_hits", json_object_new_uint64(s->drops[KBSTAT_DROP_PID])) &&
	     (a = json_object_new_array()) && kb_json_add(o, "syscalls", a);
	for (i = 0; ok && i < s->n; i++) {
		const struct kbs_row *r = &s->rows[i];
		struct json_object *e = json_object_new_object();
		char *name = kbs_row_name(scope, r->nr);

		ok = e && name && !json_object_array_add(a, e);
		if (!ok)
			json_object_put(e);
		ok = ok && kb_json_add(e, "nr", json_object_new_int64(r->nr)) &&
		     kb_json_add(e, "name", json_object_new_string(name)) &&
		     kb_json_add(e, "tier", json_object_new_string(kb_tier_name(r->tier))) &&
		     kb_json_add(e, "action", json_object_new_string(kb_action_name(r->action))) &&
		     kb_json_add(e, "path", json_object_new_string(kbs_path_name(r->fastpath))) &&
		     kb_json_add(e, "count", json_object_new_uint64(r->count));
		free(name);
	}
	/* null: not counted here (see struct kbs_snap) */
	if (ok && !s->uring_counted)
		ok = !json_object_object_add(o, "io_uring", NULL);
	else if (ok)
		ok = (a = json_object_new_array()) && kb_json_add(o, "io_uring", a);
	for (i = 0; ok && s->uring_counted && i < KB_URING_OPS; i++) {
		struct json_object *e;

		if (!s->uring[i])
			continue;
		ok = (e = json_object_new_object()) && !json_object_array_add(a, e) &&
		     kb_json_add(e, "opcode", json_object_new_int((int)i)) &&
		     kb_json_add(e, "name", json_object_new_string(
				kb_uring_name((unsigned int)i, op, sizeof(op)))) &&
		     kb_json_add(e, "count", json_object_new_uint64(s->uring[i]));
	}
	err = ok ? kb_json_write(STDOUT_FILENO, o) : -ENOMEM;
	json_object_put(o);
	return err;
}

static int snapshot(const struct stats_opts *o)
{
	struct kbs_maps m;
	struct kbs_snap s;
	int err;

	if (kbs_open(&m))
		return KBCTL_EXIT_FAIL;
	err = kbs_read(&m, &o->scope, &s);
	kbs_close(&m);
	if (err)
		return KBCTL_EXIT_FAIL;
	err = o->json ? print_json(&s, &o->scope) : print_text(&s, &o->scope);
	kbs_free(&s);
	if (err) {
		kbctl_err("cannot write the snapshot: %s", strerror(-err));
		return KBCTL_EXIT_FAIL;
	}
	return fflush(stdout) ? KBCTL_EXIT_FAIL : 0;
}

/* ---- --bpf load / unload / status ---- */

static bool verbose_libbpf;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	/* kbctl says what failed in its own words; libbpf's detail on -v. */
	if (!verbose_libbpf)
		return 0;
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

static bool is_bpffs(const char *path)
{
	struct statfs sf;

	return !statfs(path, &sf) && (unsigned long)sf.f_type == BPF_FS_MAGIC;
}

/* A bpf filesystem on /sys/fs/bpf, mounted now if there was none. */
static int need_bpffs(void)
{
	if (is_bpffs(BPFFS))
		return 0;
	if (mount("bpf", BPFFS, "bpf", 0, "mode=0700")) {
		int e = errno;

		if (e == EPERM || e == EACCES)
			kbctl_err("no bpf filesystem on %s and not permitted to mount one: as root, mount -t bpf bpf %s",
				  BPFFS, BPFFS);
		else
			kbctl_err("no bpf filesystem on %s and mounting one failed (%s): mount -t bpf bpf %s",
				  BPFFS, strerror(e), BPFFS);
		return -1;
	}
	fprintf(stderr, "kbctl: mounted a bpf filesystem on %s\n", BPFFS);
	return 0;
}

/* Remove every pin in the directory, then the directory. */
static int unpin_all(void)
{
	char path[512];
	struct dirent *de;
	DIR *d;
	int err = 0;

	d = opendir(KBSTAT_PIN_DIR);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", KBSTAT_PIN_DIR, de->d_name);
		if (unlink(path) && !err)
			err = -errno;
	}
	closedir(d);
	if (rmdir(KBSTAT_PIN_DIR) && !err)
		err = -errno;
	return err;
}

static bool module_present(void)
{
	struct stat st;

	return !stat("/sys/module/kbridge", &st);
}

static int prog_id(int fd, char *name, size_t len)
{
	struct bpf_prog_info info;
	__u32 ilen = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen))
		return -1;
	snprintf(name, len, "%s", info.name);
	return (int)info.id;
}

/*
 * The io_uring counters: attached and pinned when the module fires
 * kbridge_uring_op (a module before it has no such tracepoint, and then
 * kbctl stats says nothing of io_uring). 0 or -errno, said.
 */
static int load_uring(struct kbstat *obj)
{
	struct bpf_map *maps[NURING] = { obj->maps.uring_hits,
					 obj->maps.uring_session_hits };
	struct bpf_link *link;
	char path[256];
	size_t i;
	int err;

	link = bpf_program__attach_raw_tracepoint(obj->progs.kb_uring,
						  KBSTAT_URING_TP_NAME);
	if (!link) {
		err = -errno;
		if (err == -ENOENT)
			return 0;
		kbctl_err("cannot attach to %s: %s", KBSTAT_URING_TP_NAME,
			  strerror(-err));
		return err;
	}
	for (i = 0; i < NURING; i++) {
		pin_path(path, sizeof(path), uring_maps[i]);
		err = bpf_map__pin(maps[i], path);
		if (err)
			goto fail;
	}
	pin_path(path, sizeof(path), KBSTAT_URING_LINK_NAME);
	err = bpf_link__pin(link, path);
	if (err)
		goto fail;
	bpf_link__disconnect(link);
	bpf_link__destroy(link);
	return 0;
fail:
	kbctl_err("cannot pin %s: %s", path, strerror(-err));
	bpf_link__destroy(link);
	return err;
}

static int bpf_load(uint32_t scopes)
{
	struct bpf_map *maps[NMAPS];
	struct kbstat *obj = NULL;
	char path[256], name[BPF_OBJ_NAME_LEN], had[64];
	int err, id;
	size_t i;

	if (need_bpffs())
		return KBCTL_EXIT_FAIL;
	/* The directory is the lock: two loads cannot both create it. */
	if (mkdir(KBSTAT_PIN_DIR, 0700)) {
		if (errno == EEXIST)
			kbctl_err("already loaded: %s exists; kbctl stats --bpf unload first",
				  KBSTAT_PIN_DIR);
		else if (errno == EPERM || errno == EACCES)
			kbctl_err("not permitted to create %s (root needed)",
				  KBSTAT_PIN_DIR);
		else
			kbctl_err("%s: %s", KBSTAT_PIN_DIR, strerror(errno));
		return KBCTL_EXIT_FAIL;
	}
	obj = kbstat__open();
	if (obj) {
		obj->rodata->scopes = scopes;
		/* Attached below, if the module has its tracepoint. */
		bpf_program__set_autoattach(obj->progs.kb_uring, false);
		if (kbstat__load(obj)) {
			err = -errno;
			kbstat__destroy(obj);
			obj = NULL;
			errno = -err;
		}
	}
	if (!obj) {
		err = -errno;
		if (err == -EPERM || err == -EACCES)
			kbctl_err("not permitted to load eBPF programs (root, or CAP_BPF and CAP_PERFMON, needed)");
		else
			kbctl_err("cannot load the eBPF program: %s%s", strerror(-err),
				  verbose_libbpf ? "" : " (-v says more)");
		goto fail;
	}
	err = kbstat__attach(obj);
	if (err) {
		if (err == -ENOENT && !module_present())
			kbctl_err("kbridge.ko is not loaded (no raw tracepoint %s)",
				  KBSTAT_TP_NAME);
		else if (err == -ENOENT)
			kbctl_err("kbridge.ko is loaded but has no tracepoint %s (a release without eBPF statistics?)",
				  KBSTAT_TP_NAME);
		else if (err == -EPERM || err == -EACCES)
			kbctl_err("not permitted to attach eBPF programs (root, or CAP_BPF and CAP_PERFMON, needed)");
		else
			kbctl_err("cannot attach to %s: %s", KBSTAT_TP_NAME,
				  strerror(-err));
		goto fail;
	}
	maps[0] = obj->maps.tier_hits;
	maps[1] = obj->maps.session_hits;
	maps[2] = obj->maps.pid_hits;
	maps[3] = obj->maps.drops;
	for (i = 0; i < NMAPS; i++) {
		pin_path(path, sizeof(path), pinned_maps[i]);
		err = bpf_map__pin(maps[i], path);
		if (err) {
			kbctl_err("cannot pin %s: %s", path, strerror(-err));
			goto fail;
		}
	}
	pin_path(path, sizeof(path), CONFIG_PIN);
	err = bpf_map__pin(obj->maps.rodata, path);
	if (err) {
		kbctl_err("cannot pin %s: %s", path, strerror(-err));
		goto fail;
	}
	pin_path(path, sizeof(path), KBSTAT_LINK_NAME);
	err = bpf_link__pin(obj->links.kb_decision, path);
	if (err) {
		kbctl_err("cannot pin %s: %s", path, strerror(-err));
		goto fail;
	}
	/* The pin keeps the program attached once our descriptors close. */
	bpf_link__disconnect(obj->links.kb_decision);
	err = load_uring(obj);
	if (err)
		goto fail;
	id = prog_id(bpf_program__fd(obj->progs.kb_decision), name, sizeof(name));
	kbs_scopes_describe(scopes, had, sizeof(had));
	pin_path(path, sizeof(path), KBSTAT_URING_LINK_NAME);
	printf("loaded: program %s (id %d) attached to %s, counting %s; maps tier_hits, session_hits, pid_hits, drops pinned in %s%s\n",
	       name, id, KBSTAT_TP_NAME, had, KBSTAT_PIN_DIR,
	       access(path, F_OK) ? "" :
	       "; io_uring operations from " KBSTAT_URING_TP_NAME);
	kbstat__destroy(obj);
	return fflush(stdout) ? KBCTL_EXIT_FAIL : 0;
fail:
	/* Nothing half-loaded stays behind: the next load starts clean. */
	err = unpin_all();
	if (err)
		kbctl_err("cleaning up %s: %s", KBSTAT_PIN_DIR, strerror(-err));
	kbstat__destroy(obj);
	return KBCTL_EXIT_FAIL;
}

static int bpf_unload(void)
{
	struct stat st;
	int err;

	if (stat(KBSTAT_PIN_DIR, &st)) {
		if (errno == ENOENT)
			kbctl_err("not loaded: no %s", KBSTAT_PIN_DIR);
		else
			kbctl_err("%s: %s", KBSTAT_PIN_DIR, strerror(errno));
		return KBCTL_EXIT_FAIL;
	}
	err = unpin_all();
	if (err) {
		if (err == -EPERM || err == -EACCES)
			kbctl_err("not permitted to remove %s (root needed)",
				  KBSTAT_PIN_DIR);
		else
			kbctl_err("removing %s: %s", KBSTAT_PIN_DIR, strerror(-err));
		return KBCTL_EXIT_FAIL;
	}
	printf("unloaded: %s removed, the program is detached\n", KBSTAT_PIN_DIR);
	return fflush(stdout) ? KBCTL_EXIT_FAIL : 0;
}

/* Entries of a hash map: a walk, since the kernel keeps no count we can read. */
static long map_entries(int fd, __u32 key_size)
{
	char key[32], next[32];
	long n = 0;

	if (key_size > sizeof(key))
		return -1;
	if (bpf_map_get_next_key(fd, NULL, next))
		return errno == ENOENT ? 0 : -1;
	do {
		memcpy(key, next, key_size);
		n++;
	} while (!bpf_map_get_next_key(fd, key, next));
	return errno == ENOENT ? n : -1;
}

static int bpf_status(void)
{
	struct bpf_link_info li;
	struct bpf_map_info mi;
	struct bpf_prog_info pi;
	char path[256], tp[64] = "", scopes[64];
	__u32 len;
	int fd, pfd;
	size_t i;

	if (!is_bpffs(BPFFS)) {
		printf("eBPF counters: not loaded (no bpf filesystem on %s)\n", BPFFS);
		return fflush(stdout) ? KBCTL_EXIT_FAIL : 0;
	}
	if (access(KBSTAT_PIN_DIR, F_OK)) {
		printf("eBPF counters: not loaded (no %s)\n", KBSTAT_PIN_DIR);
		return fflush(stdout) ? KBCTL_EXIT_FAIL : 0;
	}
	printf("eBPF counters: loaded, pinned in %s\n", KBSTAT_PIN_DIR);
	pin_path(path, sizeof(path), KBSTAT_LINK_NAME);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		kbctl_err("%s: %s", path, strerror(errno));
		return KBCTL_EXIT_FAIL;
	}
	memset(&li, 0, sizeof(li));
	li.raw_tracepoint.tp_name = (uintptr_t)tp;
	li.raw_tracepoint.tp_name_len = sizeof(tp);
	len = sizeof(li);
	if (bpf_obj_get_info_by_fd(fd, &li, &len)) {
		kbctl_err("%s: %s", path, strerror(errno));
		close(fd);
		return KBCTL_EXIT_FAIL;
	}
	close(fd);
	memset(&pi, 0, sizeof(pi));
	len = sizeof(pi);
	pfd = bpf_prog_get_fd_by_id(li.prog_id);
	if (pfd < 0 || bpf_obj_get_info_by_fd(pfd, &pi, &len)) {
		kbctl_err("program id %u: %s", li.prog_id, strerror(errno));
		if (pfd >= 0)
			close(pfd);
		return KBCTL_EXIT_FAIL;
	}
	close(pfd);
	printf("program: %s, id %u, attached to raw tracepoint %s (link id %u)\n",
	       pi.name, pi.id, tp, li.id);
	kbs_scopes_describe(read_scopes(), scopes, sizeof(scopes));
	printf("counting: %s\n", scopes);
	for (i = 0; i < NMAPS; i++) {
		long n;

		pin_path(path, sizeof(path), pinned_maps[i]);
		fd = bpf_obj_get(path);
		memset(&mi, 0, sizeof(mi));
		len = sizeof(mi);
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &mi, &len)) {
			kbctl_err("%s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return KBCTL_EXIT_FAIL;
		}
		n = mi.type == BPF_MAP_TYPE_PERCPU_ARRAY ? (long)mi.max_entries :
		    map_entries(fd, mi.key_size);
		close(fd);
		printf("map: %s, id %u, %ld of %u entries\n", mi.name, mi.id, n,
		       mi.max_entries);
	}
	return fflush(stdout) ? KBCTL_EXIT_FAIL : 0;
}

int kbctl_bpfstats(int argc, char **argv)
{
	static const struct argp argp = {
		options, parse_opt, "[PID]", doc, NULL, NULL, NULL
	};
	struct stats_opts o = { .op = OP_NONE };

	argp_parse(&argp, argc, argv, 0, NULL, &o);
	if (o.load_scopes && o.op != OP_LOAD) {
		kbctl_err("--scope goes with --bpf load");
		return KBCTL_EXIT_FAIL;
	}
	verbose_libbpf = o.verbose;
	libbpf_set_print(libbpf_print);
	switch (o.op) {
	case OP_LOAD:
		return bpf_load(o.load_scopes ? o.load_scopes :
				KBSTAT_SCOPE_ALL);
	case OP_UNLOAD:
		return bpf_unload();
	case OP_STATUS:
		return bpf_status();
	case OP_NONE:
		break;
	}
	return snapshot(&o);
}
