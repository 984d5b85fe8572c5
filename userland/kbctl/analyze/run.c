// SPDX-License-Identifier: GPL-2.0
/*
 * kbctl analyze: one configuration's runs of the workload.
 *
 * Each run is "kblaunch --only APP --report ID.json [--profile
 * ID.profile] -- WORKLOAD" in a session of its own (reap.c), with stdout
 * and stderr in DIR/runs/ID.{out,err}. While it runs, /proc is sampled for
 * the application's processes (the session's members with the app's name:
 * under kblaunch their exe is kblaunch's loader, their comm the app's) to
 * take its peak memory and open fds. A run that outlives the timeout
 * loses everything in its session but kblaunch, which then still writes
 * the report that says what the application called.
 *
 * A run that stops making progress goes the same way, long before the
 * timeout: the workload names its steps as it reaches them (a line each
 * in the file KBCTL_ANALYZE_STEPS names, tests/workloads/lib.sh's
 * wl_step), kbctl times them, and in the runs of a test (not the
 * baseline's, nor discovery's) a step that lasts AN_STEP_FACTOR times
 * the longest any passing run spent there, plus AN_STEP_SLACK, ends the
 * run as failing. A workload without steps has one, start to exit. Time
 * in which the machine ran nothing of kbctl's (its look at the runs came
 * more than AN_LATE late: a starved guest) does not count.
 * Every run's end (passed, failed, no-progress, bound, stopped) is kept
 * in ID.result, its steps in ID.steps.
 *
 * Every finished run leaves ID.result; --resume takes a run's result from
 * there instead of running it again when ID.profile says the same thing,
 * and the search, being deterministic in the results, asks again the same
 * questions in the same order.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/procstat.h"
#include "../kbctl.h"
#include "analyze.h"
#include "jsonin.h"

#define AN_MAX_JOBS	64
#define AN_POLL_US	20000
/* A look at the runs later than this past its time is a stall (s). */
#define AN_LATE		0.1

const char *const an_mode_names[AN_NMODES] = { "stub", "fake" };
const char *const an_end_names[AN_NENDS] = {
	"passed", "failed", "no-progress", "bound", "stopped"
};

double an_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int an_write_file(const char *path, const char *text)
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
 * The whole of a small file kbctl wrote (a run's profile or result, the
 * analysis's identity), NUL-terminated; NULL with errno if it cannot be
 * read, or is larger than any of them can be (EFBIG: not kbctl's).
 */
#define AN_SLURP_MAX	(4u << 20)
static char *an_slurp(const char *path, size_t *lenp)
{
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0, got;
	FILE *f = fopen(path, "r");
	int err = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			nb = realloc(buf, cap + 8192);
			if (!nb) {
				err = ENOMEM;
				break;
			}
			buf = nb;
			cap += 8192;
		}
		got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (len > AN_SLURP_MAX) {
			err = EFBIG;
			break;
		}
		if (!got) {
			if (ferror(f))
				err = errno ? errno : EIO;
			break;
		}
	}
	fclose(f);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

static void an_add_comm(struct an *a, const char *path)
{
	char tmp[PATH_MAX];
	int i;

	if (a->ncomms >= (int)(sizeof(a->comms) / sizeof(a->comms[0])))
		return;
	snprintf(tmp, sizeof(tmp), "%s", path);
	/* The kernel keeps the first 15 bytes of the name. */
	snprintf(a->comms[a->ncomms], sizeof(a->comms[0]), "%.15s",
		 basename(tmp));
	for (i = 0; i < a->ncomms; i++)
		if (!strcmp(a->comms[i], a->comms[a->ncomms]))
			return;
	a->ncomms++;
}

void an_app_comms(struct an *a)
{
	char real[PATH_MAX];
	int i;

	for (i = 0; i < a->o.napps; i++) {
		an_add_comm(a, a->o.apps[i]);
		if (realpath(a->o.apps[i], real))
			an_add_comm(a, real);
	}
}

/* What identifies an analysis, for --resume to check. */
static char *an_identity(const struct an *a)
{
	size_t cap = 256, len = 0;
	char *s;
	int i;

	for (i = 0; i < a->o.napps; i++)
		cap += strlen(a->o.apps[i]) + 8;
	for (i = 0; i < a->o.nwork; i++)
		cap += strlen(a->o.work[i]) + 8;
	s = malloc(cap);
	if (!s)
		return NULL;
	len += snprintf(s + len, cap - len, "replicas %u\nmethod %s\n",
			a->o.replicas,
			a->o.exhaustive ? "exhaustive" : "groups");
	for (i = 0; i < a->o.napps; i++)
		len += snprintf(s + len, cap - len, "app %s\n", a->o.apps[i]);
	for (i = 0; i < a->o.nwork; i++)
		len += snprintf(s + len, cap - len, "workload %s\n",
				a->o.work[i]);
	return s;
}

int an_prepare_runs(struct an *a)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	char *id = an_identity(a), *old;
	struct dirent *de;
	int err = -1;
	DIR *d;

	if (!id)
		return -1;
	snprintf(dir, sizeof(dir), "%s/runs", a->o.out);
	if ((mkdir(a->o.out, 0755) && errno != EEXIST) ||
	    (mkdir(dir, 0755) && errno != EEXIST)) {
		kbctl_err("%s: %s", dir, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/analysis", dir);
	if (a->o.resume) {
		old = an_slurp(path, NULL);
		if (!old) {
			kbctl_err("--resume: %s: %s (no analysis to resume there)",
				  path, strerror(errno));
			goto out;
		}
		if (strcmp(old, id)) {
			kbctl_err("--resume: %s was another analysis (other apps, workload, replicas or method)",
				  a->o.out);
			free(old);
			goto out;
		}
		free(old);
		err = 0;
		goto out;
	}
	/* A new analysis: nothing of an earlier one may be taken for its. */
	d = opendir(dir);
	if (!d) {
		kbctl_err("%s: %s", dir, strerror(errno));
		goto out;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path)) {
			kbctl_err("%s: %s", path, strerror(errno));
			closedir(d);
			goto out;
		}
	}
	closedir(d);
	snprintf(path, sizeof(path), "%s/analysis", dir);
	err = an_write_file(path, id);
out:
	free(id);
	return err;
}

