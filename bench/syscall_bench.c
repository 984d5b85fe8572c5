// SPDX-License-Identifier: GPL-2.0
/*
 * syscall_bench: time a loop of one syscall (or one pair) under one
 * interception mechanism and check every result it got.
 *
 * The loops (-s): getppid (glibc does not cache it, so each iteration is
 * one real syscall entry), a 1-byte read from /dev/zero, openat+close of
 * a file, and an anonymous 4 KiB mmap+munmap (the page is not touched:
 * the pair of syscalls, not a page fault, is what is timed). Each is
 * timed with CLOCK_MONOTONIC around the whole loop, after a short
 * warm-up, and every return value is compared with what the
 * configuration must produce (the real result, an errno, or a faked
 * value): a configuration that silently measures something else (a stub
 * that passes, a filter that was never installed) fails instead of
 * printing a figure.
 *
 * Output, one line on stdout (ns per iteration: a pair counts once):
 *   syscall_bench syscall=S mode=MODE iters=N ns_per_call=X
 * Exit status 0, or 1 with the reason on stderr.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
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
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "getppid_loop.h"

#include "kb_sud.h"

enum mode { M_NATIVE, M_SECCOMP_ALLOW, M_SECCOMP_ERRNO, M_SUD };
static const char *const mode_names[] = {
	[M_NATIVE] = "native",
	[M_SECCOMP_ALLOW] = "seccomp-allow",
	[M_SECCOMP_ERRNO] = "seccomp-errno",
	[M_SUD] = "sud",
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

/* ---- the loops ---- */

enum loop { L_GETPPID, L_READ, L_OPENAT, L_MMAP, L_NR };

/* The syscalls of one iteration: what seccomp-errno refuses, SUD counts. */
static const struct loop_desc {
	const char *name;
	int nr[2];
	int calls;
} loops[L_NR] = {
	[L_GETPPID] = { "getppid", { SYS_getppid }, 1 },
	[L_READ] = { "read", { SYS_read }, 1 },
	[L_OPENAT] = { "openat", { SYS_openat, SYS_close }, 2 },
	[L_MMAP] = { "mmap", { SYS_mmap, SYS_munmap }, 2 },
};

struct bench {
	enum mode mode;
	enum loop loop;
	unsigned long iters;
	struct expect expect;	/* E_DEFAULT: the native result */
	const char *file;	/* openat's path */
	int zero_fd;		/* read's /dev/zero */
	/* The first wrong result: which call, what it gave. */
	unsigned long bad;
	const char *bad_call;
	long bad_ret;
	int bad_errno;
};

static void note_bad(struct bench *b, const char *call, long r)
{
	if (!b->bad++) {
		b->bad_call = call;
		b->bad_ret = r;
		b->bad_errno = errno;
	}
}

/*
 * r is the result of the call the configuration decides: with an errno
 * or value expectation it must be exactly that, natively it must be
 * native_ok. Returns whether it was right.
 */
static inline int check(struct bench *b, const char *call, long r,
			int native_ok)
{
	const struct expect *e = &b->expect;
	int right;

	if (e->kind == E_DEFAULT)
		right = native_ok;
	else
		right = r == e->ret && (e->ret != -1 || errno == e->err);
	if (!right)
		note_bad(b, call, r);
	return right;
}

/*
 * Not inlined and with every result checked, so the compiler keeps the
 * syscalls of each iteration.
 */
static __attribute__((noinline)) void loop_getppid(struct bench *b,
						   unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		long r;

		errno = 0;
		r = syscall(SYS_getppid);
		/* main() turned the native result into the parent's pid. */
		check(b, "getppid", r, 0);
	}
}

static __attribute__((noinline)) void loop_read(struct bench *b,
						unsigned long n)
{
	unsigned long i;
	volatile unsigned char c;

	for (i = 0; i < n; i++) {
		long r;

		c = 0xff;
		errno = 0;
		r = syscall(SYS_read, b->zero_fd, &c, 1);
		check(b, "read", r, r == 1 && c == 0);
	}
}

static __attribute__((noinline)) void loop_openat(struct bench *b,
						  unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		long fd, r;

		errno = 0;
		fd = syscall(SYS_openat, AT_FDCWD, b->file,
			     O_RDONLY | O_CLOEXEC);
		check(b, "openat", fd, fd >= 0);
		/* Stubbed or faked, close gets what openat gave. */
		errno = 0;
		r = syscall(SYS_close, fd);
		check(b, "close", r, r == 0);
	}
}

