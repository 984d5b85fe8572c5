// SPDX-License-Identifier: GPL-2.0
/*
 * KB_SYSCALL_RUN: a passed call run by the module inside KB_IOC_SYSCALL,
 * one syscall instead of the ioctl and the runtime's re-issue. Checks
 * that the call really ran, with the caller's memory, once, and was
 * counted once; that it is run only where that is the same as the caller
 * issuing it (a listed call, passed by the policy, no seccomp filter on
 * the task, the module's syscall_run parameter on), else
 * KB_VERDICT_EXECUTE as without the flag; and that a signal interrupting
 * it restarts it where the kernel would restart the call (SA_RESTART)
 * and otherwise gives the program -EINTR (KB_VERDICT_RAN).
 *
 * No SUD is needed: a member calls the ioctl directly. Each test runs in
 * its own process (the harness forks). Needs /dev/kbridge (SKIP
 * otherwise) and root.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "kbridge_test.h"

#define PARAM "/sys/module/kbridge/parameters/syscall_run"

/* One KB_IOC_SYSCALL with KB_SYSCALL_RUN; the ioctl's return value. */
static int run(int fd, struct kb_syscall *sc, long nr, uint64_t a0,
	       uint64_t a1, uint64_t a2)
{
	memset(sc, 0, sizeof(*sc));
	sc->size = sizeof(*sc);
	sc->flags = KB_SYSCALL_RUN;
	sc->nr = nr;
	sc->args[0] = a0;
	sc->args[1] = a1;
	sc->args[2] = a2;
	sc->verdict = 0xdead;
	sc->result = -12345;
	return ioctl(fd, KB_IOC_SYSCALL, sc);
}

/* Write "0" or "1" to the module's syscall_run parameter. */
static int set_param(const char *v)
{
	int fd = open(PARAM, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, v, 1);
	close(fd);
	return n == 1 ? 0 : -1;
}

FIXTURE(run) {
	int fd;
};

FIXTURE_SETUP(run)
{
	struct kb_version v = { .size = sizeof(v) };

	self->fd = -1;
	OPEN_OR_SKIP(self->fd);
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_GET_VERSION, &v));
	ASSERT_TRUE(!!(v.features & KB_FEATURE_SYSCALL_RUN));
	/* Debian's stock kernel has x64_sys_call: the module must run calls. */
	ASSERT_TRUE(!!(v.status & KB_STATUS_SYSCALL_RUN)) {
		TH_LOG("status %#x: KB_SYSCALL_RUN not honoured", v.status);
	}
	ASSERT_EQ(0, kb_create(self->fd, NULL));
	ASSERT_EQ(1, kb_join(self->fd));
}

FIXTURE_TEARDOWN(run)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* getppid runs in the module: its value, KB_VERDICT_RAN, counted once. */
TEST_F(run, getppid_ran_and_counted_once)
{
	static uint64_t counts[KB_NR_SYSCALLS];
	struct kb_session_stats st;
	struct kb_syscall sc;
	int i;

	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, run(self->fd, &sc, SYS_getppid, 0, 0, 0)) {
			TH_LOG("call %d: %s", i, strerror(errno));
		}
		ASSERT_EQ((__u32)KB_VERDICT_RAN, sc.verdict);
		ASSERT_EQ((__s64)getppid(), sc.result);
		ASSERT_EQ(KB_TIER_FULL, sc.tier);
		ASSERT_EQ(KB_ACTION_PASS, sc.action);
	}
	ASSERT_EQ(0, kb_stats(self->fd, &st, counts));
	EXPECT_EQ(50u, counts[SYS_getppid]);
	EXPECT_EQ(50u, st.total);
}

/* write then read through a pipe: the caller's memory, each call once. */
TEST_F(run, pipe_write_read_with_user_memory)
{
	char out[] = "kbridge", in[16] = "";
	struct kb_syscall sc;
	int p[2];

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, run(self->fd, &sc, SYS_write, p[1], (uintptr_t)out, 7));
	ASSERT_EQ((__u32)KB_VERDICT_RAN, sc.verdict);
	ASSERT_EQ(7, sc.result);
	ASSERT_EQ(0, run(self->fd, &sc, SYS_read, p[0], (uintptr_t)in,
			 sizeof(in)));
	ASSERT_EQ((__u32)KB_VERDICT_RAN, sc.verdict);
	ASSERT_EQ(7, sc.result);
	EXPECT_EQ(0, memcmp(in, "kbridge", 7));
	/* Nothing left: the write ran once. */
	ASSERT_EQ(0, fcntl(p[0], F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(p[0], in, sizeof(in)));
	EXPECT_EQ(EAGAIN, errno);
	/* A failing call's -errno is its result, not the ioctl's. */
	ASSERT_EQ(0, run(self->fd, &sc, SYS_read, 12345, (uintptr_t)in, 1));
	ASSERT_EQ((__u32)KB_VERDICT_RAN, sc.verdict);
	EXPECT_EQ(-EBADF, sc.result);
	close(p[0]);
	close(p[1]);
}

