// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge sessions: membership, automatic joining of new threads and
 * children, the tier 1 verdict of KB_IOC_SYSCALL, statistics, and the
 * lifetime of a session (it lives as long as its file, whoever holds it,
 * and its members).
 *
 * Each test runs in its own process (the harness forks), so membership
 * never leaks from one test to the next. Children report through their
 * exit status: 0 is success, any other value names the step that failed.
 * Needs /dev/kbridge (SKIP otherwise) and root to open it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kbridge_test.h"

#define CALLS		100u
/* A number past the policy table: counted, then left to the kernel. */
#define NR_OUT_OF_RANGE	4000

/*
 * A thread's pthread_join() returns before the thread has passed the
 * kernel's exit tracepoint, so the members count may lag a little.
 */
static int kb_wait_members(int fd, unsigned int want)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct kb_session_stats st;
	int i;

	for (i = 0; i < 200; i++) {
		if (kb_stats(fd, &st, NULL))
			return -1;
		if (st.members == want)
			return 0;
		nanosleep(&ts, NULL);
	}
	return st.members;
}

/* waitpid() and return the child's exit status, -1 if it did not exit. */
static int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

FIXTURE(session) {
	int fd;
	uint64_t id;
};

FIXTURE_SETUP(session)
{
	self->fd = -1;
	OPEN_OR_SKIP(self->fd);
	ASSERT_EQ(0, kb_create(self->fd, &self->id));
}

FIXTURE_TEARDOWN(session)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(session, passthrough_getppid)
{
	static uint64_t counts[KB_NR_SYSCALLS];
	struct kb_session_stats st;
	struct kb_syscall sc;
	unsigned int i, a;

	ASSERT_EQ(1, kb_join(self->fd));
	for (i = 0; i < CALLS; i++) {
		memset(&sc, 0, sizeof(sc));
		sc.size = sizeof(sc);
		sc.nr = SYS_getppid;
		sc.verdict = 0xdead;
		sc.result = -12345;
		sc.tier = 0xee;
		sc.action = 0xee;
		for (a = 0; a < 6; a++)
			sc.args[a] = 0x1111111111111111ULL * (a + 1) + i;
		ASSERT_EQ(0, ioctl(self->fd, KB_IOC_SYSCALL, &sc)) {
			TH_LOG("call %u: %s", i, strerror(errno));
		}
		ASSERT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);
		ASSERT_EQ(KB_TIER_FULL, sc.tier);
		ASSERT_EQ(KB_ACTION_PASS, sc.action);
		ASSERT_EQ(0, sc.result);
		ASSERT_EQ((__u32)SYS_getppid, sc.nr);
		ASSERT_EQ(sizeof(sc), sc.size);
		for (a = 0; a < 6; a++)
			ASSERT_EQ(0x1111111111111111ULL * (a + 1) + i,
				  sc.args[a]);
	}

	memset(counts, 0xff, sizeof(counts));
	ASSERT_EQ(0, kb_stats(self->fd, &st, counts));
	EXPECT_EQ(CALLS, st.total);
	EXPECT_EQ(0u, st.out_of_range);
	EXPECT_EQ((__u32)KB_NR_SYSCALLS, st.nr_counts);
	EXPECT_EQ(1u, st.members);
	EXPECT_EQ(1u, st.joined);
	for (i = 0; i < KB_NR_SYSCALLS; i++)
		EXPECT_EQ(i == SYS_getppid ? CALLS : 0, counts[i]) {
			TH_LOG("counts[%u]", i);
		}
}

