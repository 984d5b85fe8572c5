// SPDX-License-Identifier: GPL-2.0
/*
 * getppid_bench: time a loop of syscall(SYS_getppid) under one
 * interception mechanism and check every result it got.
 *
 * glibc does not cache getppid, so each iteration is one real syscall
 * entry; the loop is timed with CLOCK_MONOTONIC around the whole loop,
 * after a short warm-up. Every return value is compared with what the
 * configuration must produce (the real parent, or an errno, or a faked
 * value): a configuration that silently measures something else (a stub
 * that passes, a filter that was never installed) fails instead of
 * printing a figure.
 *
 * Output, one line on stdout:
 *   getppid_bench mode=MODE iters=N ns_per_call=X
 * Exit status 0, or 1 with the reason on stderr.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "getppid_loop.h"

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH	59
#define PR_SYS_DISPATCH_OFF		0
#define PR_SYS_DISPATCH_ON		1
#endif
#ifndef SA_RESTORER
#define SA_RESTORER			0x04000000
#endif

enum mode { M_NATIVE, M_SECCOMP_ALLOW, M_SECCOMP_ERRNO, M_SUD };
static const char *const mode_names[] = {
	[M_NATIVE] = "native",
	[M_SECCOMP_ALLOW] = "seccomp-allow",
	[M_SECCOMP_ERRNO] = "seccomp-errno",
	[M_SUD] = "sud",
};

struct opts {
	enum mode mode;
	unsigned long iters;
	struct expect expect;
};

/* ---- bare Syscall User Dispatch: the minimal SIGSYS peer ---- */

/*
 * The allowed range: the handler's re-issue and the signal restorer. SUD
 * tests the address *after* the syscall instruction, so the range ends
 * with padding past the last one. x86_64 has no vDSO sigreturn, hence our
 * own restorer inside the range (glibc's would trap again).
 */
long bench_raw_syscall6(long nr, long a, long b, long c, long d, long e,
			long f);
void bench_sigreturn(void);
extern const char __start_bench_sud_text[], __stop_bench_sud_text[];

#define STR_(x) #x
#define STR(x) STR_(x)
__asm__(".pushsection bench_sud_text, \"ax\", @progbits\n"
	".globl bench_raw_syscall6\n"
	".type bench_raw_syscall6, @function\n"
	"bench_raw_syscall6:\n"
	"	movq %rdi, %rax\n"
	"	movq %rsi, %rdi\n"
	"	movq %rdx, %rsi\n"
	"	movq %rcx, %rdx\n"
	"	movq %r8, %r10\n"
	"	movq %r9, %r8\n"
	"	movq 8(%rsp), %r9\n"
	"	syscall\n"
	"	ret\n"
	".globl bench_sigreturn\n"
	".type bench_sigreturn, @function\n"
	"bench_sigreturn:\n"
	"	movl $" STR(__NR_rt_sigreturn) ", %eax\n"
	"	syscall\n"
	"	ud2\n"
	".popsection\n");

static volatile unsigned long sud_getppid_traps;

/*
 * Runs for every syscall the program makes while dispatch is on. It must
 * itself make no syscall outside the range, so no libc call at all.
 */
static void sud_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;

	(void)sig;
	if (si->si_syscall == SYS_getppid)
		sud_getppid_traps = sud_getppid_traps + 1;
	g[REG_RAX] = bench_raw_syscall6(si->si_syscall, g[REG_RDI], g[REG_RSI],
					g[REG_RDX], g[REG_R10], g[REG_R8],
					g[REG_R9]);
}

/* The kernel's struct sigaction, which glibc's sigaction() hides. */
struct ksigaction {
	void (*handler)(int, siginfo_t *, void *);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

static int sud_arm(void)
{
	struct ksigaction sa = {
		.handler = sud_handler,
		.flags = SA_SIGINFO | SA_RESTORER,
		.restorer = bench_sigreturn,
		.mask = 0,
	};
	unsigned long start = (unsigned long)__start_bench_sud_text;
	unsigned long len = (unsigned long)(__stop_bench_sud_text -
					    __start_bench_sud_text);

	if (syscall(SYS_rt_sigaction, SIGSYS, &sa, NULL, sizeof(sa.mask))) {
		fprintf(stderr, "getppid_bench: rt_sigaction(SIGSYS): %m\n");
		return -1;
	}
	/* No selector: every syscall outside the range is dispatched. */
	if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, start, len,
		  0)) {
		fprintf(stderr, "getppid_bench: PR_SET_SYSCALL_USER_DISPATCH: %m\n");
		return -1;
	}
	return 0;
}

static long sud_disarm(void)
{
	/* From inside the range: the prctl itself must not be dispatched. */
	return bench_raw_syscall6(SYS_prctl, PR_SET_SYSCALL_USER_DISPATCH,
				  PR_SYS_DISPATCH_OFF, 0, 0, 0, 0);
}

/* ---- seccomp-bpf ---- */

