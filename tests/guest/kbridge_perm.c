// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge permissions: who may join a session, what its members may not
 * do to it, and that a member cannot leave it by closing its file.
 *
 *  - KB_IOC_SESSION_JOIN needs no_new_privs or CAP_SYS_ADMIN (EACCES);
 *  - in a KB_SESSION_LOCKED session, members get EPERM for SET_RULES,
 *    SET_FASTPATH, SET_PERSONALITY and for SET_SCOPE out of scope (unless
 *    KB_SESSION_MEMBER_SCOPE), non-members may still change it;
 *  - a session whose file is closed lives on with its members
 *    (debugfs kbridge/objects "closed"), and ends with the last one.
 *
 * Runs as root in the guest; the unprivileged steps drop to uid 65534 in
 * a child. Children report through their exit status: 0 is success,
 * other values name the failed step.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kbridge_test.h"

/* TEST() passes every test its (unused) variant. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#define NOBODY		65534

static int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* A new file with a session made with @flags; -1 and errno on failure. */
static int open_session(uint32_t flags)
{
	struct kb_session_create c = { .size = sizeof(c), .flags = flags };
	int fd = open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (ioctl(fd, KB_IOC_SESSION_CREATE, &c)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int set_getppid(int fd, uint16_t tier, uint16_t action, int64_t value)
{
	struct kb_rule_desc r = {
		.nr = SYS_getppid, .tier = tier, .action = action,
		.value = value,
	};
	struct kb_set_rules sr = {
		.size = sizeof(sr), .count = 1, .rule_size = sizeof(r),
		.rules = (uintptr_t)&r,
	};

	return ioctl(fd, KB_IOC_SET_RULES, &sr);
}

static int set_scope(int fd, uint32_t in)
{
	struct kb_set_scope s = { .size = sizeof(s), .in_scope = in };

	return ioctl(fd, KB_IOC_SET_SCOPE, &s);
}

static int set_fastpath(int fd, uint32_t enable)
{
	struct kb_set_fastpath f = { .size = sizeof(f), .enable = enable };

	return ioctl(fd, KB_IOC_SET_FASTPATH, &f);
}

static int set_personality(int fd, const char *name)
{
	struct kb_set_personality p = { .size = sizeof(p) };

	strncpy(p.name, name, sizeof(p.name) - 1);
	return ioctl(fd, KB_IOC_SET_PERSONALITY, &p);
}

/* errno of a call that must fail, 0 if it succeeded. */
#define ERR(call)	((call) ? errno : 0)

static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -1;
	return 0;
}

TEST(create_flags_checked)
{
	int fd;

	OPEN_OR_SKIP(fd);
	close(fd);
	EXPECT_EQ(-1, open_session(1U << 3));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, open_session(KB_SESSION_MEMBER_SCOPE));
	EXPECT_EQ(EINVAL, errno);
	fd = open_session(KB_SESSION_LOCKED | KB_SESSION_MEMBER_SCOPE);
	ASSERT_LE(0, fd);
	close(fd);
}

/*
 * Without no_new_privs or CAP_SYS_ADMIN a task may not join: the file it
 * was given (opened by root here) is not enough.
 */
TEST(join_needs_no_new_privs)
{
	pid_t pid;
	int fd;

	OPEN_OR_SKIP(fd);
	close(fd);
	fd = open_session(0);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (drop_to_nobody())
			_exit(1);
		if (kb_join(fd) != -1 || errno != EACCES)
			_exit(2);
		/* Still no member: its calls are refused. */
		if (kb_call(fd, SYS_getppid, NULL) != -1 || errno != EPERM)
			_exit(3);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(4);
		if (kb_join(fd) != 1)
			_exit(5);
		if (kb_call(fd, SYS_getppid, NULL))
			_exit(6);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	close(fd);
}

/*
 * A member that drops its privileges may still join again (a no-op, which
 * kblaunch makes after every exec): a root program that setuid()s, then
 * execs, goes on under kbridge. Another session stays out of reach.
 */
TEST(rejoin_after_dropping_privileges)
{
	pid_t pid;
	int fd, other;

	OPEN_OR_SKIP(fd);
	close(fd);
	fd = open_session(0);
	other = open_session(0);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, other);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (kb_join(fd) != 1)
			_exit(1);
		if (drop_to_nobody())
			_exit(2);
		if (kb_join(fd) != 1)
			_exit(3);
		if (kb_call(fd, SYS_getppid, NULL))
			_exit(4);
		if (kb_join(other) != -1 || errno != EACCES)
			_exit(5);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	close(other);
	close(fd);
}