static __attribute__((noinline)) void loop_mmap(struct bench *b,
						unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		long p, r;

		errno = 0;
		p = syscall(SYS_mmap, NULL, 4096UL, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		check(b, "mmap", p, p != -1 && p != 0);
		errno = 0;
		r = syscall(SYS_munmap, p, 4096UL);
		check(b, "munmap", r, r == 0);
	}
}

static void run_loop(struct bench *b, unsigned long n)
{
	switch (b->loop) {
	case L_GETPPID:
		loop_getppid(b, n);
		break;
	case L_READ:
		loop_read(b, n);
		break;
	case L_OPENAT:
		loop_openat(b, n);
		break;
	default:
		loop_mmap(b, n);
		break;
	}
}

/* ---- bare Syscall User Dispatch: the minimal SIGSYS peer ---- */

static int sud_nr[2] = { -1, -1 };
static volatile unsigned long sud_traps;

/*
 * Runs for every syscall the program makes while dispatch is on. It must
 * itself make no syscall outside the range, so no libc call at all.
 */
static void sud_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;

	(void)sig;
	if (si->si_syscall == sud_nr[0] || si->si_syscall == sud_nr[1])
		sud_traps = sud_traps + 1;
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
		fprintf(stderr, "syscall_bench: rt_sigaction(SIGSYS): %m\n");
		return -1;
	}
	/* No selector: every syscall outside the range is dispatched. */
	if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, start, len,
		  0)) {
		fprintf(stderr, "syscall_bench: PR_SET_SYSCALL_USER_DISPATCH: %m\n");
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

static int seccomp_install(enum mode m, const struct loop_desc *l)
{
	/*
	 * The usual prologue (refuse a foreign arch, load the nr), then for
	 * ERRNO one test per syscall of the loop; ALLOW keeps the same
	 * prologue so that both pay for the same instructions up to there.
	 */
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)l->nr[0],
			 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)l->nr[1],
			 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	};
	struct sock_filter allow[] = {
		f[0], f[1], f[2],
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog;

	if (m == M_SECCOMP_ALLOW) {
		prog.len = sizeof(allow) / sizeof(allow[0]);
		prog.filter = allow;
	} else {
		/* One syscall in the loop: its test jumps over the second. */
		if (l->calls == 1)
			f[5] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
							    SECCOMP_RET_ALLOW);
		prog.len = sizeof(f) / sizeof(f[0]);
		prog.filter = f;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		fprintf(stderr, "syscall_bench: PR_SET_NO_NEW_PRIVS: %m\n");
		return -1;
	}
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) {
		fprintf(stderr, "syscall_bench: seccomp(SET_MODE_FILTER): %m\n");
		return -1;
	}
	return 0;
}

/* ---- options ---- */

static int lookup(const char *const *names, size_t n, const char *arg)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(arg, names[i]))
			return (int)i;
	return -1;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	static const char *const loop_names[L_NR] = {
		"getppid", "read", "openat", "mmap",
	};
	struct bench *b = state->input;
	char *end;
	int i;

	switch (key) {
	case 'm':
		i = lookup(mode_names, sizeof(mode_names) / sizeof(mode_names[0]),
			   arg);
		if (i < 0)
			argp_error(state, "unknown mode '%s'", arg);
		b->mode = (enum mode)i;
		break;
	case 's':
		i = lookup(loop_names, L_NR, arg);
		if (i < 0)
			argp_error(state, "unknown syscall '%s' (getppid, read, openat, mmap)",
				   arg);
		b->loop = (enum loop)i;
		break;
	case 'f':
		b->file = arg;
		break;
	case 'n':
		errno = 0;
		b->iters = strtoul(arg, &end, 10);
		if (errno || *end || !*arg || arg[0] == '-' || !b->iters)
			argp_error(state, "bad iteration count '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (b->loop == L_OPENAT && !b->file)
			argp_error(state, "-s openat needs -f FILE");
		if (b->loop != L_GETPPID && b->expect.kind == E_PPID)
			argp_error(state, "-e ppid is for -s getppid");
		break;
	default:
		return getppid_common_opt(key, arg, state, &b->expect);
	}
	return 0;
}

static const struct argp_option options[] = {
	{ "syscall", 's', "S", 0,
	  "getppid (default), read (1 byte from /dev/zero), openat (openat "
	  "+ close of -f FILE), mmap (4 KiB anonymous mmap + munmap)", 0 },
	{ "file", 'f', "FILE", 0, "The file -s openat opens", 0 },
	{ "mode", 'm', "MODE", 0,
	  "native (default), seccomp-allow, seccomp-errno (the loop's "
	  "syscalls fail with ENOSYS), sud (Syscall User Dispatch + SIGSYS "
	  "handler re-issuing every call)", 0 },
	{ "iters", 'n', "N", 0, "Timed iterations (default 1000000)", 0 },
	{ "expect", 'e', "WHAT", 0,
	  "What every call of the loop must return: errno:N (-1 with errno "
	  "N) or value:V; for getppid also ppid (the parent in "
	  "/proc/self/stat). Default: errno:38 for seccomp-errno, the native "
	  "result otherwise", 0 },
	{ 0 }
};