struct an_child {
	pid_t pid;			/* kblaunch, leader of the run's group */
	double t0;
	unsigned int replica;
	struct an_metrics m;
	unsigned int seen;		/* samples that found the app */
	int ok;
	enum an_end end;
	bool done;
	int pidfd;			/* readable when kblaunch exits; -1 */
	/* The steps the workload reached: their names and times (s). */
	char step[AN_MAX_STEPS][AN_STEP_NAME];
	double at[AN_MAX_STEPS];
	unsigned int nsteps;
	off_t steps_read;		/* bytes of the steps file taken */
	double stalled;			/* s the machine ran nothing of ours */
};

/*
 * Fewer samples than this (100 ms of the app's life) and its peaks are
 * not known: a process caught while it starts would look lean.
 */
#define AN_MIN_SAMPLES	5

static bool an_is_app(const struct an *a, const char *comm)
{
	int i;

	for (i = 0; i < a->ncomms; i++)
		if (!strcmp(a->comms[i], comm))
			return true;
	return false;
}

static uint32_t an_count_fds(const char *pid)
{
	char path[300];
	struct dirent *de;
	uint32_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static uint64_t an_hwm_kb(const char *pid)
{
	char path[300], line[256];
	unsigned long long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %llu", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* The session and name of /proc/@pid. */
static int an_stat(const char *pid, pid_t *sid, char *comm, size_t len)
{
	unsigned long long v[KB_STAT_SESSION + 1];

	if (kb_proc_stat(pid, comm, len, v, KB_STAT_SESSION))
		return -1;
	*sid = (pid_t)v[KB_STAT_SESSION];
	return 0;
}

/*
 * One look at /proc: the app's processes of each running child's
 * session, their memory peaks and fds summed, raise that child's peaks.
 */
static void an_sample(const struct an *a, struct an_child *c, int n)
{
	uint64_t rss[AN_MAX_JOBS] = { 0 };
	uint32_t fds[AN_MAX_JOBS] = { 0 };
	bool seen[AN_MAX_JOBS] = { false };
	struct dirent *de;
	char comm[64];
	pid_t sid;
	DIR *d;
	int i;

	d = opendir("/proc");
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]) ||
		    an_stat(de->d_name, &sid, comm, sizeof(comm)))
			continue;
		for (i = 0; i < n; i++) {
			if (c[i].done || sid != c[i].pid ||
			    !an_is_app(a, comm))
				continue;
			rss[i] += an_hwm_kb(de->d_name);
			fds[i] += an_count_fds(de->d_name);
			seen[i] = true;
		}
	}
	closedir(d);
	for (i = 0; i < n; i++) {
		c[i].seen += seen[i];
		if (rss[i] > c[i].m.rss_kb)
			c[i].m.rss_kb = rss[i];
		if (fds[i] > c[i].m.fds)
			c[i].m.fds = fds[i];
	}
}

/*
 * The steps file of job slot @slot: a name of the same length for every
 * run, so that the workload's (and the application's) environment, and
 * with it the layout of its stack, is the same in every run.
 */
static void an_steps_path(const struct an *a, int slot, char *buf, size_t len)
{
	snprintf(buf, len, "%s/runs/steps.%02d", a->o.out, slot);
}

/*
 * The sessions of the runs in flight, by job slot (0: none). A run's
 * workload is a session of its own, which a signal to kbctl does not
 * reach: killed with kbctl, an analysis would leave its runs going, and a
 * program a stub sent into a loop spinning for ever. Changed with the
 * signals below blocked, read by their handler.
 */