static int seccomp_install(enum mode m)
{
	/* The usual prologue: refuse a foreign arch, then look at the nr. */
	struct sock_filter allow[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_filter errno_getppid[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog;

	if (m == M_SECCOMP_ALLOW) {
		prog.len = sizeof(allow) / sizeof(allow[0]);
		prog.filter = allow;
	} else {
		prog.len = sizeof(errno_getppid) / sizeof(errno_getppid[0]);
		prog.filter = errno_getppid;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		fprintf(stderr, "getppid_bench: PR_SET_NO_NEW_PRIVS: %m\n");
		return -1;
	}
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) {
		fprintf(stderr, "getppid_bench: seccomp(SET_MODE_FILTER): %m\n");
		return -1;
	}
	return 0;
}

/* ---- the loop ---- */

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;
	char *end;
	size_t i;

	switch (key) {
	case 'm':
		for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
			if (!strcmp(arg, mode_names[i]))
				break;
		if (i == sizeof(mode_names) / sizeof(mode_names[0]))
			argp_error(state, "unknown mode '%s'", arg);
		o->mode = (enum mode)i;
		break;
	case 'n':
		errno = 0;
		o->iters = strtoul(arg, &end, 10);
		if (errno || *end || !*arg || arg[0] == '-' || !o->iters)
			argp_error(state, "bad iteration count '%s'", arg);
		break;
	default:
		return getppid_common_opt(key, arg, state, &o->expect);
	}
	return 0;
}

static const struct argp_option options[] = {
	{ "mode", 'm', "MODE", 0,
	  "native (default), seccomp-allow, seccomp-errno (getppid fails "
	  "with ENOSYS), sud (Syscall User Dispatch + SIGSYS handler "
	  "re-issuing every call)", 0 },
	{ "iters", 'n', "N", 0, "Timed iterations (default 1000000)", 0 },
	{ "expect", 'e', "WHAT", 0,
	  "What every getppid must return: ppid (the parent in "
	  "/proc/self/stat), errno:N (-1 with errno N) or value:V. Default: "
	  "errno:38 for seccomp-errno, ppid otherwise", 0 },
	{ 0 }
};

static const struct argp argp = {
	options, parse_opt, NULL,
	"Time a loop of syscall(SYS_getppid) and check every result.\v"
	"Prints: getppid_bench mode=MODE iters=N ns_per_call=X\n\n"
	"EXAMPLES:\n"
	"  getppid_bench -n 1000000\n"
	"  getppid_bench -m seccomp-errno\n"
	"  kblaunch --profile getppid-stub.profile -- getppid_bench -e errno:38\n",
	NULL, NULL, NULL
};

int main(int argc, char **argv)
{
	struct opts o = { .mode = M_NATIVE, .iters = 1000000 };
	unsigned long warm, bad, i;
	long bad_ret = 0;
	int bad_errno = 0;
	double t0, t1;

	argp_parse(&argp, argc, argv, 0, NULL, &o);
	if (o.expect.kind == E_DEFAULT && o.mode == M_SECCOMP_ERRNO) {
		o.expect.kind = E_ERRNO;
		o.expect.arg = ENOSYS;
	}
	if (expect_resolve(&o.expect)) {
		fprintf(stderr, "getppid_bench: cannot read the parent from /proc/self/stat\n");
		return 1;
	}

	if ((o.mode == M_SECCOMP_ALLOW || o.mode == M_SECCOMP_ERRNO) &&
	    seccomp_install(o.mode))
		return 1;
	if (o.mode == M_SUD && sud_arm())
		return 1;

	warm = o.iters / 20 < 10000 ? o.iters / 20 : 10000;
	bad = getppid_loop(warm, &o.expect, &bad_ret, &bad_errno);
	t0 = now_ns();
	bad += getppid_loop(o.iters, &o.expect, &bad_ret, &bad_errno);
	t1 = now_ns();

	if (o.mode == M_SUD && sud_disarm()) {
		fprintf(stderr, "getppid_bench: cannot switch dispatch off\n");
		return 1;
	}
	if (bad) {
		fprintf(stderr,
			"getppid_bench: %s: %lu of %lu getppid calls returned %ld (errno %d), expected %ld (errno %d)\n",
			mode_names[o.mode], bad, warm + o.iters, bad_ret,
			bad_errno, o.expect.ret, o.expect.err);
		return 1;
	}
	/* Each call must have reached the handler, not only returned right. */
	i = sud_getppid_traps;
	if (o.mode == M_SUD && i != warm + o.iters) {
		fprintf(stderr, "getppid_bench: sud: %lu getppid calls trapped, expected %lu\n",
			i, warm + o.iters);
		return 1;
	}
	if (o.mode != M_SUD && i) {
		fprintf(stderr, "getppid_bench: %lu SIGSYS outside sud mode\n", i);
		return 1;
	}
	printf("getppid_bench mode=%s iters=%lu ns_per_call=%.2f\n",
	       mode_names[o.mode], o.iters, (t1 - t0) / (double)o.iters);
	return 0;
}
