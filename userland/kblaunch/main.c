// SPDX-License-Identifier: GPL-2.0
/*
 * kblaunch: run an unmodified program with every syscall going through
 * kbridge.
 *
 * This process is the supervisor: it checks the module and creates the
 * session, forks the child that becomes the program (child.c), forwards
 * signals to it, waits, writes the report, and exits exactly as the
 * program did: same exit code, or killed by the same signal.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kblaunch.h"
#include "kb_release.h"
#include "../lib/profile.h"

struct kb_opts {
	const char *report;
	const char *profile;
	bool report_text;		/* --report-format text */
	bool no_fastpath;
	bool no_module;
	bool in_kernel;
	bool no_follow_exec;
	bool vdso_hide;
	bool verbose;
	char **only;			/* --only PATH, repeatable */
	int nonly;
	char **argv;
	int argc;
};

const char *argp_program_version = "kblaunch " KB_RELEASE;

enum {
	OPT_REPORT_FORMAT = 0x100, OPT_NO_FASTPATH, OPT_ONLY, OPT_VDSO,
	OPT_IN_KERNEL,
};

static const char doc[] =
"Run PROGRAM with all its syscalls going through kbridge.\n"
"\n"
"PROGRAM is looked up in PATH like execvp(3) does; #! scripts work. Every "
"syscall of the program, its threads, its children and the programs they "
"exec traps (Syscall User Dispatch) into kblaunch's runtime, which asks "
"kbridge.ko (/dev/kbridge) what to do; where there is no /dev/kbridge (or "
"with --no-module), the same tier core decides in the process, with the "
"same profile and the same report. The program's output, exit status "
"and fatal signal are its own.\n"
"\n"
"EXAMPLES:\n"
"  kblaunch -- ls -la /          run ls through kbridge.ko\n"
"  kblaunch --report counts.txt -- python3 -c 'print(1)'\n"
"                                also write per-syscall counts\n"
"  kblaunch --no-module -- ./app decide in this process, without the module\n"
"  kblaunch --in-kernel -- make  decide in the kernel only: execs at native\n"
"                                cost\n"
"  kblaunch --profile minimal.profile --report r.json -- ./app\n"
"                                stub and fake what the profile says, report\n"
"                                per-syscall counts and rule hits as JSON"
"\v"
"PROFILE is a file path, or the name of a profile kbridge ships (see "
"kbctl check). The report is JSON, its schema in docs/report.md.\n"
"\n"
"Exit status: the program's; 1 when kblaunch itself cannot start it "
"(module missing or of another release, bad option, report file), 126 "
"when PROGRAM cannot be executed, 127 when it is not found.";

static const char args_doc[] = "-- PROGRAM [ARGS...]";