static pid_t an_inflight[AN_MAX_JOBS];
static const int an_stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void an_block(sigset_t *old)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < sizeof(an_stop_signals) / sizeof(an_stop_signals[0]); i++)
		sigaddset(&set, an_stop_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

/* SIGINT, SIGTERM, SIGHUP: the runs in flight go first, then kbctl. */
static void an_on_stop(int sig)
{
	an_reap(an_inflight, AN_MAX_JOBS, 0, true);
	signal(sig, SIG_DFL);
	raise(sig);
}

void an_catch_stop(void)
{
	struct sigaction sa = { .sa_handler = an_on_stop };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(an_stop_signals) / sizeof(an_stop_signals[0]); i++)
		sigaction(an_stop_signals[i], &sa, NULL);
	/* What leaves a run's session comes back to kbctl when orphaned. */
	if (an_become_subreaper())
		kbctl_err("warning: prctl(PR_SET_CHILD_SUBREAPER): %s: a daemon a workload starts may outlive its run",
			  strerror(errno));
}

static pid_t an_spawn(const struct an *a, const char *id, bool profile,
		      int slot)
{
	char steps[PATH_MAX + 128];
	char path[PATH_MAX + 128], prof[PATH_MAX + 128], rep[PATH_MAX + 128];
	char **argv;
	int argc = 0, i, fd;
	sigset_t old;
	pid_t pid;

	argv = calloc(9 + 2 * a->o.napps + a->o.nwork, sizeof(*argv));
	if (!argv)
		return -1;
	snprintf(rep, sizeof(rep), "%s/runs/%s.json", a->o.out, id);
	snprintf(prof, sizeof(prof), "%s/runs/%s.profile", a->o.out, id);
	argv[argc++] = (char *)a->o.kblaunch;
	for (i = 0; i < a->o.napps; i++) {
		argv[argc++] = "--only";
		argv[argc++] = a->o.apps[i];
	}
	argv[argc++] = a->o.vdso_keep ? "--vdso=keep" : "--vdso=hide";
	argv[argc++] = "--report";
	argv[argc++] = rep;
	if (profile) {
		argv[argc++] = "--profile";
		argv[argc++] = prof;
	}
	argv[argc++] = "--";
	for (i = 0; i < a->o.nwork; i++)
		argv[argc++] = a->o.work[i];
	/* A stale report must not pass for this run's, nor stale steps. */
	unlink(rep);
	an_steps_path(a, slot, steps, sizeof(steps));
	fd = open(steps, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		kbctl_err("%s: %s", steps, strerror(errno));
		free(argv);
		return -1;
	}
	close(fd);

	/* Recorded before a stop signal can come (an_inflight). */
	an_block(&old);
	pid = fork();
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		kbctl_err("fork: %s", strerror(errno));
		free(argv);
		return -1;
	}
	if (!pid) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		/*
		 * Its own session: a timeout takes all of it down, including
		 * what runs in groups of its own (coreutils' timeout).
		 */
		if (setsid() < 0)
			_exit(127);
		if (setenv("KBCTL_ANALYZE_STEPS", steps, 1))
			_exit(127);
		if (a->pad) {
			char pad[AN_PAD_MAX + 1];

			memset(pad, 'x', a->pad);
			pad[a->pad] = '\0';
			if (setenv("KBRIDGE_ANALYZE_PAD", pad, 1))
				_exit(127);
		}
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
	/* Until its setsid, an_on_stop finds it as kbctl's child. */
	an_inflight[slot] = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return pid;
}

/*
 * The steps run @c's workload reported since the last look (@c is in job
 * slot @slot, @t seconds after its start). A line not yet ended is left
 * for the next look.
 */