TEST_F(session, counts_per_number)
{
	static uint64_t counts[KB_NR_SYSCALLS];
	struct kb_session_stats st;
	unsigned int nr, i;

	ASSERT_EQ(1, kb_join(self->fd));
	/* Number n is called n % 5 times, the last one included. */
	for (nr = 0; nr < KB_NR_SYSCALLS; nr++)
		for (i = 0; i < nr % 5; i++)
			ASSERT_EQ(0, kb_call(self->fd, nr, NULL));
	ASSERT_EQ(0, kb_stats(self->fd, &st, counts));
	for (nr = 0; nr < KB_NR_SYSCALLS; nr++)
		EXPECT_EQ(nr % 5, counts[nr]) {
			TH_LOG("counts[%u]", nr);
		}
	EXPECT_EQ(0u, st.out_of_range);
}

TEST_F(session, out_of_range)
{
	static uint64_t counts[KB_NR_SYSCALLS];
	const unsigned int nrs[] = {
		NR_OUT_OF_RANGE, KB_NR_SYSCALLS, 0xffffffffu,
	};
	struct kb_session_stats st;
	struct kb_syscall sc;
	unsigned int i;
	uint64_t sum = 0;

	ASSERT_EQ(1, kb_join(self->fd));
	for (i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		ASSERT_EQ(0, kb_call(self->fd, nrs[i], &sc));
		EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);
		EXPECT_EQ(nrs[i], sc.nr);
	}
	/* The last number inside the table is not out of range. */
	ASSERT_EQ(0, kb_call(self->fd, KB_NR_SYSCALLS - 1, NULL));

	ASSERT_EQ(0, kb_stats(self->fd, &st, counts));
	EXPECT_EQ(3u, st.out_of_range);
	EXPECT_EQ(4u, st.total);
	for (i = 0; i < KB_NR_SYSCALLS; i++)
		sum += counts[i];
	EXPECT_EQ(1u, sum);
	EXPECT_EQ(1u, counts[KB_NR_SYSCALLS - 1]);
}

TEST_F(session, join_twice_is_noop)
{
	struct kb_session_stats st;

	ASSERT_EQ(1, kb_join(self->fd));
	ASSERT_EQ(1, kb_join(self->fd));
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
	EXPECT_EQ(1u, st.members);
	EXPECT_EQ(1u, st.joined);
}

/* Stats may be read by the file's owner without being a member. */
TEST_F(session, stats_from_non_member)
{
	struct kb_session_stats st;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (kb_join(self->fd) != 1)
			_exit(1);
		if (kb_call(self->fd, SYS_getppid, NULL))
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
	EXPECT_EQ(1u, st.total);
	EXPECT_EQ(1u, st.joined);
	EXPECT_EQ(0u, st.members);
}

static void *wait_on_pipe(void *arg)
{
	char c;

	return (void *)(intptr_t)read(*(int *)arg, &c, 1);
}

/* JOIN takes every thread of the process, not only the caller. */
TEST_F(session, join_takes_all_threads)
{
	struct kb_session_stats st;
	pthread_t th[3];
	int p[2], i;

	ASSERT_EQ(0, pipe(p));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, wait_on_pipe, &p[0]));
	ASSERT_EQ(4, kb_join(self->fd));
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
	EXPECT_EQ(4u, st.members);
	EXPECT_EQ(4u, st.joined);
	close(p[1]);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_join(th[i], NULL));
	EXPECT_EQ(0, kb_wait_members(self->fd, 1));
	close(p[0]);
}

struct thread_call {
	int fd;
	int ret;
	int err;
	struct kb_syscall sc;
};

static void *call_from_thread(void *arg)
{
	struct thread_call *tc = arg;

	tc->ret = kb_call(tc->fd, SYS_gettid, &tc->sc);
	tc->err = errno;
	return NULL;
}

TEST_F(session, new_thread_is_member)
{
	struct thread_call tc = { .fd = self->fd };
	struct kb_session_stats st;
	pthread_t th;

	ASSERT_EQ(1, kb_join(self->fd));
	ASSERT_EQ(0, pthread_create(&th, NULL, call_from_thread, &tc));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, tc.ret) {
		TH_LOG("SYSCALL from the new thread: %s", strerror(tc.err));
	}
	EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, tc.sc.verdict);
	ASSERT_EQ(0, kb_wait_members(self->fd, 1));
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
	EXPECT_EQ(1u, st.total);
	EXPECT_EQ(2u, st.joined);
}

