// SPDX-License-Identifier: GPL-2.0
/*
 * KB_SESSION_NO_RUNTIME: a session whose members have no runtime in their
 * process (kblaunch --in-kernel). The module dispatches a member from its
 * first exec after joining on, and again after each exec, and its children
 * from then on; every syscall is decided in the kernel, and the execs are
 * the kernel's own. What needs a runtime is refused; a syscall past the
 * policy's table runs natively instead of killing the program.
 *
 * The program is tests/progs/exec_getppid (no libc): it prints
 * "getppid N". Needs root, /dev/kbridge and the module's fast path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kbridge_test.h"

#define PROG		".output/tests/progs/exec_getppid"
#define FAKED		4242

FIXTURE(noruntime) {
	int fd;
};

FIXTURE_SETUP(noruntime)
{
	struct kb_session_create c = {
		.size = sizeof(c), .flags = KB_SESSION_NO_RUNTIME,
	};
	struct kb_rule_desc r = kb_rule(SYS_getppid, KB_TIER_STUBBED,
					KB_ACTION_FAKE, FAKED);
	struct kb_version v = { .size = sizeof(v) };

	OPEN_OR_SKIP(self->fd);
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_GET_VERSION, &v));
	if (!(v.status & KB_STATUS_FASTPATH))
		SKIP(_exit(255), "the module's fast path is not armed");
	if (access(PROG, X_OK))
		SKIP(_exit(255), "%s not built", PROG);
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_SESSION_CREATE, &c));
	ASSERT_EQ(0, kb_rules_set(self->fd, &r, 1));
}

FIXTURE_TEARDOWN(noruntime)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * A child joins @fd's session and execs PROG with @arg (and @arg2): its
 * output, up to @len bytes, into @out, with "early" first if a call it
 * made between joining and its exec was decided. Its wait status.
 */
static int run_member(int fd, const char *arg, const char *arg2, char *out,
		      size_t len)
{
	char *argv[] = { PROG, (char *)arg, (char *)arg2, NULL };
	int p[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		pid_t parent = getppid();

		if (dup2(p[1], 1) != 1 || kb_join(fd) < 0)
			_exit(99);
		/* Not dispatched yet: the exec arms it. */
		if (syscall(SYS_getppid) != parent &&
		    write(1, "early\n", 6) != 6)
			_exit(98);
		execv(PROG, argv);
		_exit(127);
	}
	close(p[1]);
	while (n < len - 1 && (r = read(p[0], out + n, len - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

TEST_F(noruntime, what_needs_a_runtime_is_refused)
{
	static const char glob[] = "/etc/*";
	struct kb_rule_desc r[2] = {
		kb_rule(SYS_openat, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		kb_cond_path(SYS_openat, 1, glob, KB_ACTION_STUB, EACCES),
	};
	struct kb_set_fastpath fp = { .size = sizeof(fp), .enable = 1 };
	struct kb_set_personality sp = { .size = sizeof(sp) };
	struct kb_rule_desc got[4];
	struct kb_get_rules g = {
		.size = sizeof(g), .count = 4, .rule_size = sizeof(got[0]),
		.rules = (uintptr_t)got,
	};

	EXPECT_EQ(-1, kb_rules_set(self->fd, r, 2));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_SET_FASTPATH, &fp));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_SET_PERSONALITY, &sp));
	EXPECT_EQ(EOPNOTSUPP, errno);
	/* All or nothing: the getppid rule is still the only one. */
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_GET_RULES, &g));
	ASSERT_EQ(1u, g.count);
	EXPECT_EQ((unsigned int)SYS_getppid, got[0].nr);
	EXPECT_EQ(KB_ACTION_FAKE, got[0].action);
}

/* Dispatched from the exec on, children too; counted in the session. */
TEST_F(noruntime, exec_dispatches_member_and_children)
{
	uint64_t counts[KB_NR_SYSCALLS];
	struct kb_session_stats st;
	char out[256];

	ASSERT_EQ(0, run_member(self->fd, "fork", NULL, out, sizeof(out)));
	EXPECT_STREQ("getppid 4242\ngetppid 4242\n", out);
	ASSERT_EQ(0, kb_stats(self->fd, &st, counts));
	EXPECT_EQ(2u, counts[SYS_getppid]);
	/* Every decision at syscall entry: none could go through SIGSYS. */
	EXPECT_EQ(st.total, st.fastpath);
	EXPECT_LT(2u, st.total);
}

/* A member's own exec keeps it dispatched: no runtime re-arms it. */
TEST_F(noruntime, stays_across_execs)
{
	char out[256];

	ASSERT_EQ(0, run_member(self->fd, "exec", PROG, out, sizeof(out)));
	EXPECT_STREQ("getppid 4242\ngetppid 4242\n", out);
}

/* A number past the table: ENOSYS as natively, not a fatal SIGSYS. */
TEST_F(noruntime, unknown_syscall_runs_natively)
{
	struct kb_session_stats st;
	char out[256];

	ASSERT_EQ(0, run_member(self->fd, "nosys", NULL, out, sizeof(out)));
	EXPECT_STREQ("nosys ok\ngetppid 4242\n", out);
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
	EXPECT_EQ(1u, st.out_of_range);
	EXPECT_EQ(st.total, st.fastpath);
}

TEST_HARNESS_MAIN
