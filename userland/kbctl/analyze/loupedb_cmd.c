// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl loupedb: kbctl analyze's results into Loupe's database and back.
 *
 *   import: loupedb runs become analysis.json-shaped reports (one per
 *           application, "source": "loupedb"), which kbctl plan, the
 *           corpus's report and anything that reads analysis.json take;
 *   export: an analysis.json becomes a loupedb run, DB/APP/WORKLOAD/RUN
 *           with cmd.txt and data/dyn.csv, that Loupe's own tools read.
 *
 * Only whole syscalls cross: loupedb has no place for the commands and
 * pseudo-files kbctl analyze classes, nor for call counts.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../kbctl.h"
#include "jsonin.h"
#include "loupedb.h"
#include "syslist.h"
#include "../../lib/json.h"
#include "../../lib/names.h"

struct lc_opts {
	bool export;
	const char *out;
	const char *name, *workload, *run;
	const char *static_binary;	/* a syscall list (syslist.h) */
	char **args;
	int nargs;
};

/* mkdir -p @path (a copy is cut up); 0, or -1 said. */
static int lc_mkdirs(const char *path)
{
	char *p = strdup(path), *s;
	int ret = 0;
	bool end;

	if (!p) {
		kbctl_err("out of memory");
		return -1;
	}
	for (s = p + 1; ret == 0; s++) {
		if (*s && *s != '/')
			continue;
		end = !*s;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST) {
			kbctl_err("%s: %s", p, strerror(errno));
			ret = -1;
		}
		if (end)
			break;
		*s = '/';
	}
	free(p);
	return ret;
}

/*
 * Writes @path whole or not at all: into PATH.tmp, renamed over @path
 * once complete. @write fills the stream; 0, or -1 said.
 */