/* A thread created before the process joined is not left behind. */
TEST_F(session, thread_before_join_is_member)
{
	struct thread_call tc = { .fd = self->fd };
	pthread_t th;
	int p[2];
	char c;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pthread_create(&th, NULL, wait_on_pipe, &p[0]));
	ASSERT_EQ(2, kb_join(self->fd));
	ASSERT_EQ(1, write(p[1], &c, 1));
	ASSERT_EQ(0, pthread_join(th, NULL));
	/* A thread of the joined thread: joined automatically too. */
	ASSERT_EQ(0, pthread_create(&th, NULL, call_from_thread, &tc));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, tc.ret);
	close(p[0]);
	close(p[1]);
}

TEST_F(session, child_is_member)
{
	static uint64_t counts[KB_NR_SYSCALLS];
	struct kb_session_stats st;
	pid_t pid;

	ASSERT_EQ(1, kb_join(self->fd));
	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kb_syscall sc;
		int i;

		for (i = 0; i < 5; i++) {
			if (kb_call(self->fd, SYS_getpid, &sc))
				_exit(10 + (errno & 0x7f));
			if (sc.verdict != KB_VERDICT_EXECUTE)
				_exit(2);
		}
		/* A grandchild, forked by a member that joined by forking. */
		pid = fork();
		if (pid < 0)
			_exit(3);
		if (pid == 0)
			_exit(kb_call(self->fd, SYS_getpid, NULL) ? 4 : 0);
		_exit(wait_child(pid));
	}
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(0, kb_stats(self->fd, &st, counts));
	EXPECT_EQ(7u, st.total);
	EXPECT_EQ(6u, counts[SYS_getpid]);
	EXPECT_EQ(1u, counts[SYS_getppid]);
	EXPECT_EQ(3u, st.joined);
	EXPECT_EQ(1u, st.members);
}

/* A process forked before the join is not a member. */
TEST_F(session, older_child_not_member)
{
	int go[2];
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* If the parent dies, read() sees EOF: no orphan hangs. */
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		if (kb_call(self->fd, SYS_getppid, NULL) == 0)
			_exit(2);
		_exit(errno == EPERM ? 0 : 3);
	}
	ASSERT_EQ(1, kb_join(self->fd));
	ASSERT_EQ(1, write(go[1], &c, 1));
	EXPECT_EQ(0, wait_child(pid));
}

/*
 * A member's child that opens its own /dev/kbridge and creates a session
 * there without joining is not a member of that new session, while it
 * still is one of the session it was born into.
 */
TEST_F(session, child_own_fd_not_member)
{
	pid_t pid;

	ASSERT_EQ(1, kb_join(self->fd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd2 = open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);

		if (fd2 < 0)
			_exit(1);
		if (kb_create(fd2, NULL))
			_exit(2);
		if (kb_call(fd2, SYS_getppid, NULL) == 0)
			_exit(3);
		if (errno != EPERM)
			_exit(4);
		/* Still a member of the parent's session: it cannot move. */
		if (kb_join(fd2) != -1 || errno != EBUSY)
			_exit(5);
		if (kb_call(self->fd, SYS_getppid, NULL))
			_exit(6);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
}

TEST_F(session, members_drop_after_exit)
{
	struct kb_session_stats st;
	pid_t pids[3];
	int p[2], i;
	char c;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(1, kb_join(self->fd));
	for (i = 0; i < 3; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			close(p[1]);
			_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
		}
	}
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
	EXPECT_EQ(4u, st.members);
	EXPECT_EQ(4u, st.joined);
	close(p[1]);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, wait_child(pids[i]));
	/* A reaped child has passed its exit probe: no delay here. */
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
	EXPECT_EQ(1u, st.members);
	EXPECT_EQ(4u, st.joined);
	close(p[0]);
}

