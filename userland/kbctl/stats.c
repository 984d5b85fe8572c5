// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl stats: the eBPF tier counters of bpf/kbstat.bpf.c.
 *
 *   kbctl stats --bpf load|unload|status   manage the program and its pins
 *                                         (bpfstat_load.c)
 *   kbctl stats [--json] [PID | --session S]   one snapshot of the counts
 *                                         (read by bpfstat.c)
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "kbctl.h"
#include "bpfstat.h"
#include "../lib/json.h"
#include "../lib/names.h"

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
KBS_BPFFS " (kbctl mounts one there when none is). While loaded, the program "
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
		if (!kbs_parse_scopes(arg, &o->load_scopes))
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

int kbctl_stats(int argc, char **argv)
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
	kbs_libbpf_verbose(o.verbose);
	switch (o.op) {
	case OP_LOAD:
		return kbs_bpf_load(o.load_scopes ? o.load_scopes :
				KBSTAT_SCOPE_ALL);
	case OP_UNLOAD:
		return kbs_bpf_unload();
	case OP_STATUS:
		return kbs_bpf_status();
	case OP_NONE:
		break;
	}
	return snapshot(&o);
}