static const struct argp argp = {
	options, parse_opt, NULL,
	"Time a loop of one syscall (or pair) and check every result.\v"
	"Prints: syscall_bench syscall=S mode=MODE iters=N ns_per_call=X\n"
	"(ns per iteration; an openat or mmap iteration is two calls)\n\n"
	"EXAMPLES:\n"
	"  syscall_bench -n 1000000\n"
	"  syscall_bench -s read -m seccomp-errno\n"
	"  syscall_bench -s openat -f /tmp/file -m sud\n"
	"  kblaunch --profile read-stub.profile -- syscall_bench -s read -e errno:38\n",
	NULL, NULL, NULL
};

/* ---- main ---- */

static char outbuf[4096];

int main(int argc, char **argv)
{
	struct bench b = { .mode = M_NATIVE, .iters = 1000000, .zero_fd = -1 };
	const struct loop_desc *l;
	unsigned long warm, calls, traps;
	double t0, t1;

	argp_parse(&argp, argc, argv, 0, NULL, &b);
	l = &loops[b.loop];
	/* No allocation after the loop: mmap may be stubbed by then. */
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (b.expect.kind == E_DEFAULT && b.mode == M_SECCOMP_ERRNO) {
		b.expect.kind = E_ERRNO;
		b.expect.arg = ENOSYS;
	}
	/*
	 * getppid's native result is known in advance (from /proc, which a
	 * stubbed getppid cannot fake): it becomes the value to expect.
	 */
	if (b.loop == L_GETPPID && b.expect.kind == E_DEFAULT)
		b.expect.kind = E_PPID;
	if (b.expect.kind != E_DEFAULT && expect_resolve(&b.expect)) {
		fprintf(stderr, "syscall_bench: cannot read the parent from /proc/self/stat\n");
		return 1;
	}
	if (b.expect.kind == E_PPID)
		b.expect.kind = E_VALUE;
	if (b.loop == L_READ) {
		b.zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
		if (b.zero_fd < 0) {
			fprintf(stderr, "syscall_bench: /dev/zero: %m\n");
			return 1;
		}
	}

	if ((b.mode == M_SECCOMP_ALLOW || b.mode == M_SECCOMP_ERRNO) &&
	    seccomp_install(b.mode, l))
		return 1;
	sud_nr[0] = l->nr[0];
	sud_nr[1] = l->calls > 1 ? l->nr[1] : -1;
	if (b.mode == M_SUD && sud_arm())
		return 1;

	warm = b.iters / 20 < 10000 ? b.iters / 20 : 10000;
	run_loop(&b, warm);
	t0 = now_ns();
	run_loop(&b, b.iters);
	t1 = now_ns();

	if (b.mode == M_SUD && sud_disarm()) {
		fprintf(stderr, "syscall_bench: cannot switch dispatch off\n");
		return 1;
	}
	calls = (warm + b.iters) * (unsigned long)l->calls;
	if (b.bad && b.expect.kind == E_DEFAULT) {
		fprintf(stderr,
			"syscall_bench: %s: %lu of %lu calls failed, the first: %s returned %ld (errno %d)\n",
			mode_names[b.mode], b.bad, calls, b.bad_call, b.bad_ret,
			b.bad_errno);
		return 1;
	}
	if (b.bad) {
		fprintf(stderr,
			"syscall_bench: %s: %lu of %lu calls were wrong, the first: %s returned %ld (errno %d), expected %ld (errno %d)\n",
			mode_names[b.mode], b.bad, calls, b.bad_call, b.bad_ret,
			b.bad_errno, b.expect.ret, b.expect.err);
		return 1;
	}
	/* Each call must have reached the handler, not only returned right. */
	traps = sud_traps;
	if (b.mode == M_SUD && traps != calls) {
		fprintf(stderr, "syscall_bench: sud: %lu %s calls trapped, expected %lu\n",
			traps, l->name, calls);
		return 1;
	}
	if (b.mode != M_SUD && traps) {
		fprintf(stderr, "syscall_bench: %lu SIGSYS outside sud mode\n", traps);
		return 1;
	}
	printf("syscall_bench syscall=%s mode=%s iters=%lu ns_per_call=%.2f\n",
	       l->name, mode_names[b.mode], b.iters,
	       (t1 - t0) / (double)b.iters);
	return fflush(stdout) ? 1 : 0;
}