/*
 * Every member carries a spare for its next fork (the fork probe may not
 * allocate): after a member forks, the parent has a new spare before it
 * returns to user mode and the child has its own before its first
 * instruction. Then a member is killed while ptrace holds it at a fork
 * event (after the fork probe; the kernel runs pending task works, the
 * refill, before the stop) with its child, held before its first
 * instruction: every member and spare is freed.
 */
TEST_F(session, spares_follow_forks_and_kills)
{
	unsigned long msg = 0;
	int p[2], q[2], status;
	pid_t pid, child;
	char c;

	KB_NO_MEMBERS_OR_SKIP();
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(q));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(p[0]);
		close(q[1]);
		if (kb_join(self->fd) != 1)
			_exit(1);
		child = fork();
		if (child == 0) {
			/* Running: tell the test, wait for its look. */
			if (write(p[1], "c", 1) != 1)
				_exit(2);
			_exit(read(q[0], &c, 1) == 0 ? 0 : 3);
		}
		if (child < 0 || write(p[1], "p", 1) != 1)
			_exit(4);
		close(p[1]);
		_exit(wait_child(child));
	}
	close(p[1]);
	close(q[0]);
	ASSERT_EQ(1, read(p[0], &c, 1));
	ASSERT_EQ(1, read(p[0], &c, 1));
	EXPECT_EQ(2, kb_objects("members"));
	EXPECT_EQ(2, kb_objects("spares"));
	close(q[1]);
	close(p[0]);
	ASSERT_EQ(0, wait_child(pid));
	EXPECT_EQ(0, kb_objects_wait("members", 0));
	EXPECT_EQ(0, kb_objects_wait("spares", 0));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) || kb_join(self->fd) != 1)
			_exit(1);
		raise(SIGSTOP);
		/* Held at the fork event, then killed there. */
		fork();
		_exit(2);
	}
	ASSERT_EQ(0, kb_trace_to_event(pid, PTRACE_O_TRACEFORK,
				       PTRACE_EVENT_FORK));
	ASSERT_EQ(0, ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg));
	child = (pid_t)msg;
	/* Its first stop (ptrace's SIGSTOP) comes after its refill. */
	ASSERT_EQ(child, waitpid(child, &status, __WALL));
	ASSERT_TRUE(WIFSTOPPED(status));
	EXPECT_EQ(2, kb_objects("members"));
	EXPECT_EQ(2, kb_objects("spares"));
	ASSERT_EQ(0, kill(child, SIGKILL));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(child, waitpid(child, &status, __WALL));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_EQ(0, kb_objects_wait("members", 0));
	EXPECT_EQ(0, kb_objects_wait("spares", 0));
}

TEST_F(session, two_sessions_independent)
{
	static uint64_t counts[KB_NR_SYSCALLS];
	struct kb_session_stats st;
	int go[2], fd2;
	uint64_t id2;
	pid_t pid;
	char c;

	fd2 = open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, kb_create(fd2, &id2));
	EXPECT_NE(self->id, id2);
	ASSERT_EQ(0, pipe(go));

	/* Forked before anyone joins: free to join the second session. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int i;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		if (kb_join(fd2) != 1)
			_exit(2);
		for (i = 0; i < 5; i++)
			if (kb_call(fd2, SYS_getpid, NULL))
				_exit(3);
		if (kb_call(self->fd, SYS_getpid, NULL) == 0 ||
		    errno != EPERM)
			_exit(4);
		_exit(0);
	}

	ASSERT_EQ(1, kb_join(self->fd));
	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, NULL));
	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, NULL));
	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, NULL));
	/* A member of the first session is none of the second's. */
	ASSERT_EQ(-1, kb_call(fd2, SYS_getppid, NULL));
	EXPECT_EQ(EPERM, errno);
	ASSERT_EQ(-1, kb_join(fd2));
	EXPECT_EQ(EBUSY, errno);

	ASSERT_EQ(1, write(go[1], &c, 1));
	ASSERT_EQ(0, wait_child(pid));

	ASSERT_EQ(0, kb_stats(self->fd, &st, counts));
	EXPECT_EQ(3u, st.total);
	EXPECT_EQ(3u, counts[SYS_getppid]);
	EXPECT_EQ(0u, counts[SYS_getpid]);
	EXPECT_EQ(1u, st.joined);
	ASSERT_EQ(0, kb_stats(fd2, &st, counts));
	EXPECT_EQ(5u, st.total);
	EXPECT_EQ(5u, counts[SYS_getpid]);
	EXPECT_EQ(0u, counts[SYS_getppid]);
	EXPECT_EQ(1u, st.joined);
	EXPECT_EQ(0u, st.members);
	close(fd2);
}

