// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl analyze: which syscalls can an application, under a workload,
 * live without? Loupe's question, answered with kbridge's tiers.
 *
 * The workload (any command: it starts the application its own way and
 * exits 0 on success) runs under kblaunch --only APP, so that only the
 * application gets the policy under test. A baseline run lists the
 * syscalls the application makes (kblaunch's report counts its calls
 * only); then each is tried stubbed (ENOSYS) and faked (returning 0), and
 * a configuration counts as working only if every replica of the
 * workload succeeds (one failure is a failure: the remaining replicas of
 * a failing configuration are not run).
 *
 * --exhaustive is Loupe's method, one syscall per configuration. The
 * default tests groups of syscalls together and splits a group only when
 * it fails (adaptive group testing), which needs far fewer runs when most
 * syscalls can go; it assumes that what works stubbed together works
 * stubbed alone, and the final confirmation run checks the combination
 * it recommends. The assumption fails for the syscalls that end a
 * process: with exit_group stubbed, a program's own failure exit returns
 * and the program may go on to succeed (glibc's static start-up does, its
 * arch_prctl failure then being masked), so those are tested alone.
 *
 * Output in DIR: analysis.json, analysis.csv, analysis.md,
 * generated.profile (for kblaunch --profile), and runs/ with every run's
 * profile, report, stdout and stderr.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kbctl.h"
#include "../kblaunch/kblaunch.h"

enum an_mode { AN_STUB, AN_FAKE, AN_NMODES };
static const char *const an_mode_names[] = { "stub", "fake" };

struct an_opts {
	char **apps;
	int napps;
	char **work;
	int nwork;
	const char *out;
	const char *kblaunch;
	unsigned int replicas;
	unsigned int timeout;
	bool exhaustive;
	bool verbose;
};

/* A syscall the baseline saw the application make. */
struct an_sys {
	uint32_t nr;
	char name[40];
	uint64_t count;
	/* Per mode: 1 works, 0 does not, -1 not known yet. */
	int ok[AN_NMODES];
};

struct an {
	struct an_opts o;
	struct an_sys *sys;
	uint32_t nsys;
	unsigned int runs;		/* workload runs so far */
	unsigned int tests;		/* configurations tested */
	/*
	 * Most runs the analysis can need (every configuration passing all
	 * its replicas); 0 until the baseline has listed the syscalls.
	 */
	unsigned int most;
	double t0;
	double slowest;			/* longest successful run, s */
};

static double an_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int an_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) == EOF || fclose(f)) {
		kbctl_err("%s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	return 0;
}

/*
 * One run of the workload under kblaunch with @profile (NULL: none);
 * its files are DIR/runs/ID.*. 1 when the workload exited 0, 0 when it
 * failed or timed out, -1 when it could not be run at all.
 */
static int an_run(struct an *a, const char *id, const char *profile,
		  double *secs)
{
	char path[PATH_MAX], prof[PATH_MAX], rep[PATH_MAX];
	char **argv;
	int argc = 0, i, status, fd;
	double t0, limit;
	pid_t pid;

	argv = calloc(8 + 2 * a->o.napps + a->o.nwork, sizeof(*argv));
	if (!argv)
		return -1;
	snprintf(rep, sizeof(rep), "%s/runs/%s.json", a->o.out, id);
	argv[argc++] = (char *)a->o.kblaunch;
	for (i = 0; i < a->o.napps; i++) {
		argv[argc++] = "--only";
		argv[argc++] = a->o.apps[i];
	}
	argv[argc++] = "--report";
	argv[argc++] = rep;
	if (profile) {
		snprintf(prof, sizeof(prof), "%s/runs/%s.profile", a->o.out, id);
		if (an_write_file(prof, profile)) {
			free(argv);
			return -1;
		}
		argv[argc++] = "--profile";
		argv[argc++] = prof;
	}
	argv[argc++] = "--";
	for (i = 0; i < a->o.nwork; i++)
		argv[argc++] = a->o.work[i];

	t0 = an_now();
	pid = fork();
	if (pid < 0) {
		kbctl_err("fork: %s", strerror(errno));
		free(argv);
		return -1;
	}
	if (!pid) {
		/* Its own process group: a timeout takes all of it down. */
		setpgid(0, 0);
		snprintf(path, sizeof(path), "%s/runs/%s.out", a->o.out, id);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(127);
		snprintf(path, sizeof(path), "%s/runs/%s.err", a->o.out, id);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(127);
		fd = open("/dev/null", O_RDONLY);
		if (fd < 0 || dup2(fd, 0) < 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	free(argv);
	setpgid(pid, pid);
	limit = a->o.timeout ? a->o.timeout :
		a->slowest > 0 ? 5 * a->slowest + 10 : 120;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			kbctl_err("waitpid: %s", strerror(errno));
			return -1;
		}
		if (an_now() - t0 > limit) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			status = -1;
			break;
		}
		usleep(20000);
	}
	/* The workload's own leftovers (servers it started) go too. */
	kill(-pid, SIGKILL);
	*secs = an_now() - t0;
	a->runs++;
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 127 &&
	    access(a->o.kblaunch, X_OK)) {
		kbctl_err("%s: %s", a->o.kblaunch, strerror(errno));
		return -1;
	}
	return status != -1 && WIFEXITED(status) && !WEXITSTATUS(status);
}