/* Calls off the list come back to the caller, untouched. */
TEST_F(run, unlisted_call_not_run)
{
	static const long unlisted[] = {
		SYS_kill, SYS_rt_sigprocmask, SYS_clone, SYS_execve,
		SYS_exit_group, SYS_ioctl, SYS_nanosleep, SYS_futex,
		SYS_arch_prctl, SYS_prctl, 4000,
	};
	struct kb_syscall sc;
	unsigned int i;

	for (i = 0; i < sizeof(unlisted) / sizeof(unlisted[0]); i++) {
		/* kill(self, SIGKILL) if it were run: the test would die. */
		ASSERT_EQ(0, run(self->fd, &sc, unlisted[i], getpid(),
				 SIGKILL, 0));
		EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict) {
			TH_LOG("syscall %ld", unlisted[i]);
		}
		EXPECT_EQ(0, sc.result);
	}
}

/* A stub or a fake is the policy's answer, flag or not. */
TEST_F(run, stub_and_fake_not_run)
{
	struct kb_rule_desc d[] = {
		kb_rule(SYS_getppid, KB_TIER_STUBBED, KB_ACTION_STUB, EPERM),
		kb_rule(SYS_write, KB_TIER_STUBBED, KB_ACTION_FAKE, 5),
	};
	struct kb_syscall sc;
	int p[2];
	char c;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, kb_rules_set(self->fd, d, 2));
	ASSERT_EQ(0, run(self->fd, &sc, SYS_getppid, 0, 0, 0));
	EXPECT_EQ((__u32)KB_VERDICT_RESULT, sc.verdict);
	EXPECT_EQ(-EPERM, sc.result);
	ASSERT_EQ(0, run(self->fd, &sc, SYS_write, p[1], (uintptr_t)"x", 1));
	EXPECT_EQ((__u32)KB_VERDICT_RESULT, sc.verdict);
	EXPECT_EQ(5, sc.result);
	/* The faked write wrote nothing. */
	ASSERT_EQ(0, fcntl(p[0], F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(p[0], &c, 1));
	EXPECT_EQ(EAGAIN, errno);
}

/* A task under seccomp: its filter must see the call, so it is not run. */
TEST_F(run, seccomp_task_not_run)
{
	struct sock_filter allow[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 1, .filter = allow };
	struct kb_syscall sc;

	ASSERT_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	ASSERT_EQ(0, syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog));
	ASSERT_EQ(0, run(self->fd, &sc, SYS_getppid, 0, 0, 0));
	EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);
	EXPECT_EQ(0, sc.result);
}

/* syscall_run=0: the module runs nothing, and says so in its status. */
TEST_F(run, parameter_off)
{
	struct kb_version v = { .size = sizeof(v) };
	struct kb_syscall sc;

	ASSERT_EQ(0, set_param("0"));
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_GET_VERSION, &v));
	EXPECT_EQ(0u, v.status & KB_STATUS_SYSCALL_RUN);
	EXPECT_EQ(0, run(self->fd, &sc, SYS_getppid, 0, 0, 0));
	EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);
	ASSERT_EQ(0, set_param("1"));
	ASSERT_EQ(0, run(self->fd, &sc, SYS_getppid, 0, 0, 0));
	EXPECT_EQ((__u32)KB_VERDICT_RAN, sc.verdict);
}

static int wake_fd = -1;
static volatile sig_atomic_t handled;

/* Makes the blocked read's data arrive, from inside the interruption. */
static void on_alarm(int sig)
{
	(void)sig;
	handled++;
	if (wake_fd >= 0 && write(wake_fd, "w", 1) != 1)
		handled = -100;
}

static void arm_alarm(int flags)
{
	struct itimerval it = { .it_value = { 0, 50 * 1000 } };
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * A blocked read interrupted by a handler without SA_RESTART: the
 * program's answer is -EINTR, the ioctl fails with EINTR and says so.
 */
TEST_F(run, interrupted_without_restart_is_eintr)
{
	struct kb_syscall sc;
	int p[2], ret;
	char c;

	ASSERT_EQ(0, pipe(p));
	arm_alarm(0);
	ret = run(self->fd, &sc, SYS_read, p[0], (uintptr_t)&c, 1);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(1, handled);
	EXPECT_EQ((__u32)KB_VERDICT_RAN, sc.verdict);
	EXPECT_EQ(-EINTR, sc.result);
}

/*
 * The same with SA_RESTART: the kernel restarts the ioctl, and with it
 * the read, which gets the byte the handler wrote.
 */
TEST_F(run, interrupted_with_restart_restarts)
{
	struct kb_syscall sc;
	int p[2];
	char c = 0;

	ASSERT_EQ(0, pipe(p));
	wake_fd = p[1];
	arm_alarm(SA_RESTART);
	ASSERT_EQ(0, run(self->fd, &sc, SYS_read, p[0], (uintptr_t)&c, 1)) {
		TH_LOG("ioctl: %s", strerror(errno));
	}
	EXPECT_EQ(1, handled);
	EXPECT_EQ((__u32)KB_VERDICT_RAN, sc.verdict);
	EXPECT_EQ(1, sc.result);
	EXPECT_EQ('w', c);
}

TEST_HARNESS_MAIN