static void an_read_steps(const struct an *a, struct an_child *c, int slot,
			  double t)
{
	char path[PATH_MAX + 128], buf[4096], *p, *nl;
	ssize_t n;
	int fd;

	if (c->nsteps >= AN_MAX_STEPS)
		return;
	an_steps_path(a, slot, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = pread(fd, buf, sizeof(buf) - 1, c->steps_read);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (p = buf; c->nsteps < AN_MAX_STEPS &&
	     (nl = memchr(p, '\n', (size_t)(buf + n - p))); p = nl + 1) {
		*nl = '\0';
		snprintf(c->step[c->nsteps], AN_STEP_NAME, "%.*s",
			 AN_STEP_NAME - 1, p);
		c->at[c->nsteps++] = t;
		c->steps_read += nl + 1 - p;
	}
}

/*
 * When run @c, in the step it is in now, has stopped making progress
 * (seconds after its start); 0 when no passing run says.
 */
static double an_step_deadline(const struct an *a, const struct an_child *c)
{
	unsigned int k = c->nsteps;
	const struct an_step *s = &a->steps[k];

	if (k >= a->nsteps || s->longest < 0 ||
	    strcmp(s->after, k ? c->step[k - 1] : ""))
		return 0;
	return (k ? c->at[k - 1] : 0) + AN_STEP_FACTOR * s->longest +
	       AN_STEP_SLACK;
}

/* Step @k of a passing run, after step @after, took @d seconds. */
static void an_learn_step(struct an *a, unsigned int k, const char *after,
			  double d)
{
	struct an_step *s = &a->steps[k];

	if (k > a->nsteps || k > AN_MAX_STEPS)
		return;
	if (k == a->nsteps) {
		snprintf(s->after, sizeof(s->after), "%s", after);
		s->longest = d;
		a->nsteps++;
	} else if (strcmp(s->after, after)) {
		/* Passing runs go different ways from here: no bound. */
		s->longest = -1;
	} else if (s->longest >= 0 && d > s->longest) {
		s->longest = d;
	}
}

/* Keep @c's steps as DIR/runs/@id.steps ("SECONDS NAME" lines). */
static int an_save_steps(const struct an *a, const char *id,
			 const struct an_child *c)
{
	char path[PATH_MAX + 128];
	unsigned int k;
	FILE *f;

	snprintf(path, sizeof(path), "%s/runs/%s.steps", a->o.out, id);
	f = fopen(path, "w");
	if (!f) {
		kbctl_err("%s: %s", path, strerror(errno));
		return -1;
	}
	for (k = 0; k < c->nsteps; k++)
		fprintf(f, "%.3f %s\n", c->at[k], c->step[k]);
	if (fclose(f)) {
		kbctl_err("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* What passing run @c says of how long each step may take. */
static void an_learn_steps(struct an *a, const struct an_child *c)
{
	unsigned int k;

	for (k = 0; k <= c->nsteps; k++)
		an_learn_step(a, k, k ? c->step[k - 1] : "",
			      (k < c->nsteps ? c->at[k] : c->m.secs) -
			      (k ? c->at[k - 1] : 0));
}

/* The same, from the steps file of a passing run taken by --resume. */
static void an_learn_saved_steps(struct an *a, const char *id, double secs)
{
	char path[PATH_MAX + 128], line[AN_STEP_NAME + 64], *nl;
	struct an_child c = { .m.secs = secs };
	double at;
	int len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/runs/%s.steps", a->o.out, id);
	f = fopen(path, "r");
	if (!f)
		return;
	while (c.nsteps < AN_MAX_STEPS && fgets(line, sizeof(line), f)) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (sscanf(line, "%lf %n", &at, &len) != 1 || !(at >= 0))
			break;
		snprintf(c.step[c.nsteps], AN_STEP_NAME, "%.*s",
			 AN_STEP_NAME - 1, line + len);
		c.at[c.nsteps++] = at;
	}
	fclose(f);
	an_learn_steps(a, &c);
}

/*
 * The workload's figure: its last line of output, if that is a number.
 * Only the end of the output is read: a workload may print a lot.
 */
#define AN_FIGURE_TAIL	4096
static void an_figure(const struct an *a, const char *id,
		      struct an_metrics *m)
{
	char path[PATH_MAX + 128], text[AN_FIGURE_TAIL + 1], *last, *end;
	struct stat st;
	ssize_t n;
	size_t len;
	off_t off;
	int fd;

	snprintf(path, sizeof(path), "%s/runs/%s.out", a->o.out, id);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	off = !fstat(fd, &st) && st.st_size > AN_FIGURE_TAIL ?
	      st.st_size - AN_FIGURE_TAIL : 0;
	n = pread(fd, text, AN_FIGURE_TAIL, off);
	close(fd);
	if (n <= 0)
		return;
	len = (size_t)n;
	text[len] = '\0';
	/* A NUL in the output: the last line is what follows it. */
	last = memrchr(text, '\0', len);
	if (last)
		memmove(text, last + 1, len - (size_t)(last + 1 - text) + 1);
	len = strlen(text);
	while (len && isspace((unsigned char)text[len - 1]))
		text[--len] = '\0';
	last = strrchr(text, '\n');
	last = last ? last + 1 : text;
	while (isspace((unsigned char)*last))
		last++;
	if (*last) {
		errno = 0;
		m->figure = strtod(last, &end);
		while (isspace((unsigned char)*end))
			end++;
		m->has_figure = !errno && !*end && isfinite(m->figure);
	}
}

static void an_close_pidfd(struct an_child *c)
{
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pidfd = -1;
}

/*
 * The next look at the running children: AN_POLL_US from now, or as soon
 * as one of them exits (a run of a few milliseconds is not made to wait
 * for the poll; without pidfds, the full interval).
 */
static void an_wait(const struct an_child *c, int n)
{
	struct pollfd p[AN_MAX_JOBS];
	int i, k = 0;

	for (i = 0; i < n; i++)
		if (!c[i].done && c[i].pidfd >= 0)
			p[k++] = (struct pollfd){ .fd = c[i].pidfd,
						  .events = POLLIN };
	if (k)
		poll(p, k, AN_POLL_US / 1000);
	else
		usleep(AN_POLL_US);
}

/* A profile has at most this many lines (docs/profiles.md). */
#define AN_PROFILE_LINES	65536

int an_report_walk(const struct an *a, const char *id,
		   void (*fn)(void *ctx, uint32_t nr, int line, uint64_t hits),
		   void *ctx)
{
	char path[PATH_MAX + 128], where[64], rwhere[96];
	struct json_object *root, *arr, *s, *v, *rules, *e;
	uint64_t count, hits;
	int64_t nr, line;
	bool missing;
	size_t i, k;
	int ret = -2;

	snprintf(path, sizeof(path), "%s/runs/%s.json", a->o.out, id);
	root = kj_load(path, &missing);
	if (!root)
		return missing ? -1 : -2;
	/*
	 * Checked whole before the first call of @fn: a report that is
	 * wrong somewhere says so and counts for nothing.
	 */
	if (!kj_member(path, "", root, "syscalls", json_type_array, false, &arr))
		goto out;
	for (i = 0; i < json_object_array_length(arr); i++) {
		snprintf(where, sizeof(where), ".syscalls[%zu]", i);
		if (!kj_object_at(path, ".syscalls", arr, i, &s) ||
		    !kj_int(path, where, s, "nr", 0, KB_NR_SYSCALLS - 1, &nr) ||
		    !kj_uint(path, where, s, "count", &count) ||
		    !kj_member(path, where, s, "rules", json_type_array, true, &rules))
			goto out;
		for (k = 0; rules && k < json_object_array_length(rules); k++) {
			snprintf(rwhere, sizeof(rwhere), "%s.rules[%zu]", where, k);
			if (!kj_object_at(path, rwhere, rules, k, &e) ||
			    !kj_uint(path, rwhere, e, "hits", &hits))
				goto out;
			/* null: a rule that was not in the profile */
			if (!kj_member(path, rwhere, e, "line", json_type_int, true, &v) ||
			    (v && !kj_int(path, rwhere, e, "line", 0, AN_PROFILE_LINES, &line)))
				goto out;
		}
	}
	for (i = 0; i < json_object_array_length(arr); i++) {
		s = json_object_array_get_idx(arr, i);
		json_object_object_get_ex(s, "count", &v);
		count = json_object_get_uint64(v);
		json_object_object_get_ex(s, "nr", &v);
		nr = json_object_get_int64(v);
		if (!count)
			continue;
		fn(ctx, (uint32_t)nr, 0, count);
		if (!json_object_object_get_ex(s, "rules", &rules) || !rules)
			continue;
		for (k = 0; k < json_object_array_length(rules); k++) {
			e = json_object_array_get_idx(rules, k);
			json_object_object_get_ex(e, "hits", &v);
			hits = json_object_get_uint64(v);
			if (!json_object_object_get_ex(e, "line", &v) || !v)
				continue;
			line = json_object_get_int64(v);
			if (hits && line > 0)
				fn(ctx, (uint32_t)nr, (int)line, hits);
		}
	}
	ret = 0;
out:
	json_object_put(root);
	return ret;
}

static void an_mark_called(void *ctx, uint32_t nr, int line, uint64_t hits)
{
	struct an *a = ctx;
	uint32_t j;

	(void)hits;
	if (!line) {
		for (j = 0; j < a->nwhole; j++)
			if (a->sys[j].nr == nr)
				a->sys[j].called = true;
		return;
	}
	for (j = a->nwhole; j < a->nsys; j++)
		if (a->sys[j].nr == nr && (int)a->sys[j].line == line)
			a->sys[j].called = true;
}

/*
 * Set a->sys[].called from the run's report: a syscall when the app made
 * it, a sub-feature when the profile line that names it decided a call.
 * -1 if there is no report.
 */
static int an_read_called(struct an *a, const char *id)
{
	return an_report_walk(a, id, an_mark_called, a);
}

static const char *an_eta(const struct an *a)
{
	static char buf[64];
	double left;

	if (!a->most || a->runs >= a->most)
		return "";
	/*
	 * If every remaining run took the average so far: an upper bound,
	 * failing configurations skipping their other replicas and groups
	 * settling many syscalls at once.
	 */
	left = (an_now() - a->t0) / a->runs * (a->most - a->runs);
	snprintf(buf, sizeof(buf), " of at most %u, at most %.0f s left",
		 a->most, left);
	return buf;
}

/*
 * One number of a result line at *@p, up to a blank or the end: false if
 * there is none or it is not followed by one.
 */
static bool an_field(char **p, char **tok)
{
	char *s = *p;

	while (*s == ' ')
		s++;
	if (!*s)
		return false;
	*tok = s;
	s += strcspn(s, " ");
	if (*s)
		*s++ = '\0';
	*p = s;
	return true;
}

/*
 * The result file @path into @ok, @m and @ended: NULL, or why it is not
 * one (errno's text when it cannot be read).
 */
static const char *an_parse_result(const char *path, int *ok,
				   struct an_metrics *m, enum an_end *ended)
{
	char *res, *p, *t[7], *end;
	const char *why = NULL;
	unsigned long long u;
	size_t len;
	int i, e;

	memset(m, 0, sizeof(*m));
	res = an_slurp(path, &len);
	if (!res)
		return strerror(errno);
	/*
	 * One line, as an_save_result() writes it: "OK SECS HAS FIGURE RSS
	 * FDS END", END missing in the results of kbctl before early ends.
	 */
	if (strlen(res) != len)
		why = "a NUL byte";
	if (len && res[len - 1] == '\n')
		res[--len] = '\0';
	if (!why && strchr(res, '\n'))
		why = "more than one line";
	p = res;
	for (i = 0; !why && i < 7 && an_field(&p, &t[i]); i++)
		;
	if (!why && (i < 6 || *p))
		why = "not 6 or 7 fields";
	if (!why && strcmp(t[0], "0") && strcmp(t[0], "1"))
		why = "the outcome is not 0 or 1";
	if (!why && strcmp(t[2], "0") && strcmp(t[2], "1"))
		why = "has-figure is not 0 or 1";
	if (!why) {
		*ok = t[0][0] - '0';
		*ended = *ok ? AN_END_PASSED : AN_END_FAILED;
		for (e = 0; i == 7 && e < AN_END_STOPPED; e++)
			if (!strcmp(t[6], an_end_names[e]))
				break;
		if (i == 7 && (e == AN_END_STOPPED ||
			       (e == AN_END_PASSED) != (*ok == 1)))
			why = "the end is not one of an outcome's";
		else if (i == 7)
			*ended = (enum an_end)e;
	}
	if (!why) {
		m->has_figure = t[2][0] == '1';
		errno = 0;
		m->secs = strtod(t[1], &end);
		if (*end || errno || !isfinite(m->secs) || m->secs < 0)
			why = "bad duration";
	}
	if (!why) {
		m->figure = strtod(t[3], &end);
		if (*end || errno || !isfinite(m->figure))
			why = "bad figure";
	}
	if (!why) {
		u = strtoull(t[4], &end, 10);
		if (*end || errno || t[4][0] == '-')
			why = "bad peak RSS";
		m->rss_kb = u;
	}
	if (!why) {
		u = strtoull(t[5], &end, 10);
		if (*end || errno || t[5][0] == '-' || u > UINT32_MAX)
			why = "bad fd count";
		m->fds = (uint32_t)u;
	}
	free(res);
	if (why)
		memset(m, 0, sizeof(*m));
	return why;
}

int an_read_result(const struct an *a, const char *id, int *ok,
		   struct an_metrics *m)
{
	char path[PATH_MAX + 128];
	enum an_end ended;
	const char *why;

	snprintf(path, sizeof(path), "%s/runs/%s.result", a->o.out, id);
	why = an_parse_result(path, ok, m, &ended);
	if (!why)
		return 0;
	if (access(path, F_OK))
		kbctl_err("%s: %s", path, why);
	else
		kbctl_err("%s:1: not a run's result (%s)", path, why);
	return -1;
}

/* The saved result of an earlier run of the same profile, for --resume. */
static bool an_resumed(struct an *a, const char *id, const char *text,
		       struct an_metrics *m, int *ok, enum an_end *ended)
{
	char path[PATH_MAX + 128], *old;
	const char *why;
	bool same;

	snprintf(path, sizeof(path), "%s/runs/%s.profile", a->o.out, id);
	old = an_slurp(path, NULL);
	same = old && !strcmp(old, text);
	free(old);
	snprintf(path, sizeof(path), "%s/runs/%s.result", a->o.out, id);
	if (!same || access(path, R_OK))
		return false;
	why = an_parse_result(path, ok, m, ended);
	if (why)
		fprintf(stderr, "kbctl analyze: warning: %s:1: not a run's result (%s): the run is made again\n",
			path, why);
	return !why;
}

static int an_save_result(const struct an *a, const char *id,
			  const struct an_child *c)
{
	char path[PATH_MAX + 128], line[256];
	const struct an_metrics *m = &c->m;

	snprintf(path, sizeof(path), "%s/runs/%s.result", a->o.out, id);
	snprintf(line, sizeof(line), "%d %.6f %d %.17g %llu %u %s\n", c->ok,
		 m->secs, m->has_figure, m->figure,
		 (unsigned long long)m->rss_kb, m->fds, an_end_names[c->end]);
	return an_write_file(path, line);
}

/* One more run, of @secs, that ended so, in the phase the analysis is in. */
static void an_tally(struct an *a, enum an_end ended, double secs)
{
	a->runs++;
	a->ended[ended].runs++;
	a->ended[ended].secs += secs;
	a->spent[a->phase].runs++;
	a->spent[a->phase].secs += secs;
}

/*
 * @c, in job slot @slot, has exited with @status (-1: ended by kbctl,
 * c->end says why): 1 ok, 0 failed, -1 error.
 */
static int an_finish(struct an *a, struct an_child *c, int slot, int status)
{
	char path[PATH_MAX + 128];
	int ok;

	c->done = true;
	c->m.secs = an_now() - c->t0;
	an_read_steps(a, c, slot, c->m.secs);
	an_steps_path(a, slot, path, sizeof(path));
	unlink(path);
	if (c->seen < AN_MIN_SAMPLES)
		c->m.rss_kb = c->m.fds = 0;
	/* The workload's own leftovers (servers it started) go too. */
	an_reap(&c->pid, 1, 0, false);
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 127 &&
	    access(a->o.kblaunch, X_OK)) {
		kbctl_err("%s: %s", a->o.kblaunch, strerror(errno));
		return -1;
	}
	ok = status != -1 && WIFEXITED(status) && !WEXITSTATUS(status);
	if (status != -1)
		c->end = ok ? AN_END_PASSED : AN_END_FAILED;
	if (ok)
		an_learn_steps(a, c);
	return ok;
}

/*
 * A run past its time, or stuck in a step: everything in its session but
 * kblaunch is killed, so that kblaunch reports what the app did;
 * kblaunch gets a moment for that, then goes too.
 */
static void an_timeout(struct an *a, struct an_child *c, int n,
		       struct an_child *late, const char *report, int *status)
{
	double t = an_now();

	an_sample(a, c, n);
	an_reap(&late->pid, 1, late->pid, false);
	while (an_now() - t < 3) {
		if (waitpid(late->pid, status, WNOHANG) == late->pid)
			goto dead;
		usleep(AN_POLL_US);
	}
	an_reap(&late->pid, 1, 0, false);
	waitpid(late->pid, status, 0);
	/*
	 * kblaunch may have been writing it: half a report is no report
	 * (all of the group's syscalls then count as made).
	 */
	unlink(report);
dead:
	/* A timeout is a failure, whatever kblaunch exited with. */
	*status = -1;
}

/* The report's last_changed syscall, -1 if none, -2 (said) if it is wrong. */
static int64_t an_read_last_changed(const struct an *a, const char *id)
{
	char path[PATH_MAX + 128];
	struct json_object *root, *o;
	int64_t nr = -1;
	bool missing;

	snprintf(path, sizeof(path), "%s/runs/%s.json", a->o.out, id);
	root = kj_load(path, &missing);
	if (!root)
		return missing ? -1 : -2;
	if (!kj_member(path, "", root, "last_changed", json_type_object, true, &o) ||
	    (o && !kj_int(path, ".last_changed", o, "nr", 0, KB_NR_SYSCALLS - 1, &nr)))
		nr = -2;
	json_object_put(root);
	return nr;
}

/*
 * Take run @id's result @rok into the test's @ok. What the app called
 * counts from every passing run, and from the first failing one alone:
 * that is where the failure is (all of them, when its report is missing).
 * -1 (said) when the run's report is there but wrong.
 */
static int an_take(struct an *a, const char *id, int rok,
		   const struct an_metrics *m, int *ok)
{
	struct an_metrics *np;
	uint32_t j;
	int r;

	/* Every passing run is a sample of the noise (output.c). */
	if (rok == 1) {
		if (a->npop == a->cpop) {
			np = reallocarray(a->pop, a->cpop + 256, sizeof(*np));
			if (np) {
				a->pop = np;
				a->cpop += 256;
			}
		}
		if (a->npop < a->cpop)
			a->pop[a->npop++] = *m;
	}
	if (*ok != 1)
		return 0;
	if (rok == 1)
		return an_read_called(a, id) == -2 ? -1 : 0;
	for (j = 0; j < a->nsys; j++)
		a->sys[j].called = false;
	r = an_read_called(a, id);
	if (r == -2)
		return -1;
	if (r)
		for (j = 0; j < a->nsys; j++)
			a->sys[j].called = true;
	a->culprit = an_read_last_changed(a, id);
	if (a->culprit == -2)
		return -1;
	*ok = rok;
	return 0;
}

int an_run_replicas(struct an *a, const char *prefix, const char *profile,
		    const char *what, unsigned int replicas,
		    struct an_metrics *first)
{
	struct an_child c[AN_MAX_JOBS];
	unsigned int next = 1, r, jobs;
	char id[128], path[PATH_MAX + 128];
	const char *text = profile ? profile : "# kbctl analyze: no stubs\n";
	int running = 0, ok = 1, i, st, n = 0;
	double limit, now, late;
	sigset_t old;
	bool early;
	uint32_t j;

	jobs = a->o.jobs < replicas ? a->o.jobs : replicas;
	if (jobs > AN_MAX_JOBS)
		jobs = AN_MAX_JOBS;
	memset(first, 0, sizeof(*first));
	a->culprit = -1;
	for (j = 0; j < a->nsys; j++)
		a->sys[j].called = false;
	limit = a->o.timeout ? a->o.timeout :
		a->slowest > 0 ? 5 * a->slowest + 10 : 120;
	early = a->early_end && !a->o.no_early_end;

	while (ok == 1 && (next <= replicas || running)) {
		/* Start what the failures so far and --jobs allow. */
		while (ok == 1 && next <= replicas && running < (int)jobs) {
			struct an_metrics m;
			enum an_end ended;
			int rok;

			r = next++;
			snprintf(id, sizeof(id), "%s-r%u", prefix, r);
			if (a->o.resume &&
			    an_resumed(a, id, text, &m, &rok, &ended)) {
				an_tally(a, ended, m.secs);
				a->reused++;
				if (rok == 1)
					an_learn_saved_steps(a, id, m.secs);
				if (r == 1)
					*first = m;
				fprintf(stderr, "kbctl analyze: run %u%s (%s, replica %u): %s, %.1f s (resumed)\n",
					a->runs, an_eta(a), what, r,
					rok == 1 ? "ok" : "FAILED", m.secs);
				if (an_take(a, id, rok, &m, &ok)) {
					ok = -1;
					goto out;
				}
				continue;
			}
			snprintf(path, sizeof(path), "%s/runs/%s.profile",
				 a->o.out, id);
			if (an_write_file(path, text)) {
				ok = -1;
				goto out;
			}
			/* A finished child's slot, or a new one. */
			for (i = 0; i < n && !c[i].done; i++)
				;
			if (i == n)
				n++;
			memset(&c[i], 0, sizeof(c[i]));
			c[i].replica = r;
			c[i].t0 = an_now();
			c[i].pid = an_spawn(a, id, profile != NULL, i);
			if (c[i].pid < 0) {
				/* Nothing to stop in this slot. */
				c[i].done = true;
				ok = -1;
				goto out;
			}
			c[i].pidfd = syscall(SYS_pidfd_open, c[i].pid, 0);
			running++;
		}
		if (!running)
			break;
		now = an_now();
		an_wait(c, n);
		an_sample(a, c, n);
		/*
		 * A look that came much later than asked: the machine did not
		 * run kbctl (a starved guest, a loaded host), nor, likely, the
		 * workload. That time is not the workload's: every running
		 * step gets it back.
		 */
		late = an_now() - now - AN_POLL_US / 1e6 - AN_LATE;
		for (i = 0; late > 0 && i < n; i++)
			c[i].stalled += late;
		for (i = 0; i < n; i++) {
			char why[AN_STEP_NAME + 64] = "";
			double t, dl;
			pid_t w;

			if (c[i].done)
				continue;
			/* Reaped and forgotten as one (an_inflight). */
			an_block(&old);
			w = waitpid(c[i].pid, &st, WNOHANG);
			t = an_now() - c[i].t0;
			if (!w)
				an_read_steps(a, &c[i], i, t);
			dl = early ? an_step_deadline(a, &c[i]) : 0;
			if (!w && (t > limit || (dl > 0 && t > dl + c[i].stalled))) {
				c[i].end = t > limit ? AN_END_BOUND :
					   AN_END_NO_PROGRESS;
				snprintf(path, sizeof(path), "%s/runs/%s-r%u.json",
					 a->o.out, prefix, c[i].replica);
				an_timeout(a, c, n, &c[i], path, &st);
				w = c[i].pid;
			}
			if (w == c[i].pid)
				an_inflight[i] = 0;
			sigprocmask(SIG_SETMASK, &old, NULL);
			if (w != c[i].pid)
				continue;
			running--;
			an_close_pidfd(&c[i]);
			c[i].ok = an_finish(a, &c[i], i, st);
			an_tally(a, c[i].end, c[i].m.secs);
			snprintf(id, sizeof(id), "%s-r%u", prefix, c[i].replica);
			an_figure(a, id, &c[i].m);
			if (c[i].ok == 1 && c[i].m.secs > a->slowest)
				a->slowest = c[i].m.secs;
			if (c[i].replica == 1)
				*first = c[i].m;
			if (c[i].end == AN_END_BOUND)
				snprintf(why, sizeof(why), " (past its %.0f s bound)",
					 limit);
			else if (c[i].end == AN_END_NO_PROGRESS)
				snprintf(why, sizeof(why), " (no progress after %s%s%s)",
					 c[i].nsteps ? "step '" : "its start",
					 c[i].nsteps ? c[i].step[c[i].nsteps - 1] : "",
					 c[i].nsteps ? "'" : "");
			fprintf(stderr, "kbctl analyze: run %u%s (%s, replica %u): %s%s, %.1f s\n",
				a->runs, an_eta(a), what, c[i].replica,
				c[i].ok == 1 ? "ok" : c[i].ok ? "error" : "FAILED",
				why, c[i].m.secs);
			if (c[i].ok < 0 || an_save_result(a, id, &c[i]) ||
			    an_save_steps(a, id, &c[i])) {
				ok = -1;
				goto out;
			}
			if (an_take(a, id, c[i].ok, &c[i].m, &ok)) {
				ok = -1;
				goto out;
			}
		}
	}
out:
	/* A failure makes the other replicas pointless. */
	for (i = 0; i < n; i++) {
		if (c[i].done)
			continue;
		an_block(&old);
		an_reap(&c[i].pid, 1, 0, false);
		waitpid(c[i].pid, &st, 0);
		an_inflight[i] = 0;
		sigprocmask(SIG_SETMASK, &old, NULL);
		an_close_pidfd(&c[i]);
		c[i].done = true;
		an_tally(a, AN_END_STOPPED, an_now() - c[i].t0);
		an_steps_path(a, i, path, sizeof(path));
		unlink(path);
	}
	/*
	 * No run in flight now: what kbctl adopted (daemons that left their
	 * run's session, a dead kblaunch's app) is a run's leftover.
	 */
	an_reap_orphans_wait();
	return ok;
}