/* The profile text that gives every syscall in @idx (@n of them) @mode. */
static char *an_profile(const struct an *a, const uint32_t *idx, uint32_t n,
			const int *modes, enum an_mode mode)
{
	size_t cap = 64 + (size_t)n * 64, len = 0;
	char *text = malloc(cap);
	uint32_t i;

	if (!text)
		return NULL;
	len += snprintf(text + len, cap - len, "# kbctl analyze\n");
	for (i = 0; i < n; i++)
		len += snprintf(text + len, cap - len, "%s %s\n",
				a->sys[idx[i]].name,
				an_mode_names[modes ? modes[i] : (int)mode]);
	return text;
}

/*
 * " of at most M, ETA ..." for progress lines: the time left if every
 * remaining run took the average so far (an upper bound: failing
 * configurations skip their other replicas, and groups settle many
 * syscalls at once).
 */
static const char *an_eta(const struct an *a)
{
	static char buf[64];
	double left;

	if (!a->most || a->runs >= a->most)
		return "";
	left = (an_now() - a->t0) / a->runs * (a->most - a->runs);
	snprintf(buf, sizeof(buf), " of at most %u, at most %.0f s left",
		 a->most, left);
	return buf;
}

/*
 * Does the workload pass with @text's profile, in every replica? @what
 * names the test in progress lines and run ids. 1 yes, 0 no, -1 error.
 */
static int an_test(struct an *a, const char *what, const char *text)
{
	char id[96];
	unsigned int r;
	double secs;
	int ok = 1;

	a->tests++;
	for (r = 1; r <= a->o.replicas && ok == 1; r++) {
		snprintf(id, sizeof(id), "t%04u-r%u", a->tests, r);
		ok = an_run(a, id, text, &secs);
		if (ok == 1 && secs > a->slowest)
			a->slowest = secs;
		fprintf(stderr, "kbctl analyze: run %u%s (test %u, %s, replica %u): %s, %.1f s\n",
			a->runs, an_eta(a), a->tests, what, r,
			ok == 1 ? "ok" : ok ? "error" : "FAILED", secs);
	}
	return ok;
}

static int an_test_group(struct an *a, const uint32_t *idx, uint32_t n,
			 enum an_mode mode)
{
	char what[96];
	char *text = an_profile(a, idx, n, NULL, mode);
	int ok;

	if (!text)
		return -1;
	if (n == 1)
		snprintf(what, sizeof(what), "%s %s", a->sys[idx[0]].name,
			 an_mode_names[mode]);
	else
		snprintf(what, sizeof(what), "%u syscalls %s", n,
			 an_mode_names[mode]);
	ok = an_test(a, what, text);
	free(text);
	return ok;
}

/* Stubbing these can hide another stub's failure: never in a group. */
static bool an_alone(const struct an_sys *x)
{
	return !strcmp(x->name, "exit_group") || !strcmp(x->name, "exit");
}

/* Adaptive group testing: a passing group is settled, a failing one split. */
static int an_classify(struct an *a, uint32_t *idx, uint32_t n,
		       enum an_mode mode, bool known_failing)
{
	uint32_t i, half;
	int ok;

