/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbctl analyze, shared between the search (analyze.c), the runs of the
 * workload (run.c) and the outputs (output.c).
 */
#ifndef KBCTL_ANALYZE_H
#define KBCTL_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum an_mode { AN_STUB, AN_FAKE, AN_NMODES };
extern const char *const an_mode_names[AN_NMODES];

struct an_opts {
	char **apps;
	int napps;
	char **work;
	int nwork;
	const char *out;
	const char *kblaunch;
	unsigned int replicas;
	unsigned int timeout;
	unsigned int jobs;
	bool exhaustive;
	bool resume;
	bool vdso_keep;		/* --vdso=keep: time calls through the vDSO */
	bool no_early_end;	/* --no-early-end: runs end at exit or -t */
	bool no_subfeatures;	/* --no-subfeatures: whole syscalls only */
	bool no_effects;	/* --no-effects: effects not attributed */
	bool no_confirm;	/* --no-confirm: the profile is not tried */
	bool no_control;	/* --no-control: a vacuous check is allowed */
};

/* Why a run ended (run.c's an_end_names). */
enum an_end {
	AN_END_PASSED,		/* the workload exited 0 */
	AN_END_FAILED,		/* ... non-zero */
	AN_END_NO_PROGRESS,	/* stuck at a step far past the passing runs */
	AN_END_BOUND,		/* past the run's time bound (-t) */
	AN_END_STOPPED,		/* another replica had failed: not needed */
	AN_NENDS
};
extern const char *const an_end_names[AN_NENDS];

/* What the analysis spends its runs on (analyze.c's an_phase_names). */
enum an_phase {
	AN_PH_BASELINE,		/* the workload without stubs */
	AN_PH_CONTROL,		/* ... with all of them: it must fail */
	AN_PH_DISCOVERY,	/* finding commands and pseudo-files */
	AN_PH_SYSCALLS,		/* classing whole syscalls */
	AN_PH_SUBFEATURES,	/* classing commands and pseudo-files */
	AN_PH_REPLICAS,		/* the other replicas of what passed once */
	AN_PH_EFFECTS,		/* taking side effects to their causes */
	AN_PH_CONFIRMATION,	/* the generated profile, all together */
	AN_NPHASES
};
extern const char *const an_phase_names[AN_NPHASES];

/* Runs and the seconds they took. */
struct an_tally {
	unsigned int runs;
	double secs;
};

/*
 * The workload's steps (wl_step in tests/workloads/lib.sh: a line per
 * step in the file KBCTL_ANALYZE_STEPS names): step k of a run is the
 * time from the step before it (or the start) to the next event, a step
 * or the exit. A run that stays in a step AN_STEP_FACTOR times longer
 * than any passing run did there, plus AN_STEP_SLACK seconds, has stopped
 * making progress: it ends as failing (docs/analyze.md).
 */
#define AN_MAX_STEPS	32
#define AN_STEP_NAME	32
#define AN_STEP_FACTOR	2
#define AN_STEP_SLACK	2.0
struct an_step {
	char after[AN_STEP_NAME];	/* the step it follows ("": the start) */
	double longest;			/* s, in a passing run; <0: runs differ */
};

/* What one run of the workload measured. */
struct an_metrics {
	bool has_figure;
	double figure;		/* the workload's last stdout line, if a number */
	uint64_t rss_kb;	/* peak: sum of the app's processes' VmHWM */
	uint32_t fds;		/* peak open fds of the app's processes */
	double secs;
};

/* How a syscall fared in one mode. */
struct an_verdict {
	int ok;			/* 1 works, 0 does not, -1 not known yet */
	unsigned int test;	/* the test that settled it (0: none) */
	uint32_t group;		/* how many syscalls that test had in force */
	struct an_metrics m;	/* that test's first replica */
	bool pending;		/* passed fewer than --replicas runs yet */
};

/*
 * What can be stubbed or faked: a syscall the baseline saw the
 * application make, or one sub-feature of it (an ioctl request, a prctl
 * option...: @cond is then the profile condition, "cmd=TCGETS").
 */
struct an_sys {
	uint32_t nr;
	char name[40];
	char cond[256];
	uint64_t count;		/* calls in the baseline (or the discovery) */
	uint64_t other;		/* a syscall's calls with a value we cannot name */
	bool discovered;	/* its sub-features were looked for */
	struct an_verdict v[AN_NMODES];
	bool called;		/* scratch: made in the runs of one test */
	bool cleared[AN_NMODES]; /* passed alone once as a likely cause */
	unsigned int line;	/* scratch: its line in the profile tried */
};