static int lc_write_file(const char *path, int (*write)(FILE *, const void *),
			 const void *arg)
{
	char *tmp;
	FILE *f;
	int ret = -1;

	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		kbctl_err("out of memory");
		return -1;
	}
	f = fopen(tmp, "we");
	if (!f) {
		kbctl_err("%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (write(f, arg) | fflush(f) | ferror(f)) {
		kbctl_err("%s: %s", tmp, strerror(errno ? errno : EIO));
		fclose(f);
		unlink(tmp);
		goto out;
	}
	if (fclose(f) || rename(tmp, path)) {
		kbctl_err("%s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	free(tmp);
	return ret;
}

/* import */

static struct json_object *lc_app_json(const struct ldb_app *a)
{
	struct json_object *root = json_object_new_object(), *o, *runs, *arr, *s;
	size_t counts[KJ_NCLASSES] = { 0 }, i;
	const char *c;
	char *name;
	int k;

	if (!root)
		return NULL;
	kb_json_add(root, "source", json_object_new_string("loupedb"));
	o = json_object_new_object();
	runs = json_object_new_array();
	for (i = 0; o && runs && i < a->nruns; i++) {
		s = json_object_new_object();
		kb_json_add(s, "workload", json_object_new_string(a->runs[i].workload));
		kb_json_add(s, "run", json_object_new_string(a->runs[i].run));
		kb_json_add(s, "layout", json_object_new_string(a->runs[i].inclusive ?
							      "inclusive" : "exclusive"));
		kb_json_add(s, "used", json_object_new_int64(a->runs[i].used));
		json_object_array_add(runs, s);
	}
	kb_json_add(o, "path", json_object_new_string(a->path));
	kb_json_add(o, "runs", runs);
	kb_json_add(root, "loupedb", o);
	arr = json_object_new_array();
	if (arr)
		json_object_array_add(arr, json_object_new_string(a->name));
	kb_json_add(root, "apps", arr);
	arr = json_object_new_array();
	for (k = 0; arr && k < KB_NR_SYSCALLS; k++) {
		if (!a->sys[k].used)
			continue;
		c = ldb_class(&a->sys[k]);
		name = kb_syscall_name((uint32_t)k);
		s = json_object_new_object();
		if (!name || !s) {
			free(name);
			json_object_put(s);
			json_object_put(root);
			json_object_put(arr);
			return NULL;
		}
		kb_json_add(s, "nr", json_object_new_int(k));
		kb_json_add(s, "name", json_object_new_string(name));
		kb_json_add(s, "stub", json_object_new_boolean(a->sys[k].stub));
		kb_json_add(s, "fake", json_object_new_boolean(a->sys[k].fake));
		kb_json_add(s, "class", json_object_new_string(c));
		json_object_array_add(arr, s);
		free(name);
		for (i = 0; i < KJ_NCLASSES; i++)
			counts[i] += !strcmp(c, kj_class_names[i]);
	}
	o = json_object_new_object();
	for (i = 0; o && i < KJ_NCLASSES; i++)
		kb_json_add(o, kj_class_names[i], json_object_new_int64((int64_t)counts[i]));
	kb_json_add(root, "classes", o);
	kb_json_add(root, "syscalls", arr);
	return root;
}

static int lc_write_json(FILE *f, const void *o)
{
	const char *s = json_object_to_json_string_ext((struct json_object *)o,
						       JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!s) {
		errno = ENOMEM;
		return -1;
	}
	return fprintf(f, "%s\n", s) < 0 ? -1 : 0;
}

static int lc_import(const struct lc_opts *o)
{
	struct ldb_app *apps = NULL;
	struct json_object *j;
	size_t n = 0, i, k, runs = 0;
	char *path;
	int ret = KBCTL_EXIT_FAIL, r;

	for (r = 0; r < o->nargs; r++)
		if (ldb_load(o->args[r], &apps, &n))
			goto out;
	for (i = 0; i < n; i++) {
		for (k = 0; k < i; k++) {
			if (!strcmp(apps[i].name, apps[k].name)) {
				kbctl_err("%s and %s: two applications named %s",
					  apps[k].path, apps[i].path, apps[i].name);
				goto out;
			}
		}
	}
	if (lc_mkdirs(o->out))
		goto out;
	for (i = 0; i < n; i++) {
		j = lc_app_json(&apps[i]);
		if (!j) {
			kbctl_err("out of memory");
			goto out;
		}
		if (asprintf(&path, "%s/%s.json", o->out, apps[i].name) < 0) {
			json_object_put(j);
			kbctl_err("out of memory");
			goto out;
		}
		r = lc_write_file(path, lc_write_json, j);
		json_object_put(j);
		free(path);
		if (r)
			goto out;
		runs += apps[i].nruns;
	}
	printf("%zu applications (%zu runs) imported into %s\n", n, runs, o->out);
	ret = 0;
out:
	ldb_free(apps, n);
	return ret;
}

/* export */

/* What an analysis.json gives a loupedb run. */
struct lc_report {
	const char *file;
	struct json_object *root;
	struct json_object *apps, *workload;	/* arrays of strings */
	struct ldb_verdict sys[KB_NR_SYSCALLS];
	size_t counts[KJ_NCLASSES];
	bool has_static, static_used[KB_NR_SYSCALLS];
};

/* Array @key of strings, 1 or more; NULL said. */
static struct json_object *lc_strings(const struct lc_report *r, const char *key)
{
	struct json_object *arr, *v;
	char where[80];
	size_t i;

	if (!kj_member(r->file, "", r->root, key, json_type_array, false, &arr))
		return NULL;
	if (!json_object_array_length(arr)) {
		kj_err(r->file, "", "\"%s\" is empty", key);
		return NULL;
	}
	for (i = 0; i < json_object_array_length(arr); i++) {
		v = json_object_array_get_idx(arr, i);
		snprintf(where, sizeof(where), ".%s[%zu]", key, i);
		if (!json_object_is_type(v, json_type_string) ||
		    strlen(json_object_get_string(v)) !=
		    (size_t)json_object_get_string_len(v) ||
		    !json_object_get_string_len(v)) {
			kj_err(r->file, where, "expected a non-empty string");
			return NULL;
		}
	}
	return arr;
}

static int lc_read_report(struct lc_report *r)
{
	struct json_object *arr;
	const char *name;
	enum kj_class c;
	size_t i;
	int nr;

	r->root = kj_load(r->file, NULL);
	if (!r->root)
		return -1;
	if (!json_object_object_get_ex(r->root, "syscalls", &arr)) {
		kbctl_err("%s: no \"syscalls\" array: not an analysis.json of kbctl analyze",
			  r->file);
		return -1;
	}
	if (!kj_member(r->file, "", r->root, "syscalls", json_type_array, false, &arr))
		return -1;
	r->apps = lc_strings(r, "apps");
	if (!r->apps)
		return -1;
	/* A report imported from loupedb has no workload of kbctl's. */
	if (json_object_object_get_ex(r->root, "workload", NULL)) {
		r->workload = lc_strings(r, "workload");
		if (!r->workload)
			return -1;
	}
	for (i = 0; i < json_object_array_length(arr); i++) {
		if (!kj_syscall_entry(r->file, arr, i, &nr, &name, &c))
			return -1;
		if (r->sys[nr].used) {
			kj_err(r->file, ".syscalls", "syscall %s listed twice", name);
			return -1;
		}
		r->sys[nr] = (struct ldb_verdict){
			.used = true,
			.stub = c == KJ_STUB || c == KJ_EITHER,
			.fake = c == KJ_FAKE || c == KJ_EITHER,
		};
		r->counts[c]++;
	}
	return 0;
}

/* "sqlite3" from "/usr/bin/sqlite3" (apps joined by '+'); malloc'd. */
static char *lc_app_name(const struct lc_report *r)
{
	size_t i, len = 0, n = json_object_array_length(r->apps);
	const char *s, *b;
	char *out = calloc(1, PATH_MAX);

	for (i = 0; out && i < n && len < PATH_MAX - 1; i++) {
		s = json_object_get_string(json_object_array_get_idx(r->apps, i));
		b = strrchr(s, '/');
		len += (size_t)snprintf(out + len, PATH_MAX - len, "%s%s",
					i ? "+" : "", b && b[1] ? b + 1 : s);
	}
	return out;
}

/* Only what a folder name may hold everywhere: others become '-'. */
static void lc_sanitize(char *s)
{
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789._+-", *s))
			*s = '-';
}

/* A folder name a user gave: one component, not "." or "..". */
static bool lc_component_ok(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..") &&
		*s != '.';
}

/* FNV-1a, 64 bits: a stable name for a run from what defines it. */
static uint64_t lc_hash(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (h ^ 0xff) * 1099511628211ull;
}

static uint64_t lc_hash_strings(uint64_t h, struct json_object *arr)
{
	size_t i;

	for (i = 0; arr && i < json_object_array_length(arr); i++)
		h = lc_hash(h, json_object_get_string(json_object_array_get_idx(arr, i)));
	return h;
}

/* @s for a shell, quoted when it has to be. */
static void lc_shell_word(FILE *f, const char *s)
{
	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_-./=:,+@%") == strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* cmd.txt: the kbctl analyze command that would make this run again. */
static int lc_write_cmd(FILE *f, const void *arg)
{
	const struct lc_report *r = arg;
	struct json_object *v;
	size_t i;

	fputs("kbctl analyze", f);
	for (i = 0; i < json_object_array_length(r->apps); i++) {
		fputs(" --app ", f);
		lc_shell_word(f, json_object_get_string(json_object_array_get_idx(r->apps, i)));
	}
	if (json_object_object_get_ex(r->root, "replicas", &v) &&
	    json_object_is_type(v, json_type_int))
		fprintf(f, " -r %" PRId64, json_object_get_int64(v));
	if (json_object_object_get_ex(r->root, "method", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    !strcmp(json_object_get_string(v), "exhaustive"))
		fputs(" --exhaustive", f);
	if (json_object_object_get_ex(r->root, "vdso", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    !strcmp(json_object_get_string(v), "keep"))
		fputs(" --vdso=keep", f);
	fputs(" --", f);
	for (i = 0; r->workload && i < json_object_array_length(r->workload); i++) {
		fputc(' ', f);
		lc_shell_word(f, json_object_get_string(json_object_array_get_idx(r->workload, i)));
	}
	fputc('\n', f);
	return 0;
}

static int lc_write_dyn(FILE *f, const void *arg)
{
	return ldb_write_dyn(f, ((const struct lc_report *)arg)->sys);
}

static int lc_write_static(FILE *f, const void *arg)
{
	return ldb_write_static(f, ((const struct lc_report *)arg)->static_used);
}

/* --static-binary's list into @r; 0, or -1 said. */
static int lc_read_static(struct lc_report *r, const char *path)
{
	int *nrs = NULL;
	size_t n = 0, i;

	if (sl_read(path, &nrs, &n)) {
		free(nrs);
		return -1;
	}
	for (i = 0; i < n; i++)
		r->static_used[nrs[i]] = true;
	r->has_static = true;
	free(nrs);
	return 0;
}

static int lc_export_one(const struct lc_opts *o, const char *file)
{
	struct lc_report *r = calloc(1, sizeof(*r));
	char *app = NULL, *wl = NULL, *run = NULL, *dir = NULL, *p = NULL;
	const char *b;
	int ret = -1;
	size_t used;

	if (!r) {
		kbctl_err("out of memory");
		return -1;
	}
	r->file = file;
	if (lc_read_report(r) ||
	    (o->static_binary && lc_read_static(r, o->static_binary)))
		goto out;
	app = o->name ? strdup(o->name) : lc_app_name(r);
	if (o->workload) {
		wl = strdup(o->workload);
	} else if (r->workload) {
		/* benchmark-sqlite3 for tests/workloads/sqlite3.sh */
		b = json_object_get_string(json_object_array_get_idx(r->workload, 0));
		b = strrchr(b, '/') ? strrchr(b, '/') + 1 : b;
		if (asprintf(&wl, "benchmark-%.*s", (int)strcspn(b, "."), b) < 0)
			wl = NULL;
	} else {
		wl = strdup("benchmark-kbridge");
	}
	if (o->run)
		run = strdup(o->run);
	else if (asprintf(&run, "kbridge-%016llx", (unsigned long long)
			  lc_hash_strings(lc_hash_strings(14695981039346656037ull,
							  r->apps), r->workload)) < 0)
		run = NULL;
	if (!app || !wl || !run) {
		kbctl_err("out of memory");
		goto out;
	}
	lc_sanitize(app);
	lc_sanitize(wl);
	if (asprintf(&dir, "%s/%s/%s/%s/data", o->out, app, wl, run) < 0) {
		kbctl_err("out of memory");
		goto out;
	}
	if (lc_mkdirs(dir))
		goto out;
	free(p);
	if (asprintf(&p, "%s/dyn.csv", dir) < 0 ||
	    lc_write_file(p, lc_write_dyn, r))
		goto out;
	if (r->has_static) {
		free(p);
		if (asprintf(&p, "%s/static_binary.csv", dir) < 0 ||
		    lc_write_file(p, lc_write_static, r))
			goto out;
	}
	dir[strlen(dir) - strlen("/data")] = '\0';
	free(p);
	if (asprintf(&p, "%s/cmd.txt", dir) < 0 ||
	    lc_write_file(p, lc_write_cmd, r))
		goto out;
	used = r->counts[KJ_REQUIRED] + r->counts[KJ_STUB] + r->counts[KJ_FAKE] +
	       r->counts[KJ_EITHER];
	printf("%s: %zu syscalls used: %zu required, %zu stub, %zu fake, %zu either\n",
	       dir, used, r->counts[KJ_REQUIRED], r->counts[KJ_STUB],
	       r->counts[KJ_FAKE], r->counts[KJ_EITHER]);
	ret = 0;
out:
	free(p);
	free(dir);
	free(run);
	free(wl);
	free(app);
	json_object_put(r->root);
	free(r);
	return ret;
}

static int lc_export(const struct lc_opts *o)
{
	int i;

	if (o->nargs > 1 && (o->name || o->run)) {
		kbctl_err("--name and --run name one run: give one REPORT");
		return KBCTL_EXIT_FAIL;
	}
	for (i = 0; i < o->nargs; i++)
		if (lc_export_one(o, o->args[i]))
			return KBCTL_EXIT_FAIL;
	return 0;
}

enum { OPT_NAME = 0x100, OPT_WORKLOAD, OPT_RUN, OPT_STATIC };

static const struct argp_option lc_options[] = {
	{ "out", 'o', "DIR", 0,
	  "import: where the reports go, one APP.json each; export: the "
	  "loupedb checkout the runs go into. Created. Required", 0 },
	{ "name", OPT_NAME, "APP", 0,
	  "export: the application's folder (default: the report's apps' "
	  "names, joined by '+')", 0 },
	{ "workload", OPT_WORKLOAD, "NAME", 0,
	  "export: the workload's folder, benchmark-NAME or suite (default: "
	  "benchmark- and the workload command's name)", 0 },
	{ "static-binary", OPT_STATIC, "LIST", 0,
	  "export: what a static analysis of the application's binaries found, "
	  "one syscall name per line (as --os lists), written as "
	  "data/static_binary.csv", 0 },
	{ "run", OPT_RUN, "NAME", 0,
	  "export: the run's folder (default: kbridge- and a hash of the "
	  "apps and the workload command, so that the same analysis made "
	  "again replaces its run)", 0 },
	{ 0 }
};

static error_t lc_parse(int key, char *arg, struct argp_state *state)
{
	struct lc_opts *o = state->input;

	switch (key) {
	case 'o':
		o->out = arg;
		break;
	case OPT_NAME:
		if (!lc_component_ok(arg))
			argp_error(state, "--name: '%s' is not a folder name", arg);
		o->name = arg;
		break;
	case OPT_WORKLOAD:
		if (!lc_component_ok(arg) || (strncmp(arg, "benchmark-", 10) &&
					     strcmp(arg, "suite") &&
					     strncmp(arg, "suite-", 6)))
			argp_error(state, "--workload: '%s' is neither benchmark-NAME nor suite (Loupe reads no other)",
				   arg);
		o->workload = arg;
		break;
	case OPT_STATIC:
		o->static_binary = arg;
		break;
	case OPT_RUN:
		if (!lc_component_ok(arg))
			argp_error(state, "--run: '%s' is not a folder name", arg);
		o->run = arg;
		break;
	case ARGP_KEY_ARG:
		if (state->arg_num == 0) {
			if (!strcmp(arg, "export"))
				o->export = true;
			else if (strcmp(arg, "import"))
				argp_error(state, "'%s': import or export", arg);
			break;
		}
		return ARGP_ERR_UNKNOWN;
	case ARGP_KEY_ARGS:
		o->args = state->argv + state->next;
		o->nargs = state->argc - state->next;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (state->arg_num == 0)
			argp_error(state, "import or export?");
		if (!o->out)
			argp_error(state, "no -o DIR given");
		if (!o->nargs)
			argp_error(state, o->export ? "no REPORT given" : "no loupedb PATH given");
		if (!o->export && (o->name || o->workload || o->run || o->static_binary))
			argp_error(state, "--name, --workload, --run and --static-binary are export's");
		if (o->nargs > 1 && o->static_binary)
			argp_error(state, "--static-binary describes one application: give one REPORT");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int kbctl_loupedb(int argc, char **argv)
{
	static const struct argp argp = {
		lc_options, lc_parse,
		"import -o DIR PATH...\nexport -o DB [--name APP] [--workload NAME] [--run NAME] REPORT...",
		"Loupe's results database (loupedb) in and out.\n\n"
		"import: every application under each PATH (a loupedb checkout, "
		"an application, a workload or a run) becomes DIR/APP.json, a "
		"report shaped like kbctl analyze's analysis.json (\"source\": "
		"\"loupedb\"), which kbctl plan reads. An application's runs are "
		"merged as Loupe merges replicas: used if any run used it, "
		"stubbed or faked only if every run that used it allows it.\n\n"
		"export: each REPORT (an analysis.json) becomes the run "
		"DB/APP/WORKLOAD/RUN: data/dyn.csv in Loupe's layout and cmd.txt, "
		"the kbctl analyze command that made it, and, given a static "
		"analysis's list, data/static_binary.csv.\v"
		"dyn.csv's columns are read as Loupe's writer means them: 'works "
		"faked' works with 0, 'works stubbed' with ENOSYS, 'works both' "
		"either way (loupe search labels the first two the other way "
		"round). Only whole syscalls cross: commands, pseudo-files and "
		"counts stay in analysis.json.\n\n"
		"EXAMPLES:\n"
		"  kbctl loupedb import -o imported ~/loupedb\n"
		"  kbctl plan --os ~/loupedb/Kerla.syscalls imported/*.json\n"
		"  kbctl loupedb export -o ~/loupedb --workload benchmark-kbridge sq/analysis.json",
		NULL, NULL, NULL
	};
	struct lc_opts o = { 0 };

	argp_parse(&argp, argc, argv, 0, NULL, &o);
	return o.export ? lc_export(&o) : lc_import(&o);
}