	if (!n)
		return 0;
	ok = known_failing ? 0 : an_test_group(a, idx, n, mode);
	if (ok < 0)
		return -1;
	if (ok || n == 1) {
		for (i = 0; i < n; i++)
			a->sys[idx[i]].ok[mode] = ok;
		return 0;
	}
	half = n / 2;
	if (an_classify(a, idx, half, mode, false))
		return -1;
	/*
	 * If the first half passed as a whole, the failure is in the second:
	 * testing the second half as a whole would only repeat it.
	 */
	for (i = 0; i < half && a->sys[idx[i]].ok[mode] == 1; i++)
		;
	return an_classify(a, idx + half, n - half, mode,
			   i == half && n - half > 1);
}

/* The baseline's report: the syscalls the application made. */
static int an_read_baseline(struct an *a, const char *report)
{
	struct json_object *root, *arr, *s, *v;
	size_t i, n;

	root = json_object_from_file(report);
	if (!root || !json_object_object_get_ex(root, "syscalls", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		kbctl_err("%s: not a kblaunch report", report);
		json_object_put(root);
		return -1;
	}
	n = json_object_array_length(arr);
	a->sys = calloc(n ? n : 1, sizeof(*a->sys));
	if (!a->sys) {
		json_object_put(root);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct an_sys *x = &a->sys[a->nsys];

		s = json_object_array_get_idx(arr, i);
		if (!json_object_object_get_ex(s, "count", &v) ||
		    !json_object_get_uint64(v))
			continue;
		x->count = json_object_get_uint64(v);
		json_object_object_get_ex(s, "nr", &v);
		x->nr = (uint32_t)json_object_get_int(v);
		json_object_object_get_ex(s, "name", &v);
		snprintf(x->name, sizeof(x->name), "%s",
			 json_object_get_string(v));
		/* No name libseccomp knows: a profile cannot name it. */
		if (!strncmp(x->name, "syscall_", 8))
			continue;
		x->ok[AN_STUB] = x->ok[AN_FAKE] = -1;
		a->nsys++;
	}
	json_object_put(root);
	return 0;
}

static const char *an_class(const struct an_sys *x)
{
	if (x->ok[AN_STUB] == 1 && x->ok[AN_FAKE] == 1)
		return "either";
	if (x->ok[AN_STUB] == 1)
		return "stub";
	if (x->ok[AN_FAKE] == 1)
		return "fake";
	return "required";
}

/*
 * What the analysis recommends, confirmed: every syscall that can go,
 * stubbed if it can be (else faked), all at once. If the combination
 * fails, syscalls are dropped from the end until it passes.
 */
static int an_confirm(struct an *a, uint32_t **pidx, int **pmodes,
		      uint32_t *pn, int *passed)
{
	uint32_t *idx = calloc(a->nsys ? a->nsys : 1, sizeof(*idx)), n = 0, i;
	int *modes = calloc(a->nsys ? a->nsys : 1, sizeof(*modes)), ok = 1;
	char *text;

	if (!idx || !modes) {
		free(idx);
		free(modes);
		return -1;
	}
	for (i = 0; i < a->nsys; i++) {
		if (a->sys[i].ok[AN_STUB] == 1 || a->sys[i].ok[AN_FAKE] == 1) {
			modes[n] = a->sys[i].ok[AN_STUB] == 1 ? AN_STUB : AN_FAKE;
			idx[n++] = i;
		}
	}
	for (;;) {
		text = an_profile(a, idx, n, modes, AN_STUB);
		if (!text)
			break;
		ok = an_test(a, "confirmation, all together", text);
		free(text);
		if (ok || !n)
			break;
		n--;
	}
	*pidx = idx;
	*pmodes = modes;
	*pn = n;
	*passed = ok == 1;
	return ok < 0 ? -1 : 0;
}

/* analysis.csv: one line per syscall, for spreadsheets and scripts. */
static int an_csv(const struct an *a)
{
	char path[PATH_MAX];
	uint32_t i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/analysis.csv", a->o.out);
	f = fopen(path, "w");
	if (!f) {
		kbctl_err("%s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "nr,name,count,stub,fake,class\n");
	for (i = 0; i < a->nsys; i++)
		fprintf(f, "%u,%s,%llu,%d,%d,%s\n", a->sys[i].nr, a->sys[i].name,
			(unsigned long long)a->sys[i].count,
			a->sys[i].ok[AN_STUB] == 1, a->sys[i].ok[AN_FAKE] == 1,
			an_class(&a->sys[i]));
	if (fclose(f)) {
		kbctl_err("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* analysis.md: the summary a person reads, one section per class. */
static int an_markdown(const struct an *a, const uint32_t *counts,
		       uint32_t n, int passed, double wall)
{
	static const char *const classes[] = { "required", "stub", "fake",
					       "either" };
	static const char *const titles[] = {
		"Required (the workload fails when it is stubbed and when it is faked)",
		"Stub-able only (ENOSYS works, returning 0 does not)",
		"Fake-able only (returning 0 works, ENOSYS does not)",
		"Either (stubbed or faked, the workload passes)",
	};
	char path[PATH_MAX];
	uint32_t i, c;
	FILE *f;
	int k;

	snprintf(path, sizeof(path), "%s/analysis.md", a->o.out);
	f = fopen(path, "w");
	if (!f) {
		kbctl_err("%s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "# kbctl analyze\n\nApplication:");
	for (k = 0; k < a->o.napps; k++)
		fprintf(f, " `%s`", a->o.apps[k]);
	fprintf(f, "  \nWorkload:");
	for (k = 0; k < a->o.nwork; k++)
		fprintf(f, " `%s`", a->o.work[k]);
	fprintf(f, "\n\n%u syscalls made; %u required, %u stub-able only, %u fake-able only, %u either. %s method, %u replicas: %u workload runs (%u configurations) in %.1f s. The generated profile (%u entries) %s its confirmation run.\n",
		a->nsys, counts[0], counts[1], counts[2], counts[3],
		a->o.exhaustive ? "Exhaustive" : "Group", a->o.replicas,
		a->runs, a->tests, wall, n, passed ? "passed" : "FAILED");
	for (c = 0; c < 4; c++) {
		fprintf(f, "\n## %s: %u\n\n", titles[c], counts[c]);
		if (!counts[c])
			continue;
		fprintf(f, "| syscall | nr | calls |\n|---|---|---|\n");
		for (i = 0; i < a->nsys; i++)
			if (!strcmp(an_class(&a->sys[i]), classes[c]))
				fprintf(f, "| %s | %u | %llu |\n", a->sys[i].name,
					a->sys[i].nr,
					(unsigned long long)a->sys[i].count);
	}
	if (fclose(f)) {
		kbctl_err("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int an_outputs(struct an *a, const uint32_t *idx, const int *modes,
		      uint32_t n, int passed, double wall)
{
	struct json_object *root = json_object_new_object(), *arr, *o, *w;
	char path[PATH_MAX], *text;
	uint32_t i, counts[4] = { 0 };
	int err = 0;

	arr = json_object_new_array();
	for (i = 0; i < a->nsys; i++) {
		const struct an_sys *x = &a->sys[i];
		const char *c = an_class(x);

		counts[!strcmp(c, "required") ? 0 : !strcmp(c, "stub") ? 1 :
		       !strcmp(c, "fake") ? 2 : 3]++;
		o = json_object_new_object();
		kb_json_add(o, "nr", json_object_new_int((int)x->nr));
		kb_json_add(o, "name", json_object_new_string(x->name));
		kb_json_add(o, "count", json_object_new_uint64(x->count));
		kb_json_add(o, "stub", json_object_new_boolean(x->ok[AN_STUB] == 1));
		kb_json_add(o, "fake", json_object_new_boolean(x->ok[AN_FAKE] == 1));
		kb_json_add(o, "class", json_object_new_string(c));
		json_object_array_add(arr, o);
	}
	w = json_object_new_array();
	for (i = 0; (int)i < a->o.nwork; i++)
		json_object_array_add(w, json_object_new_string(a->o.work[i]));
	kb_json_add(root, "workload", w);
	w = json_object_new_array();
	for (i = 0; (int)i < a->o.napps; i++)
		json_object_array_add(w, json_object_new_string(a->o.apps[i]));
	kb_json_add(root, "apps", w);
	kb_json_add(root, "method", json_object_new_string(
			a->o.exhaustive ? "exhaustive" : "groups"));
	kb_json_add(root, "replicas", json_object_new_int((int)a->o.replicas));
	kb_json_add(root, "runs", json_object_new_int((int)a->runs));
	kb_json_add(root, "tests", json_object_new_int((int)a->tests));
	kb_json_add(root, "wall_seconds", json_object_new_double(wall));
	o = json_object_new_object();
	kb_json_add(o, "required", json_object_new_int((int)counts[0]));
	kb_json_add(o, "stub", json_object_new_int((int)counts[1]));
	kb_json_add(o, "fake", json_object_new_int((int)counts[2]));
	kb_json_add(o, "either", json_object_new_int((int)counts[3]));
	kb_json_add(root, "classes", o);
	kb_json_add(root, "syscalls", arr);
	o = json_object_new_object();
	kb_json_add(o, "profile", json_object_new_string("generated.profile"));
	kb_json_add(o, "entries", json_object_new_int((int)n));
	kb_json_add(o, "passed", json_object_new_boolean(passed));
	kb_json_add(root, "confirmation", o);

	snprintf(path, sizeof(path), "%s/analysis.json", a->o.out);
	if (json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY |
				    JSON_C_TO_STRING_NOSLASHESCAPE)) {
		kbctl_err("%s: %s", path, json_util_get_last_err());
		err = -1;
	}
	json_object_put(root);
	text = an_profile(a, idx, n, modes, AN_STUB);
	snprintf(path, sizeof(path), "%s/generated.profile", a->o.out);
	if (!text || an_write_file(path, text))
		err = -1;
	free(text);
	if (an_csv(a) || an_markdown(a, counts, n, passed, wall))
		err = -1;
	printf("%u syscalls: %u required, %u stub-able, %u fake-able, %u either; %u runs (%u tests) in %.1f s; %s/generated.profile %s\n",
	       a->nsys, counts[0], counts[1], counts[2], counts[3], a->runs,
	       a->tests, wall, a->o.out, passed ? "passes" : "does NOT pass");
	return err;
}

enum { OPT_EXHAUSTIVE = 0x100, OPT_KBLAUNCH };

static const struct argp_option an_options[] = {
	{ "app", 'a', "PATH", 0,
	  "The application under test (an executable; repeatable): only it "
	  "gets the stubs and fakes, the rest of the workload runs natively",
	  0 },
	{ "out", 'o', "DIR", 0,
	  "Where the results go (default ./kbridge-analysis); created", 0 },
	{ "replicas", 'r', "N", 0,
	  "Runs per configuration, all of which must succeed (default 3)", 0 },
	{ "timeout", 't', "SEC", 0,
	  "Longest run (default: 5 x the slowest passing run + 10 s)", 0 },
	{ "exhaustive", OPT_EXHAUSTIVE, NULL, 0,
	  "Loupe's method: every syscall alone, stubbed then faked", 0 },
	{ "kblaunch", OPT_KBLAUNCH, "PATH", 0,
	  "The kblaunch to run (default: the one next to kbctl)", 0 },
	{ 0 }
};

static error_t an_parse(int key, char *arg, struct argp_state *state)
{
	struct an_opts *o = state->input;
	unsigned long v;
	char *end;

	switch (key) {
	case 'a':
		o->apps = realloc(o->apps, (o->napps + 1) * sizeof(*o->apps));
		if (!o->apps)
			argp_failure(state, KBCTL_EXIT_FAIL, ENOMEM, "--app");
		o->apps[o->napps++] = arg;
		break;
	case 'o':
		o->out = arg;
		break;
	case 'r':
	case 't':
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || *end || !*arg || arg[0] == '-' || !v || v > 100000)
			argp_error(state, "bad number '%s'", arg);
		if (key == 'r')
			o->replicas = (unsigned int)v;
		else
			o->timeout = (unsigned int)v;
		break;
	case OPT_EXHAUSTIVE:
		o->exhaustive = true;
		break;
	case OPT_KBLAUNCH:
		o->kblaunch = arg;
		break;
	case ARGP_KEY_ARGS:
		o->work = state->argv + state->next;
		o->nwork = state->argc - state->next;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (!o->napps)
			argp_error(state, "no --app given");
		if (!o->nwork)
			argp_error(state, "no WORKLOAD given");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* kblaunch next to this kbctl. */
static const char *an_default_kblaunch(void)
{
	static char path[PATH_MAX];
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return "kblaunch";
	self[n] = '\0';
	snprintf(path, sizeof(path), "%s/kblaunch", dirname(self));
	return path;
}

int kbctl_analyze(int argc, char **argv)
{
	static const struct argp argp = {
		an_options, an_parse, "--app PATH... [--] WORKLOAD [ARGS...]",
		"Find which syscalls an application can do without under a "
		"workload: stubbed (ENOSYS) or faked (0). WORKLOAD is a command "
		"that starts the application however it likes and exits 0 on "
		"success. Each configuration is run --replicas times under "
		"kblaunch --only APP; by default syscalls are tested in groups "
		"that are split when they fail, --exhaustive tests each alone.\v"
		"Writes DIR/analysis.json, analysis.csv and analysis.md, "
		"DIR/generated.profile (confirmed by a final run) and every "
		"run's files in DIR/runs/. Progress goes to "
		"stderr, one line per run.\n\n"
		"EXAMPLE:\n"
		"  kbctl analyze --app /usr/bin/sqlite3 -- sh -c 'sqlite3 :memory: \"select 1\"'",
		NULL, NULL, NULL
	};
	struct an a = { .o = { .out = "kbridge-analysis", .replicas = 3 } };
	uint32_t *idx = NULL, *final_idx = NULL, i, n = 0;
	int *final_modes = NULL, passed = 0, ret = KBCTL_EXIT_FAIL, ok, m;
	char dir[PATH_MAX], rep[PATH_MAX];
	double secs;

	argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &a.o);
	if (!a.o.kblaunch)
		a.o.kblaunch = an_default_kblaunch();
	snprintf(dir, sizeof(dir), "%s/runs", a.o.out);
	if ((mkdir(a.o.out, 0755) && errno != EEXIST) ||
	    (mkdir(dir, 0755) && errno != EEXIST)) {
		kbctl_err("%s: %s", dir, strerror(errno));
		return KBCTL_EXIT_FAIL;
	}
	a.t0 = an_now();

	/* The baseline: every replica must pass, unchanged. */
	for (i = 1; i <= a.o.replicas; i++) {
		char id[32];

		snprintf(id, sizeof(id), "baseline-r%u", i);
		ok = an_run(&a, id, NULL, &secs);
		fprintf(stderr, "kbctl analyze: run %u (baseline, replica %u): %s, %.1f s\n",
			a.runs, i, ok == 1 ? "ok" : "FAILED", secs);
		if (ok != 1) {
			kbctl_err("the workload fails without any stub (see %s/runs/%s.err)",
				  a.o.out, id);
			goto out;
		}
		if (secs > a.slowest)
			a.slowest = secs;
	}
	snprintf(rep, sizeof(rep), "%s/runs/baseline-r1.json", a.o.out);
	if (an_read_baseline(&a, rep))
		goto out;
	if (!a.nsys) {
		kbctl_err("the baseline saw no syscall of %s: is --app the program the workload runs?",
			  a.o.apps[0]);
		goto out;
	}
	fprintf(stderr, "kbctl analyze: the application made %u different syscalls\n",
		a.nsys);
	/*
	 * Baseline, confirmation, and per mode one test per syscall
	 * (exhaustive) or per node of the splitting tree (2n - 1 at most).
	 */
	a.most = a.runs + a.o.replicas *
		 (1 + AN_NMODES * (a.o.exhaustive ? a.nsys : 2 * a.nsys - 1));

	idx = calloc(a.nsys, sizeof(*idx));
	if (!idx)
		goto out;
	for (m = 0; m < AN_NMODES; m++) {
		for (i = 0; i < a.nsys; i++)
			idx[i] = i;
		if (a.o.exhaustive) {
			for (i = 0; i < a.nsys; i++) {
				ok = an_test_group(&a, &idx[i], 1, m);
				if (ok < 0)
					goto out;
				a.sys[i].ok[m] = ok;
			}
		} else {
			uint32_t grouped = 0;

			/* The ones tested alone first, then the groups. */
			for (i = 0; i < a.nsys; i++) {
				if (!an_alone(&a.sys[i])) {
					idx[grouped++] = i;
					continue;
				}
				ok = an_test_group(&a, &i, 1, m);
				if (ok < 0)
					goto out;
				a.sys[i].ok[m] = ok;
			}
			if (an_classify(&a, idx, grouped, m, false))
				goto out;
		}
	}
	if (an_confirm(&a, &final_idx, &final_modes, &n, &passed))
		goto out;
	if (an_outputs(&a, final_idx, final_modes, n, passed,
		       an_now() - a.t0) == 0 && passed)
		ret = 0;
out:
	free(idx);
	free(final_idx);
	free(final_modes);
	free(a.sys);
	free(a.o.apps);
	return ret;
}