static const struct argp_option options[] = {
	{ "report", 'r', "FILE", 0,
	  "When the program ends, write per-syscall counts (and, with the "
	  "module, each rule's hits) to FILE", 0 },
	{ "report-format", OPT_REPORT_FORMAT, "FORMAT", 0,
	  "json (the default) or text (\"name count\" lines, no rules)", 0 },
	{ "profile", 'p', "PROFILE", 0,
	  "Apply PROFILE (file or name) to the session before the program "
	  "starts; a profile that does not parse stops kblaunch", 0 },
	{ "no-fastpath", OPT_NO_FASTPATH, NULL, 0,
	  "Decide every syscall through SIGSYS and the ioctl, never in the "
	  "kernel at syscall entry", 0 },
	{ "in-kernel", OPT_IN_KERNEL, NULL, 0,
	  "Put no runtime in the program: the module decides every syscall "
	  "at syscall entry and follows execs itself, so the program and "
	  "what it execs start at native cost. For a profile the kernel "
	  "decides alone (no path conditions, no personality module); not "
	  "with --no-module, --no-fastpath, --only, --vdso=hide or "
	  "--no-follow-exec", 0 },
	{ "no-module", 'n', NULL, 0,
	  "Decide in the process, with the same tier core, instead of "
	  "through /dev/kbridge", 0 },
	{ "only", OPT_ONLY, "PATH", 0,
	  "Put only the programs PATH (an executable file; repeatable) under "
	  "the profile and in the report: every other program of the tree "
	  "(a workload's shell, its helpers) runs natively, still followed "
	  "into its children and execs", 0 },
	{ "vdso", OPT_VDSO, "keep|hide", 0,
	  "keep (the default): the program's libc reads the clock through "
	  "the vDSO, without syscalls; hide: the program and the programs "
	  "it execs get no vDSO, so clock_gettime, gettimeofday, time and "
	  "getcpu are syscalls that profiles decide and reports count", 0 },
	{ "no-follow-exec", 'X', NULL, 0,
	  "Let programs the program execs run natively, not through kbridge "
	  "(by default an exec re-enters kblaunch, same pid and session)", 0 },
	{ "verbose", 'v', NULL, 0, "Say what kblaunch does, on stderr", 0 },
	{ 0 }
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct kb_opts *o = state->input;

	switch (key) {
	case 'r':
		o->report = arg;
		break;
	case 'p':
		o->profile = arg;
		break;
	case OPT_REPORT_FORMAT:
		if (!strcmp(arg, "text"))
			o->report_text = true;
		else if (!strcmp(arg, "json"))
			o->report_text = false;
		else
			argp_error(state, "--report-format: '%s': json or text", arg);
		break;
	case OPT_NO_FASTPATH:
		o->no_fastpath = true;
		break;
	case OPT_IN_KERNEL:
		o->in_kernel = true;
		break;
	case OPT_VDSO:
		if (!strcmp(arg, "hide"))
			o->vdso_hide = true;
		else if (!strcmp(arg, "keep"))
			o->vdso_hide = false;
		else
			argp_error(state, "--vdso: '%s': keep or hide", arg);
		break;
	case OPT_ONLY:
		o->only = realloc(o->only, (o->nonly + 1) * sizeof(*o->only));
		if (!o->only)
			argp_failure(state, 1, ENOMEM, "--only");
		o->only[o->nonly++] = arg;
		break;
	case 'n':
		o->no_module = true;
		break;
	case 'X':
		o->no_follow_exec = true;
		break;
	case 'v':
		o->verbose = true;
		break;
	case ARGP_KEY_ARG:
		/* The first non-option is PROGRAM: the rest is its own. */
		return ARGP_ERR_UNKNOWN;
	case ARGP_KEY_ARGS:
		o->argv = state->argv + state->next;
		o->argc = state->argc - state->next;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (!o->argc)
			argp_error(state, "no PROGRAM given");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/*
 * Index of the entry matching @pred that comes first in the file (the
 * entries are in ABI order, `default` ones last in the file), or -1.
 */
static int64_t find_rule(const struct kb_profile *p,
			 bool (*pred)(const struct kb_rule_desc *))
{
	uint32_t i, line, best_line = UINT32_MAX;
	int64_t best = -1;

	for (i = 0; i < p->count; i++) {
		if (!pred(&p->rules[i]))
			continue;
		line = p->line && p->line[i] ? p->line[i] : UINT32_MAX;
		if (best < 0 || line < best_line) {
			best = i;
			best_line = line;
		}
	}
	return best;
}

static bool is_partial(const struct kb_rule_desc *d)
{
	return d->tier == KB_TIER_PARTIAL;
}

/* "FILE:LINE: 'rule'" (or "FILE: 'default'-rule") for messages. */
static const char *where(const struct kb_profile *p, uint32_t i, char *buf,
			 size_t len)
{
	char rule[KB_PATH_MAX + 256];
	const struct kb_rule_desc *d = &p->rules[i];

	if (kb_rule_format(d, (const char *)(uintptr_t)d->path, rule,
			   sizeof(rule)) < 0)
		snprintf(rule, sizeof(rule), "?");
	if (p->line && p->line[i])
		snprintf(buf, len, "%s:%u: '%s'", p->origin, p->line[i], rule);
	else
		snprintf(buf, len, "%s: '%s' (from its default line)",
			 p->origin, rule);
	return buf;
}

/*
 * Give the session the profile's rules, before any member exists: the
 * program's first instruction already obeys them.
 */
/* Name the profile's personality module for the session, if it has one. */
static void apply_personality(int fd, const struct kb_version *ver,
			      const struct kb_profile *p, bool verbose)
{
	struct kb_set_personality sp = { .size = sizeof(sp) };

	if (!p->personality[0])
		return;
	if (!(ver->features & KB_FEATURE_PERSONALITY))
		kb_die("%s:%u: the loaded kbridge.ko has no personality modules (no KB_FEATURE_PERSONALITY)",
		       p->origin, p->personality_line);
	memcpy(sp.name, p->personality, sizeof(sp.name));
	if (ioctl(fd, KB_IOC_SET_PERSONALITY, &sp))
		kb_die("%s:%u: KB_IOC_SET_PERSONALITY: %s", p->origin,
		       p->personality_line, strerror(errno));
	if (!sp.handlers)
		fprintf(stderr, "kblaunch: %s:%u: personality module '%s' is not loaded: the syscalls it implements run natively until it is\n",
			p->origin, p->personality_line, p->personality);
	else if (verbose)
		fprintf(stderr, "kblaunch: personality module %s: %u syscalls\n",
			p->personality, sp.handlers);
}

static void apply_profile(int fd, const struct kb_version *ver,
			  const struct kb_profile *p, bool verbose,
			  bool in_kernel)
{
	char buf[KB_PATH_MAX + 512];
	int64_t i;

	if (!p->count)
		return;
	if (!(ver->features & KB_FEATURE_RULES))
		kb_die("%s: the loaded kbridge.ko cannot apply rules (no KB_FEATURE_RULES)",
		       p->origin);
	i = find_rule(p, is_partial);
	if (i >= 0 && !(ver->features & KB_FEATURE_PARTIAL))
		kb_die("%s is a tier 2 (partial) rule, which the loaded kbridge.ko does not implement (no KB_FEATURE_PARTIAL)",
		       where(p, i, buf, sizeof(buf)));
	if (kb_set_rules(fd, p->rules, p->count))
		kb_die("%s: KB_IOC_SET_RULES: %s%s", p->origin, strerror(errno),
		       errno != EOPNOTSUPP ? "" : in_kernel ?
		       " (--in-kernel: its path conditions need kblaunch's runtime; run it without --in-kernel)" :
		       " (the loaded kbridge.ko does not implement a rule of this profile)");
	if (verbose)
		fprintf(stderr, "kblaunch: profile %s: %u entries applied\n",
			p->origin, p->count);
}

/*
 * The area of a run without the module (struct kbrt_counters): counters,
 * then the profile's entries with their globs, then room for a hit
 * counter per entry. Shared with the whole process tree and read here at
 * the end; a memfd, so that a program that execs can map it again in its
 * new image (reenter.c).
 */
static void local_area(struct kb_launch *l, const struct kb_profile *p)
{
	uint32_t n = p ? p->count : 0, i;
	struct kb_rule_desc *d;
	uint64_t strings = 0, at, size;
	char *area;
	int err;

	for (i = 0; i < n; i++)
		strings += p->rules[i].path ? p->rules[i].path_len + 1 : 0;
	size = sizeof(struct kbrt_counters) + n * sizeof(*d) + strings +
	       (n + 1) * sizeof(uint64_t);
	l->cntfd = memfd_create("kbridge-counters", MFD_CLOEXEC);
	if (l->cntfd < 0 || ftruncate(l->cntfd, (off_t)size))
		kb_die("cannot make the counters: %s", strerror(errno));
	area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    l->cntfd, 0);
	if (area == MAP_FAILED)
		kb_die("cannot map the counters: %s", strerror(errno));
	l->counters = (struct kbrt_counters *)area;
	l->counters->size = size;
	l->counters->rules_off = sizeof(struct kbrt_counters);
	l->counters->rules_count = n;
	d = (struct kb_rule_desc *)(area + l->counters->rules_off);
	at = l->counters->rules_off + n * sizeof(*d);
	for (i = 0; i < n; i++) {
		d[i] = p->rules[i];
		if (!d[i].path)
			continue;
		memcpy(area + at, (const char *)(uintptr_t)p->rules[i].path,
		       d[i].path_len);
		d[i].path = at;
		at += d[i].path_len + 1;
	}
	l->counters->hits_off = (at + 7) & ~7ULL;
	l->counters->hits_len = size - l->counters->hits_off;
	/* The checks the module would make, made now, before any fork. */
	err = kbrt_policy_build(l->counters, &l->policy);
	if (err)
		kb_die("%s: the in-process tier core refuses this profile: %s",
		       p ? p->origin : "(no profile)", strerror(-err));
}

/*
 * Open /dev/kbridge and check that it is a module of our release; -1 if
 * there is none.
 */
static int open_module(const struct kb_opts *o, struct kb_version *ver,
		       const struct kb_profile *prof)
{
	uint64_t need = KB_FEATURE_SESSIONS | KB_FEATURE_SYSCALL |
			KB_FEATURE_FOLLOW_FORK;
	struct kb_session_create sc = { .size = sizeof(sc) };
	int fd;

	fd = open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
			return -1;
		if (errno == EACCES || errno == EPERM)
			kb_die("%s: %s: kblaunch needs read-write access to the device (run as root, or adjust its permissions)",
			     KB_DEVICE_PATH, strerror(errno));
		kb_die("%s: %s", KB_DEVICE_PATH, strerror(errno));
	}
	if (kb_get_version(fd, ver))
		kb_die("%s: KB_IOC_GET_VERSION: %s: not a kbridge device, or a kbridge.ko too old or too new for kblaunch %s",
		     KB_DEVICE_PATH, strerror(errno), KB_RELEASE);
	if (ver->api_version != KB_API_VERSION ||
	    strcmp(ver->release, KB_RELEASE))
		kb_die("the loaded kbridge.ko is release %s (API %u) but kblaunch is release %s (API %u): load the kbridge.ko of this release",
		     ver->release, ver->api_version, KB_RELEASE,
		     KB_API_VERSION);
	if (o->report)
		need |= KB_FEATURE_STATS;
	if ((ver->features & need) != need)
		kb_die("the loaded kbridge.ko lacks features kblaunch needs (has 0x%llx, needs 0x%llx)",
		     (unsigned long long)ver->features,
		     (unsigned long long)need);
	/*
	 * The program may not loosen its own policy; --only's runtime sets
	 * each program's scope from inside it.
	 */
	if (ver->features & KB_FEATURE_LOCK)
		sc.flags = KB_SESSION_LOCKED |
			   (o->nonly ? KB_SESSION_MEMBER_SCOPE : 0);
	if (o->in_kernel) {
		if (!(ver->features & KB_FEATURE_NO_RUNTIME))
			kb_die("--in-kernel: the loaded kbridge.ko has no KB_FEATURE_NO_RUNTIME");
		if (prof && prof->personality[0])
			kb_die("%s:%u: --in-kernel: personality module '%s' runs through kblaunch's runtime; run it without --in-kernel",
			       prof->origin, prof->personality_line,
			       prof->personality);
		sc.flags |= KB_SESSION_NO_RUNTIME;
	}
	/* What kbctl ps calls the session; a module without names: none. */
	if (!(ver->features & KB_FEATURE_TASK_LIST))
		sc.size = offsetof(struct kb_session_create, name);
	else if (prof)
		kb_profile_name(prof->origin, sc.name, sizeof(sc.name));
	if (ioctl(fd, KB_IOC_SESSION_CREATE, &sc))
		kb_die("%s: KB_IOC_SESSION_CREATE: %s%s", KB_DEVICE_PATH,
		       strerror(errno), o->in_kernel && errno == EOPNOTSUPP ?
		       " (--in-kernel: the module's in-kernel decisions are not armed; see kbctl status)" :
		       "");
	if (o->verbose)
		fprintf(stderr,
			"kblaunch: kbridge.ko release %s API %u, %u syscalls, session %llu\n",
			ver->release, ver->api_version, ver->nr_syscalls,
			(unsigned long long)sc.session_id);
	if (prof)
		apply_profile(fd, ver, prof, o->verbose, o->in_kernel);
	if (prof)
		apply_personality(fd, ver, prof, o->verbose);
	return fd;
}

