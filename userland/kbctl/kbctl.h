/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbctl: what its subcommand files share.
 */
#ifndef KBCTL_H
#define KBCTL_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/kbridge.h>

/* Exit statuses: 0 done, 1 any error (message on stderr). */
#define KBCTL_EXIT_FAIL		1

/* main.c */
void kbctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "1234" -> 1234; prints the error and returns -1 when it is not a PID. */
pid_t kbctl_parse_pid(const char *s);
/*
 * ARGP_KEY_ARG and ARGP_KEY_ARGS of a "PID [WORDS...]" command (get, set):
 * the first argument is the PID (exits with the error when it is not
 * one), the words after it are taken as they are, so that a rule's "fake
 * -1" is not read as an option. Other keys: ARGP_ERR_UNKNOWN.
 */
error_t kbctl_parse_pid_words(int key, char *arg, struct argp_state *state,
			      pid_t *pid, char ***words, int *nwords);
/* "42" -> 42: an id (session, rule), decimal digits only; false otherwise. */
bool kbctl_parse_id(const char *s, uint64_t *v);

/* target.c */
/*
 * The kbridge fd of the session PID runs under, copied into this process
 * with pidfd_getfd(2) (the kernel checks ptrace-attach rights for us).
 * Prints what went wrong and returns -1.
 */
int kbctl_session_fd(pid_t pid);
/* /dev/kbridge, opened for GET_VERSION only; -1 with errno. */
int kbctl_open_module(void);
/* The same, saying why on stderr when it cannot be opened. */
int kbctl_open_device(void);
/*
 * Every entry of KB_IOC_TASK_LIST or KB_IOC_EXEC_RULE_LIST (@cmd), each
 * @entry bytes: a malloc'd array of *@n; NULL with errno on error.
 */
void *kbctl_list(int fd, unsigned long cmd, uint32_t entry, uint32_t *n);
/* The session of @pid (kbctl_session_fd) and its GET_VERSION into @v;
 * -1 said. */
int kbctl_open_session(pid_t pid, struct kb_version *v);
struct kb_rules;
/* The rules of the session of @fd (pid @pid) into @r; -1 said. */
int kbctl_fetch_rules(int fd, pid_t pid, const struct kb_version *v,
		      struct kb_rules *r);

/* The subcommands: argc/argv start at the subcommand's name. */
int kbctl_status(int argc, char **argv);
int kbctl_get(int argc, char **argv);
int kbctl_set(int argc, char **argv);
int kbctl_check(int argc, char **argv);
/* stats.c, top.c: the eBPF counters (bpfstat.h) */
int kbctl_stats(int argc, char **argv);
int kbctl_top(int argc, char **argv);
/* analyze.c: Loupe-style analysis of an application under a workload */
int kbctl_analyze(int argc, char **argv);
/* plan.c: Loupe-style support plan from analyze reports */
int kbctl_plan(int argc, char **argv);
int kbctl_loupedb(int argc, char **argv);
/* rule.c: kbctl rule add|list|del */
int kbctl_rule(int argc, char **argv);
/*
 * The session exec rule @id's programs join (stats and top --rule); -1
 * with the reason printed when it has none or is no rule.
 */
int kbctl_rule_session(const char *id, uint64_t *session);
/* ps.c: kbctl ps, the tasks under kbridge (KB_IOC_TASK_LIST) */
int kbctl_ps(int argc, char **argv);
/* What KB_IOC_TASK_LIST says of the task @pid; false: not listed. */
bool kbctl_task_info(pid_t pid, struct kb_task_info *out);

#endif /* KBCTL_H */