struct an {
	struct an_opts o;
	struct an_sys *sys;
	uint32_t nsys;			/* syscalls, then sub-features */
	uint32_t nwhole;		/* of which syscalls */
	unsigned int runs;		/* workload runs so far */
	unsigned int reused;		/* of which taken from a resumed analysis */
	unsigned int tests;		/* configurations tested */
	/*
	 * The syscall the last failing run stubbed or faked last (kblaunch
	 * reports it in no-module mode), -1 when not known.
	 */
	int64_t culprit;
	unsigned int guess_right, guess_wrong;	/* culprits tried alone */
	uint32_t *dropped;		/* items the confirmation had to drop */
	uint32_t ndropped;
	unsigned int most;		/* most runs the analysis can need */
	double t0;
	double slowest;			/* longest successful run, s */
	struct an_metrics base[16];	/* the baseline's replicas */
	unsigned int nbase;
	bool controlled;		/* the control run failed, as it must */
	struct an_metrics *pop;		/* every passing run's, the noise */
	unsigned int npop, cpop;
	char comms[8][16];		/* the apps' process names */
	int ncomms;
	/*
	 * Bytes of KBRIDGE_ANALYZE_PAD given to the workload (0: none): the
	 * confirmation moves the program's stack with it.
	 */
	unsigned int pad;
	/*
	 * Replicas of the searching tests (0: --replicas): the group method
	 * runs one and gives what passed its other replicas together.
	 */
	unsigned int search_reps;
	unsigned int last_reps;		/* of the last test */
	bool early_end;			/* the runs now may end at a step */
	struct an_step steps[AN_MAX_STEPS + 1];
	unsigned int nsteps;
	enum an_phase phase;
	struct an_tally ended[AN_NENDS], spent[AN_NPHASES];
};

/* The longest KBRIDGE_ANALYZE_PAD (struct an's pad). */
#define AN_PAD_MAX	256

/* Passing runs needed before a side effect can stand out of their noise. */
#define AN_MIN_POP	5

/* A configuration: which syscalls, in which mode each. */
struct an_config {
	const uint32_t *idx;
	const int *modes;		/* NULL: all in @mode */
	uint32_t n;
	enum an_mode mode;
	unsigned int replicas;		/* 0: --replicas */
};

/* run.c */
/* Write @text to @path; -1 (said on stderr) on failure. */
int an_write_file(const char *path, const char *text);
/* Seconds on the monotonic clock. */
double an_now(void);
/* Fill a->comms from the --app paths. */
void an_app_comms(struct an *a);
/* Empty DIR/runs, or (resume) check it holds the same analysis. */
int an_prepare_runs(struct an *a);
/*
 * SIGINT, SIGTERM and SIGHUP end the analysis with its runs: the sessions
 * of the runs in flight and kbctl's adopted orphans are killed, then kbctl
 * dies of the signal (what finished stays for --resume). Makes kbctl a
 * child subreaper.
 */
void an_catch_stop(void);
/*
 * SIGKILL to every process of the sessions @sids[0..@n) (0s skipped) but
 * @spare, and with @orphans to every child of kbctl's, until none is
 * left alive (or 2 s passed). Async-signal-safe. Returns how many were
 * still alive (0), -1 if /proc does not read.
 */
int an_reap(const pid_t *sids, int n, pid_t spare, bool orphans);
/*
 * an_reap of kbctl's children, then their zombies collected: only when
 * no run is in flight, as it reaps whatever child has exited.
 */
void an_reap_orphans_wait(void);
/* PR_SET_CHILD_SUBREAPER for kbctl: 0, or -1 with errno. */
int an_become_subreaper(void);
/*
 * Run @replicas replicas, named "@prefix-rR", of one configuration
 * (@profile NULL: none), up to --jobs at once, stopping at the first
 * failure.
 * Returns 1 when all passed, 0 when one failed, -1 on error; @m gets the
 * first replica's metrics, and every a->sys[].called is set when that
 * syscall was made by the app in a run that counts (all replicas when
 * they pass, the failing one otherwise). @what names it in progress lines.
 */
int an_run_replicas(struct an *a, const char *prefix, const char *profile,
		    const char *what, unsigned int replicas,
		    struct an_metrics *m);

/*
 * Call @fn for what run @id's report counted: (nr, 0, calls) per syscall
 * made, (nr, line, hits) per profile line that decided calls. -1 if there
 * is no report, -2 (said on stderr, @fn never called) if it is not one.
 */
int an_report_walk(const struct an *a, const char *id,
		   void (*fn)(void *ctx, uint32_t nr, int line, uint64_t hits),
		   void *ctx);
/* Run @id's saved result and metrics; -1 (said) if there is none. */
int an_read_result(const struct an *a, const char *id, int *ok,
		   struct an_metrics *m);

/* discover.c */
/*
 * Add to a->sys the commands and pseudo-files the application uses, as
 * discovery runs under rules that pass them find; 0 or -1 on error.
 */
int an_discover(struct an *a);

/* output.c */
/* The profile text of @c; sets the line of each of its items. */
char *an_profile(struct an *a, const struct an_config *c);
/* "required", "stub", "fake" or "either". */
const char *an_class(const struct an_sys *x);
/* Is any of @m's figures outside the baseline's noise? */
bool an_effects(const struct an *a, const struct an_metrics *m);
/*
 * analysis.json, .csv, .md and generated.profile; @passed: the
 * confirmation passed (1), failed (0), was not run (-1). -1 if one failed.
 */
int an_outputs(struct an *a, const struct an_config *final, int passed,
	       const struct an_metrics *final_m, double wall);

#endif