/* Root (CAP_SYS_ADMIN) joins without no_new_privs. */
TEST(join_as_root)
{
	int fd;

	OPEN_OR_SKIP(fd);
	close(fd);
	ASSERT_EQ(0, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	fd = open_session(0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, kb_join(fd));
	close(fd);
}

/*
 * A member of a locked session cannot loosen its policy through the file
 * it holds; a non-member holding the same file can. Reading stays open.
 */
TEST(locked_members_cannot_change)
{
	struct kb_session_stats st;
	struct kb_syscall sc;
	pid_t pid;
	int fd;

	OPEN_OR_SKIP(fd);
	close(fd);
	fd = open_session(KB_SESSION_LOCKED);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_getppid(fd, KB_TIER_STUBBED, KB_ACTION_STUB, ESRCH));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (kb_join(fd) != 1)
			_exit(1);
		if (ERR(set_getppid(fd, KB_TIER_FULL, KB_ACTION_PASS, 0)) !=
		    EPERM)
			_exit(2);
		if (ERR(set_fastpath(fd, 0)) != EPERM)
			_exit(3);
		if (ERR(set_personality(fd, "")) != EPERM)
			_exit(4);
		if (ERR(set_scope(fd, 0)) != EPERM)
			_exit(5);
		/* Back in scope is no loosening. */
		if (set_scope(fd, 1))
			_exit(6);
		if (kb_stats(fd, &st, NULL))
			_exit(7);
		/* The stub still decides. */
		if (kb_call(fd, SYS_getppid, &sc) ||
		    sc.verdict != KB_VERDICT_RESULT || sc.result != -ESRCH)
			_exit(8);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	/* The test process is no member: it may. */
	EXPECT_EQ(0, set_getppid(fd, KB_TIER_FULL, KB_ACTION_PASS, 0));
	EXPECT_EQ(0, set_fastpath(fd, 0));
	EXPECT_EQ(0, set_personality(fd, ""));
	close(fd);
}

/* Without the lock, members configure their own session (the default). */
TEST(unlocked_members_may_change)
{
	int fd;

	OPEN_OR_SKIP(fd);
	close(fd);
	fd = open_session(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, kb_join(fd));
	EXPECT_EQ(0, set_getppid(fd, KB_TIER_STUBBED, KB_ACTION_FAKE, 7));
	EXPECT_EQ(0, set_fastpath(fd, 0));
	EXPECT_EQ(0, set_scope(fd, 0));
	EXPECT_EQ(0, set_scope(fd, 1));
	close(fd);
}

/* KB_SESSION_MEMBER_SCOPE: members may step out, and still not change. */
TEST(member_scope)
{
	pid_t pid;
	int fd;

	OPEN_OR_SKIP(fd);
	close(fd);
	fd = open_session(KB_SESSION_LOCKED | KB_SESSION_MEMBER_SCOPE);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (kb_join(fd) != 1)
			_exit(1);
		if (set_scope(fd, 0) || set_scope(fd, 1))
			_exit(2);
		if (ERR(set_getppid(fd, KB_TIER_FULL, KB_ACTION_PASS, 0)) !=
		    EPERM)
			_exit(3);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	close(fd);
}

/*
 * A member that closes every copy of the file stays a member: it cannot
 * join another session, its session is counted as closed in debugfs, and
 * only its exit ends the session.
 */
TEST(closing_the_file_keeps_members)
{
	int ready[2], release[2], fd, fd2;
	long closed0;
	pid_t pid;
	char c;

	OPEN_OR_SKIP(fd);
	close(fd);
	closed0 = kb_objects("closed");
	if (closed0 < 0)
		SKIP(return, "no %s (debugfs not mounted?)", KB_OBJECTS_PATH);
	fd = open_session(KB_SESSION_LOCKED);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(release));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(ready[0]);
		close(release[1]);
		if (kb_join(fd) != 1)
			_exit(1);
		close(fd);
		fd2 = open_session(0);
		if (fd2 < 0)
			_exit(2);
		if (kb_join(fd2) != -1 || errno != EBUSY)
			_exit(3);
		close(fd2);
		if (write(ready[1], "x", 1) != 1)
			_exit(4);
		/* Until the parent has looked. */
		if (read(release[0], &c, 1) != 0)
			_exit(5);
		_exit(0);
	}
	close(ready[1]);
	close(release[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	/* The last copy of the file goes: the member keeps the session. */
	close(fd);
	EXPECT_EQ(closed0 + 1, kb_objects("closed"));
	close(release[1]);
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(closed0, kb_objects_wait("closed", closed0));
	close(ready[0]);
}

TEST_HARNESS_MAIN