/* The session lives as long as its file, not as long as its creator. */
TEST_F(session, parent_close_keeps_session)
{
	int go[2], p;
	pid_t pid;
	char c;

	ASSERT_EQ(1, kb_join(self->fd));
	ASSERT_EQ(0, kb_call(self->fd, SYS_getppid, NULL));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kb_session_stats st;
		int i;

		close(go[1]);
		if (read(go[0], &c, 1) != 0)
			_exit(1);
		for (i = 0; i < 4; i++)
			if (kb_call(self->fd, SYS_getpid, NULL))
				_exit(10 + (errno & 0x7f));
		if (kb_stats(self->fd, &st, NULL))
			_exit(3);
		/* The parent's call and this child's four. */
		if (st.total != 5)
			_exit(4);
		if (st.members != 1 && st.members != 2)
			_exit(5);
		_exit(0);
	}
	close(go[0]);
	/* The parent lets go of the file before the child uses it. */
	p = self->fd;
	self->fd = -1;
	ASSERT_EQ(0, close(p));
	close(go[1]);
	EXPECT_EQ(0, wait_child(pid));
}

/*
 * Once the last holder of the file and the last member are gone, nothing
 * of the session stays: a new session on a new file starts from zero, and
 * the task that held the old one joins it (no stale member says EBUSY).
 */
TEST_F(session, new_session_after_close)
{
	static uint64_t counts[KB_NR_SYSCALLS];
	struct kb_session_stats st;
	uint64_t id2;
	pid_t pid;
	int fd2;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(kb_join(self->fd) != 1 ||
		      kb_call(self->fd, SYS_getppid, NULL) ? 1 : 0);
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;

	fd2 = open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, kb_create(fd2, &id2));
	EXPECT_LT(self->id, id2);
	ASSERT_EQ(1, kb_join(fd2)) {
		TH_LOG("join: %s", strerror(errno));
	}
	ASSERT_EQ(0, kb_call(fd2, SYS_getppid, NULL));
	ASSERT_EQ(0, kb_stats(fd2, &st, counts));
	EXPECT_EQ(1u, st.total);
	EXPECT_EQ(1u, counts[SYS_getppid]);
	EXPECT_EQ(1u, st.members);
	EXPECT_EQ(1u, st.joined);
	close(fd2);
}

/* A member that closes the file is still one: no other session takes it. */
TEST_F(session, closed_file_keeps_member)
{
	int fd2;

	ASSERT_EQ(1, kb_join(self->fd));
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	fd2 = open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, kb_create(fd2, NULL));
	EXPECT_EQ(-1, kb_join(fd2));
	EXPECT_EQ(EBUSY, errno);
	close(fd2);
}

