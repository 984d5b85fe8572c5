// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl stats and top: the maps bpf/kbstat.bpf.c keeps, read from their
 * pins under KBSTAT_PIN_DIR into snapshots (bpfstat.h), and the scopes
 * (all sessions, a session, a process) they are read for.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kbctl.h"
#include "bpfstat.h"
#include "../lib/names.h"

/* The pinned objects, in the order load creates them. */
const char *const kbs_pinned_maps[KBS_NMAPS] = {
	"tier_hits", "session_hits", "pid_hits", "drops",
};
/* io_uring counters: pinned when the module has kbridge_uring_op. */
const char *const kbs_uring_maps[KBS_NURING] = {
	"uring_hits", "uring_session_hits",
};

static const char *const scope_names[] = { "global", "session", "pid" };

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

bool kbs_parse_scopes(const char *arg, uint32_t *out)
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

void kbs_pin_path(char *buf, size_t len, const char *name)
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

	kbs_pin_path(path, sizeof(path), name);
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
uint32_t kbs_read_scopes(void)
{
	char path[256];
	__u32 zero = 0;
	uint32_t v = KBSTAT_SCOPE_ALL;
	void *buf;
	int fd;

	kbs_pin_path(path, sizeof(path), KBS_CONFIG_PIN);
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

	kbs_pin_path(path, sizeof(path), name);
	return bpf_obj_get(path);
}

int kbs_open(struct kbs_maps *m)
{
	char path[256];

	m->uring = open_optional(kbs_uring_maps[0]);
	m->uring_session = open_optional(kbs_uring_maps[1]);
	kbs_pin_path(path, sizeof(path), KBSTAT_URING_LINK_NAME);
	m->uring_attached = !access(path, F_OK);
	m->tier = open_pinned("tier_hits");
	m->session = m->tier < 0 ? -1 : open_pinned("session_hits");
	m->pid = m->session < 0 ? -1 : open_pinned("pid_hits");
	m->drops = m->pid < 0 ? -1 : open_pinned("drops");
	if (m->drops < 0) {
		kbs_close(m);
		return -1;
	}
	m->scopes = kbs_read_scopes();
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