/* The signals a shell or a user sends to "the program". */
static const int forwarded[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
	SIGCONT, SIGALRM,
};

static volatile pid_t child_pid;

/*
 * Signals a terminal generates (Ctrl-C, Ctrl-\, window size) go to the
 * whole foreground process group, the program included: those carry
 * SI_KERNEL and are not sent a second time.
 */
static void forward(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	(void)uc;
	if (si->si_code != SI_KERNEL && child_pid > 0)
		kill(child_pid, sig);
	errno = saved;
}

static void install_forwarders(void)
{
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
		/* Ignored when kblaunch started (nohup, background): keep it so. */
		if (sigaction(forwarded[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(forwarded[i], &sa, NULL);
	}
}

/* Die of @sig ourselves, so our parent sees what the program died of. */
static noreturn void die_of(int sig)
{
	struct rlimit nocore = { 0, 0 };
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
	/* The program dumped core already if it was to; we must not. */
	setrlimit(RLIMIT_CORE, &nocore);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	/* A signal that does not kill when raised (it cannot kill a child either). */
	exit(128 + sig);
}

/* KB_IOC_GET_RULES from the in-process policy. */
static int local_rules(void *policy, struct kb_get_rules *g)
{
	return kbrt_policy_rules(policy, g);
}

static int write_report(const struct kb_opts *o, const struct kb_launch *l,
			const struct kb_version *ver,
			const struct kb_profile *prof, int wstatus)
{
	struct kb_report r = {
		.profile = prof, .wstatus = wstatus, .joined = -1,
		.last_changed = -1,
	};
	struct kb_session_stats st;
	uint64_t uring[KB_URING_OPS];
	struct kb_rules rules;
	uint64_t *counts;
	int err;

	if (l->counters) {
		r.release = KB_RELEASE;
		r.api = KB_API_VERSION;
		r.mode = "no-module";
		r.path = "in-process";
		r.counts = l->counters->nr;
		r.nr_counts = KB_NR_SYSCALLS;
		r.total = l->counters->total;
		r.out_of_range = l->counters->out_of_range;
		r.last_changed = (int64_t)l->counters->last_changed - 1;
		r.uring_why = "no module: io_uring operations are seen in the kernel only";
		if (!o->report_text) {
			err = kb_rules_fetch(local_rules, (void *)l->policy,
					     &rules);
			if (err) {
				fprintf(stderr, "kblaunch: the in-process rules: %s\n",
					strerror(-err));
				return err;
			}
			r.rules = &rules;
		}
		err = kb_report_write(l->report_fd, &r, o->report_text);
		if (r.rules)
			kb_rules_free(&rules);
		return err;
	}

	if (kb_get_stats(l->kbfd, ver, &st, &counts, uring)) {
		err = -errno;
		fprintf(stderr, "kblaunch: KB_IOC_SESSION_STATS: %s\n",
			strerror(errno));
		return err;
	}
	if (o->verbose)
		fprintf(stderr,
			"kblaunch: session: %llu syscalls, %llu tasks joined, %u members left\n",
			(unsigned long long)st.total,
			(unsigned long long)st.joined, st.members);
	/* A module without GET_RULES still gets a report, without rules. */
	if (!o->report_text && (ver->features & KB_FEATURE_GET_RULES)) {
		err = kb_rules_fetch_fd(l->kbfd, &rules);
		if (err) {
			fprintf(stderr, "kblaunch: KB_IOC_GET_RULES: %s\n",
				strerror(-err));
			free(counts);
			return err;
		}
		r.rules = &rules;
	}
	r.release = ver->release;
	r.api = ver->api_version;
	r.mode = "module";
	r.path = st.state & KB_SESSION_FASTPATH ? "fastpath" : "ioctl";
	r.counts = counts;
	r.nr_counts = st.nr_counts < ver->nr_syscalls ? st.nr_counts :
		      ver->nr_syscalls;
	r.total = st.total;
	r.fastpath = st.fastpath;
	r.out_of_range = st.out_of_range;
	r.joined = (int64_t)st.joined;
	/* A module before last_changed leaves it 0: not known. */
	r.last_changed = (int64_t)st.last_changed - 1;
	if (!(ver->features & KB_FEATURE_URING_OPS))
		r.uring_why = "the module does not count io_uring operations";
	else if (!st.uring_armed)
		r.uring_why = "this kernel has no io_uring submission tracepoint";
	else
		r.uring_ops = uring;
	err = kb_report_write(l->report_fd, &r, o->report_text);
	if (r.rules)
		kb_rules_free(&rules);
	free(counts);
	return err;
}

/*
 * SIGSYS as kblaunch got it: blocked, ignored or pending, the program
 * must find it so; the runtime keeps it virtual (rt/virtsig.c). Asked
 * before the fork: a pending signal stays with the parent.
 */
static int initial_sigsys(const sigset_t *mask)
{
	struct sigaction old;
	sigset_t pending;
	int state = 0;

	if (sigismember(mask, SIGSYS)) {
		state |= KBRT_REENTRY_SIGSYS_BLOCKED;
		if (sigpending(&pending) == 0 && sigismember(&pending, SIGSYS))
			state |= KBRT_REENTRY_SIGSYS_PENDING;
	}
	if (sigaction(SIGSYS, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		state |= KBRT_REENTRY_SIGSYS_IGNORED;
	return state;
}

int main(int argc, char **argv, char **envp)
{
	static const struct argp argp = {
		options, parse_opt, args_doc, doc, NULL, NULL, NULL
	};
	struct kb_launch l = { .kbfd = -1, .report_fd = -1, .cntfd = -1,
			       .onlyfd = -1 };
	struct kb_opts o = { 0 };
	struct kb_version ver = { 0 };
	struct kb_profile *prof = NULL;
	char perr[512];
	sigset_t block;
	char **e = envp;
	pid_t pid;
	size_t i;
	int status, err;

	/* Our own auxiliary vector follows the environment on the stack. */
	while (*e)
		e++;
	l.auxv = (const Elf64_auxv_t *)(e + 1);

	/* The program exec'd: load what it exec'd, in this very process. */
	if (argc >= 4 && !strcmp(argv[1], KBRT_REENTRY_ARG))
		kb_reenter(argc - 2, argv + 2, l.auxv);

	argp_err_exit_status = KB_EXIT_SETUP;
	argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &o);
	l.argv = o.argv;
	l.argc = o.argc;
	l.verbose = o.verbose;
	l.follow_exec = !o.no_follow_exec;
	l.vdso_hide = o.vdso_hide;
	l.fastpath = !o.no_fastpath;
	l.in_kernel = o.in_kernel;
	if (o.in_kernel && (o.no_module || o.no_fastpath || o.nonly ||
			    o.vdso_hide || o.no_follow_exec))
		kb_die("--in-kernel: not with --%s, which needs kblaunch's runtime in the program",
		       o.no_module ? "no-module" : o.no_fastpath ?
		       "no-fastpath" : o.nonly ? "only" : o.vdso_hide ?
		       "vdso=hide" : "no-follow-exec");

	/* A profile that does not parse stops everything, before any work. */
	if (o.profile) {
		prof = kb_profile_load(o.profile, perr, sizeof(perr));
		if (!prof)
			kb_die("%s", perr);
	}
	if (o.nonly)
		l.onlyfd = kb_only_fd(o.only, o.nonly);
	if (!o.no_module) {
		l.kbfd = open_module(&o, &ver, prof);
		if (l.kbfd < 0 && o.in_kernel)
			kb_die("--in-kernel: %s not found: load kbridge.ko",
			       KB_DEVICE_PATH);
		/* No module here (or in this container): decide in process. */
		if (l.kbfd < 0)
			fprintf(stderr, "kblaunch: %s not found: the tier core decides in this process (no module; as --no-module)\n",
				KB_DEVICE_PATH);
	} else {
		/* Said once, as for the fallback: the reports are the same. */
		fprintf(stderr, "kblaunch: --no-module: the tier core decides in this process\n");
	}
	if (l.kbfd >= 0) {
		l.mode = KBRT_MODE_MODULE;
		l.features = ver.features;
		if (o.nonly && !(ver.features & KB_FEATURE_SCOPE))
			kb_die("--only: the loaded kbridge.ko has no KB_FEATURE_SCOPE");
	} else {
		l.mode = KBRT_MODE_LOCAL;
		if (prof && prof->personality[0])
			kb_die("%s:%u: personality module '%s' runs in kbridge.ko, which is not here",
			       prof->origin, prof->personality_line,
			       prof->personality);
		local_area(&l, prof);
	}
	if (o.report) {
		l.report_fd = open(o.report,
				   O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				   0666);
		if (l.report_fd < 0)
			kb_die("%s: %s", o.report, strerror(errno));
	}

	/*
	 * Hold the forwarded signals until the forwarders know the child;
	 * the child starts with this mask and restores the original one.
	 */
	sigemptyset(&block);
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&block, forwarded[i]);
	sigprocmask(SIG_BLOCK, &block, &l.mask);
	l.sigsys = initial_sigsys(&l.mask);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		kb_die("fork: %s", strerror(errno));
	if (pid == 0)
		kb_child(&l);
	child_pid = pid;
	/*
	 * The program could otherwise ptrace us, its parent and the same
	 * user, and change its locked session through our file.
	 */
	if (l.mode == KBRT_MODE_MODULE && prctl(PR_SET_DUMPABLE, 0))
		kb_die("prctl(PR_SET_DUMPABLE): %s", strerror(errno));
	if (l.cntfd >= 0)
		close(l.cntfd);
	if (l.onlyfd >= 0)
		close(l.onlyfd);
	install_forwarders();
	sigprocmask(SIG_SETMASK, &l.mask, NULL);

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			kb_die("waitpid: %s", strerror(errno));
	}
	child_pid = 0;

	if (o.report) {
		err = write_report(&o, &l, &ver, prof, status);
		/* close() reports what the file system could not write. */
		if (close(l.report_fd) && !err)
			err = -errno;
		if (err) {
			fprintf(stderr, "kblaunch: %s: cannot write the report: %s\n",
				o.report, strerror(-err));
			return KB_EXIT_SETUP;
		}
	}
	if (prof)
		kb_profile_free(prof);
	if (o.verbose)
		fprintf(stderr, "kblaunch: program %s %d\n",
			WIFSIGNALED(status) ? "killed by signal" : "exited with",
			WIFSIGNALED(status) ? WTERMSIG(status) :
			WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		die_of(WTERMSIG(status));
	return WEXITSTATUS(status);
}