/* Membership survives exec: the task is the same. */
TEST_F(session, member_after_exec)
{
	char fdarg[16];
	pid_t pid;

	ASSERT_EQ(1, kb_join(self->fd));
	/* No O_CLOEXEC on the copy the new program gets. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = dup(self->fd);

		if (fd < 0)
			_exit(1);
		snprintf(fdarg, sizeof(fdarg), "%d", fd);
		if (setenv("KB_TEST_EXEC_FD", fdarg, 1))
			_exit(2);
		execl("/proc/self/exe", "kbridge_session", (char *)NULL);
		_exit(3);
	}
	ASSERT_EQ(0, wait_child(pid));
}

/* Many threads created and exiting at once, while the session is read. */
static void *churn(void *arg)
{
	struct thread_call tc = { .fd = *(int *)arg };
	pthread_t th;
	int i;

	for (i = 0; i < 20; i++) {
		if (pthread_create(&th, NULL, call_from_thread, &tc))
			return (void *)1;
		pthread_join(th, NULL);
		if (tc.ret)
			return (void *)2;
	}
	return NULL;
}

TEST_F(session, thread_churn)
{
	struct kb_session_stats st;
	pthread_t th[8];
	void *ret;
	int i;

	ASSERT_EQ(1, kb_join(self->fd));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, churn, &self->fd));
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, pthread_join(th[i], &ret));
		EXPECT_EQ(NULL, ret);
	}
	ASSERT_EQ(0, kb_wait_members(self->fd, 1));
	ASSERT_EQ(0, kb_stats(self->fd, &st, NULL));
	EXPECT_EQ(8u * 20, st.total);
	EXPECT_EQ(1u + 8 + 8 * 20, st.joined);
}

/*
 * JOIN while other threads keep creating threads: once JOIN has returned,
 * no thread of the process may be outside the session, whether it was
 * created before, during or after the join.
 */
struct race {
	int fd;
	volatile int joined;
	volatile int stop;
	volatile int escaped;
	volatile int errors;
};

static void *race_check(void *arg)
{
	struct race *r = arg;

	while (!r->joined)
		sched_yield();
	if (kb_call(r->fd, SYS_getppid, NULL))
		__atomic_add_fetch(&r->escaped, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void *race_spawn(void *arg)
{
	struct race *r = arg;
	pthread_t th;

	while (!r->stop) {
		if (pthread_create(&th, NULL, race_check, r)) {
			__atomic_add_fetch(&r->errors, 1, __ATOMIC_RELAXED);
			break;
		}
		pthread_join(th, NULL);
	}
	return NULL;
}

/* One round in a process of its own (a member stays one until it exits). */
static int race_round(int fd)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	struct race r = { .fd = fd };
	pthread_t th[4];
	int i;

	for (i = 0; i < 4; i++)
		if (pthread_create(&th[i], NULL, race_spawn, &r))
			return 1;
	nanosleep(&ts, NULL);
	if (kb_join(fd) < 1)
		return 2;
	r.joined = 1;
	nanosleep(&ts, NULL);
	r.stop = 1;
	for (i = 0; i < 4; i++)
		if (pthread_join(th[i], NULL))
			return 3;
	if (r.errors)
		return 4;
	return r.escaped ? 5 : 0;
}

TEST_F(session, join_races_thread_creation)
{
	int round, fd;
	pid_t pid;

	for (round = 0; round < 5; round++) {
		fd = open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, kb_create(fd, NULL));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(race_round(fd));
		EXPECT_EQ(0, wait_child(pid)) {
			TH_LOG("round %d", round);
		}
		close(fd);
	}
}

/*
 * member_after_exec runs this program again with KB_TEST_EXEC_FD set: the
 * new image makes one call on the inherited fd, before the harness starts.
 */
static void __attribute__((constructor)) exec_call(void)
{
	const char *fdarg = getenv("KB_TEST_EXEC_FD");

	if (!fdarg)
		return;
	if (kb_call(atoi(fdarg), SYS_getppid, NULL)) {
		fprintf(stderr, "SYSCALL after exec: %s\n", strerror(errno));
		_exit(3);
	}
	_exit(0);
}

TEST_HARNESS_MAIN
