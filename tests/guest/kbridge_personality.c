// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge personality modules (KB_IOC_SET_PERSONALITY, kb_init_dynamic())
 * with the example module examples/personality/kbdemo.ko, on the
 * KB_IOC_SYSCALL path with real user pointers (no SUD needed):
 *  - a session may name "demo" while it is not loaded: 0 handlers, and
 *    its syscalls run natively (EXECUTE);
 *  - loaded, the handlers decide what the policy passes: a virtual
 *    uname, virtual PIDs (1 for the first process, 2 for a child), a
 *    synthetic /proc/cpuinfo fd, sethostname refused with EPERM, EFAULT
 *    for a bad buffer; stub and fake rules still win over it;
 *  - bad names, flags and reserved fields are refused;
 *  - rmmod while a handler sleeps waits for it, then the session's calls
 *    run natively again, and an insmod makes the same session virtual
 *    again; the kernel log stays free of BUG/WARNING/Oops.
 *
 * Run as root from the repository root (insmod and rmmod of kbdemo, whose
 * .ko the build makes: a missing one fails), with kbridge.ko loaded
 * (SKIP otherwise). Leaves kbdemo unloaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kbridge_test.h"

#define KBDEMO_KO	"examples/personality/kbdemo.ko"
#define KBDEMO_SYS	"/sys/module/kbdemo"
#define KBDEMO_SLOW	KBDEMO_SYS "/parameters/slow_ms"
#define KBDEMO_HANDLERS	4

static const char cpuinfo_head[] =
	"processor\t: 0\nvendor_id\t: KBDemo\n"
	"model name\t: KBDemo virtual CPU @ 1.00GHz\n";

static int kbdemo_loaded(void)
{
	return access(KBDEMO_SYS, F_OK) == 0;
}

/* insmod kbdemo.ko unless it is loaded: 0, or -1 (with why on stderr). */
static int kbdemo_load(void)
{
	if (kbdemo_loaded())
		return 0;
	if (access(KBDEMO_KO, R_OK)) {
		fprintf(stderr, "# %s: %s (build it: make guest-build)\n",
			KBDEMO_KO, strerror(errno));
		return -1;
	}
	if (system("insmod " KBDEMO_KO)) {
		fprintf(stderr, "# insmod %s failed\n", KBDEMO_KO);
		return -1;
	}
	return kbdemo_loaded() ? 0 : -1;
}

static int kbdemo_unload(void)
{
	if (!kbdemo_loaded())
		return 0;
	if (system("rmmod kbdemo")) {
		fprintf(stderr, "# rmmod kbdemo failed\n");
		return -1;
	}
	return kbdemo_loaded() ? -1 : 0;
}

/* KB_IOC_SET_PERSONALITY; the handlers it reports into @handlers. */
static int kb_pers(int fd, const char *name, uint32_t flags,
		   uint32_t reserved, uint32_t *handlers)
{
	struct kb_set_personality p = {
		.size = sizeof(p), .flags = flags, .__reserved = reserved,
	};
	int ret;

	/* Not a string copy: a 32-byte name must stay unterminated. */
	memcpy(p.name, name, strnlen(name, sizeof(p.name)));
	p.handlers = 0xdead;
	ret = ioctl(fd, KB_IOC_SET_PERSONALITY, &p);
	if (handlers)
		*handlers = p.handlers;
	return ret;
}

/* KB_IOC_SYSCALL for @nr with up to three arguments. */
static int kb_sys3(int fd, unsigned int nr, uint64_t a0, uint64_t a1,
		   uint64_t a2, struct kb_syscall *out)
{
	uint64_t args[6] = { a0, a1, a2 };

	return kb_call_args(fd, nr, args, out);
}

/* Lines matching the kernel's alarm words in dmesg; -1 if unreadable. */
static int dmesg_bad(void)
{
	FILE *f = popen("dmesg | grep -cE 'BUG:|WARNING:|Oops'", "r");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	pclose(f);
	return n;
}

/* Counted once, before the first test forks: the last one compares. */
static int dmesg_bad_before = -1;

__attribute__((constructor)) static void count_dmesg_before(void)
{
	dmesg_bad_before = dmesg_bad();
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

FIXTURE(pers) {
	int fd;
};

FIXTURE_SETUP(pers)
{
	self->fd = -1;
	OPEN_OR_SKIP(self->fd);
	ASSERT_EQ(0, kb_create(self->fd, NULL));
	ASSERT_EQ(1, kb_join(self->fd));
}

FIXTURE_TEARDOWN(pers)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(pers, feature_bit)
{
	struct kb_version v;

	ASSERT_EQ(0, kb_version(self->fd, &v));
	EXPECT_NE(0ULL, v.features & KB_FEATURE_PERSONALITY);
}

TEST_F(pers, bad_names_flags_reserved)
{
	char name[KB_PERSONALITY_NAME_MAX + 2];
	const char *bad[] = { "Bad", "a/b", "a b", "demo.ko", "\xc3\xa9" };
	uint32_t handlers;
	unsigned int i;
	int fd;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, kb_pers(self->fd, bad[i], 0, 0, NULL)) {
			TH_LOG("name '%s' accepted", bad[i]);
		}
		EXPECT_EQ(EINVAL, errno);
	}
	/* 32 characters: no room for the NUL. */
	memset(name, 'a', sizeof(name));
	name[KB_PERSONALITY_NAME_MAX + 1] = '\0';
	errno = 0;
	EXPECT_EQ(-1, kb_pers(self->fd, name, 0, 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	/* 31 is the longest name; it need not be loaded. */
	name[KB_PERSONALITY_NAME_MAX] = '\0';
	EXPECT_EQ(0, kb_pers(self->fd, name, 0, 0, &handlers));
	EXPECT_EQ(0U, handlers);
	EXPECT_EQ(0, kb_pers(self->fd, "x_1-y", 0, 0, &handlers));
	/* "" means none. */
	EXPECT_EQ(0, kb_pers(self->fd, "", 0, 0, &handlers));
	EXPECT_EQ(0U, handlers);

	errno = 0;
	EXPECT_EQ(-1, kb_pers(self->fd, "demo", 1, 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, kb_pers(self->fd, "demo", 0, 1, NULL));
	EXPECT_EQ(EINVAL, errno);

	/* A file without a session has nothing to name it for. */
	fd = open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	errno = 0;
	EXPECT_EQ(-1, kb_pers(fd, "demo", 0, 0, NULL));
	EXPECT_EQ(ENOENT, errno);
	close(fd);
}

/* Named but not loaded: every call runs natively. */
TEST_F(pers, not_loaded_falls_back)
{
	const char *path = "/proc/cpuinfo";
	struct kb_syscall sc;
	struct utsname u;
	uint32_t handlers;

	ASSERT_EQ(0, kbdemo_unload());
	ASSERT_EQ(0, kb_pers(self->fd, "demo", 0, 0, &handlers));
	EXPECT_EQ(0U, handlers);

	memset(&u, 0x5a, sizeof(u));
	ASSERT_EQ(0, kb_sys3(self->fd, SYS_uname, (uintptr_t)&u, 0, 0, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);
	EXPECT_EQ(KB_TIER_FULL, sc.tier);
	EXPECT_EQ(KB_ACTION_PASS, sc.action);
	EXPECT_EQ((uintptr_t)&u, sc.args[0]);
	EXPECT_EQ(0x5a, (unsigned char)u.sysname[0]);

	ASSERT_EQ(0, kb_sys3(self->fd, SYS_getpid, 0, 0, 0, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);
	ASSERT_EQ(0, kb_sys3(self->fd, SYS_openat, AT_FDCWD, (uintptr_t)path,
			     O_RDONLY, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);
	ASSERT_EQ(0, kb_sys3(self->fd, SYS_sethostname, (uintptr_t)"x", 1, 0,
			     &sc));
	EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);
}

TEST_F(pers, uname_virtual)
{
	struct kb_syscall sc;
	struct utsname u, real;
	uint32_t handlers;

	ASSERT_EQ(0, kbdemo_load());
	ASSERT_EQ(0, kb_pers(self->fd, "demo", 0, 0, &handlers));
	EXPECT_EQ((uint32_t)KBDEMO_HANDLERS, handlers);
	ASSERT_EQ(0, uname(&real));

	memset(&u, 0x5a, sizeof(u));
	ASSERT_EQ(0, kb_sys3(self->fd, SYS_uname, (uintptr_t)&u, 0, 0, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_RESULT, sc.verdict);
	EXPECT_EQ(0, sc.result);
	EXPECT_EQ(KB_TIER_PARTIAL, sc.tier);
	EXPECT_EQ(KB_ACTION_FAKE, sc.action);
	EXPECT_STREQ("KBDemoOS", u.sysname);
	EXPECT_STREQ("1.0-demo", u.release);
	EXPECT_STREQ("#1 kbdemo", u.version);
	EXPECT_STREQ("x86_64", u.machine);
	EXPECT_STREQ(real.nodename, u.nodename);
	EXPECT_STREQ(real.domainname, u.domainname);
	/* The whole struct was written, padding included. */
	EXPECT_EQ(0, u.sysname[sizeof(u.sysname) - 1]);
	EXPECT_EQ(0, u.machine[sizeof(u.machine) - 1]);

	/* Naming none: the call runs natively again. */
	EXPECT_EQ(0, kb_pers(self->fd, "", 0, 0, &handlers));
	EXPECT_EQ(0U, handlers);
	ASSERT_EQ(0, kb_sys3(self->fd, SYS_uname, (uintptr_t)&u, 0, 0, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);
}

struct getpid_res {
	int fd;
	int ret;
	struct kb_syscall sc;
};

static void *getpid_thread(void *arg)
{
	struct getpid_res *r = arg;

	r->ret = kb_sys3(r->fd, SYS_getpid, 0, 0, 0, &r->sc);
	return NULL;
}

TEST_F(pers, getpid_virtual)
{
	struct getpid_res child = { .ret = -1 };
	struct getpid_res thr = { .fd = self->fd, .ret = -1 };
	struct kb_syscall sc;
	uint32_t handlers;
	pthread_t t;
	int p[2], status;
	pid_t pid;

	ASSERT_EQ(0, kbdemo_load());
	ASSERT_EQ(0, kb_pers(self->fd, "demo", 0, 0, &handlers));
	EXPECT_EQ((uint32_t)KBDEMO_HANDLERS, handlers);

	ASSERT_EQ(0, kb_sys3(self->fd, SYS_getpid, 0, 0, 0, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_RESULT, sc.verdict);
	EXPECT_EQ(1, sc.result);
	EXPECT_EQ(KB_ACTION_FAKE, sc.action);
	ASSERT_EQ(0, kb_sys3(self->fd, SYS_getpid, 0, 0, 0, &sc));
	EXPECT_EQ(1, sc.result);

	/* A thread is the same process. */
	ASSERT_EQ(0, pthread_create(&t, NULL, getpid_thread, &thr));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, thr.ret);
	EXPECT_EQ(1, thr.sc.result);

	/* A child joins the session before it runs: it is the second. */
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct getpid_res r;

		close(p[0]);
		r.ret = kb_sys3(self->fd, SYS_getpid, 0, 0, 0, &r.sc);
		if (!r.ret)
			r.ret = kb_sys3(self->fd, SYS_getpid, 0, 0, 0, &r.sc);
		_exit(write(p[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	close(p[1]);
	EXPECT_EQ((ssize_t)sizeof(child), read(p[0], &child, sizeof(child)));
	close(p[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, child.ret);
	EXPECT_EQ((__u32)KB_VERDICT_RESULT, child.sc.verdict);
	EXPECT_EQ(2, child.sc.result);

	ASSERT_EQ(0, kb_sys3(self->fd, SYS_getpid, 0, 0, 0, &sc));
	EXPECT_EQ(1, sc.result);
}

/* Read all of @fd (at most @size - 1 bytes) into @buf, NUL-terminated. */
static ssize_t read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got < size - 1) {
		n = read(fd, buf + got, size - 1 - got);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	return got;
}

TEST_F(pers, openat_cpuinfo)
{
	const char *others[] = { "/proc/version", "/proc/cpuinfo/",
				 "/proc/cpuinfoX", "proc/cpuinfo",
				 "/proc/./cpuinfo" };
	char buf[8192], again[8192];
	struct kb_syscall sc;
	unsigned int i, n;
	const char *s;
	ssize_t len;
	int fd;

	ASSERT_EQ(0, kbdemo_load());
	ASSERT_EQ(0, kb_pers(self->fd, "demo", 0, 0, NULL));

	ASSERT_EQ(0, kb_sys3(self->fd, SYS_openat, AT_FDCWD,
			     (uintptr_t)"/proc/cpuinfo", O_RDONLY | O_CLOEXEC,
			     &sc));
	ASSERT_EQ((__u32)KB_VERDICT_RESULT, sc.verdict);
	EXPECT_EQ(KB_TIER_PARTIAL, sc.tier);
	EXPECT_EQ(KB_ACTION_FAKE, sc.action);
	ASSERT_LE(0, sc.result);
	fd = sc.result;
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	EXPECT_EQ(O_RDONLY, fcntl(fd, F_GETFL) & O_ACCMODE);
	len = read_all(fd, buf, sizeof(buf));
	ASSERT_LT(0, len);
	EXPECT_EQ(0, strncmp(buf, cpuinfo_head, strlen(cpuinfo_head))) {
		TH_LOG("content starts '%.80s'", buf);
	}
	for (n = 0, s = buf; (s = strstr(s, "processor\t: ")); s++)
		n++;
	EXPECT_EQ(2U, n);
	EXPECT_NE(NULL, strstr(buf, "\nprocessor\t: 1\n"));
	/* Read-only, and it reads the same again from the start. */
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(0, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(len, read_all(fd, again, sizeof(again)));
	EXPECT_STREQ(buf, again);
	/* The file holds the module: no fd may outlive its code. */
	close(fd);

	ASSERT_EQ(0, kb_sys3(self->fd, SYS_openat, AT_FDCWD,
			     (uintptr_t)"/proc/cpuinfo", O_RDONLY, &sc));
	ASSERT_LE(0, sc.result);
	EXPECT_EQ(0, fcntl(sc.result, F_GETFD));
	close(sc.result);

	/* Opening it for writing is refused, as a read-only file is. */
	ASSERT_EQ(0, kb_sys3(self->fd, SYS_openat, AT_FDCWD,
			     (uintptr_t)"/proc/cpuinfo", O_WRONLY, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_RESULT, sc.verdict);
	EXPECT_EQ(-EACCES, sc.result);

	/* Every other path, and an unreadable one, is Linux's. */
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		ASSERT_EQ(0, kb_sys3(self->fd, SYS_openat, AT_FDCWD,
				     (uintptr_t)others[i], O_RDONLY, &sc));
		EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict) {
			TH_LOG("openat %s", others[i]);
		}
		EXPECT_EQ((uintptr_t)others[i], sc.args[1]);
	}
	ASSERT_EQ(0, kb_sys3(self->fd, SYS_openat, AT_FDCWD, 8, O_RDONLY,
			     &sc));
	EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);
}

TEST_F(pers, sethostname_eperm)
{
	struct kb_syscall sc;

	ASSERT_EQ(0, kbdemo_load());
	ASSERT_EQ(0, kb_pers(self->fd, "demo", 0, 0, NULL));
	ASSERT_EQ(0, kb_sys3(self->fd, SYS_sethostname, (uintptr_t)"renamed",
			     7, 0, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_RESULT, sc.verdict);
	EXPECT_EQ(-EPERM, sc.result);
	EXPECT_EQ(KB_TIER_STUBBED, sc.tier);
	EXPECT_EQ(KB_ACTION_STUB, sc.action);
}

TEST_F(pers, uname_efault)
{
	struct kb_syscall sc;
	void *ro;

	ASSERT_EQ(0, kbdemo_load());
	ASSERT_EQ(0, kb_pers(self->fd, "demo", 0, 0, NULL));
	ASSERT_EQ(0, kb_sys3(self->fd, SYS_uname, 8, 0, 0, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_RESULT, sc.verdict);
	EXPECT_EQ(-EFAULT, sc.result);
	EXPECT_EQ(KB_ACTION_STUB, sc.action);

	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, kb_sys3(self->fd, SYS_uname, (uintptr_t)ro, 0, 0, &sc));
	EXPECT_EQ(-EFAULT, sc.result);
	munmap(ro, 4096);
}

/* Stubs and fakes never pass: the personality does not see them. */
TEST_F(pers, rules_win)
{
	struct kb_rule_desc d[] = {
		kb_rule(SYS_uname, KB_TIER_STUBBED, KB_ACTION_STUB, EACCES),
		kb_rule(SYS_getpid, KB_TIER_STUBBED, KB_ACTION_FAKE, 42),
		/* A tier 2 condition that passes hands the call on. */
		kb_rule(SYS_openat, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		kb_cond_path(SYS_openat, 1, "/etc/*", KB_ACTION_STUB, EACCES),
	};
	struct kb_rule_desc pass = kb_rule(SYS_uname, KB_TIER_FULL,
					   KB_ACTION_PASS, 0);
	struct kb_syscall sc;
	struct utsname u;

	ASSERT_EQ(0, kbdemo_load());
	ASSERT_EQ(0, kb_pers(self->fd, "demo", 0, 0, NULL));
	ASSERT_EQ(0, kb_rules_set(self->fd, d, 4));

	memset(&u, 0x5a, sizeof(u));
	ASSERT_EQ(0, kb_sys3(self->fd, SYS_uname, (uintptr_t)&u, 0, 0, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_RESULT, sc.verdict);
	EXPECT_EQ(-EACCES, sc.result);
	EXPECT_EQ(KB_TIER_STUBBED, sc.tier);
	EXPECT_EQ(0x5a, (unsigned char)u.sysname[0]);

	ASSERT_EQ(0, kb_sys3(self->fd, SYS_getpid, 0, 0, 0, &sc));
	EXPECT_EQ(42, sc.result);

	ASSERT_EQ(0, kb_sys3(self->fd, SYS_openat, AT_FDCWD,
			     (uintptr_t)"/etc/hostname", O_RDONLY, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_RESULT, sc.verdict);
	EXPECT_EQ(-EACCES, sc.result);
	ASSERT_EQ(0, kb_sys3(self->fd, SYS_openat, AT_FDCWD,
			     (uintptr_t)"/proc/cpuinfo", O_RDONLY, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_RESULT, sc.verdict);
	EXPECT_EQ(KB_ACTION_FAKE, sc.action);
	ASSERT_LE(0, sc.result);
	close(sc.result);

	/* Back to a pass: the personality answers again. */
	ASSERT_EQ(0, kb_rules_set(self->fd, &pass, 1));
	ASSERT_EQ(0, kb_sys3(self->fd, SYS_uname, (uintptr_t)&u, 0, 0, &sc));
	EXPECT_EQ(0, sc.result);
	EXPECT_STREQ("KBDemoOS", u.sysname);
}

struct slow_uname {
	int fd;
	_Atomic int tid;
	int ret;
	double done;
	struct kb_syscall sc;
	struct utsname u;
};

static void *slow_uname_thread(void *arg)
{
	struct slow_uname *s = arg;

	memset(&s->u, 0, sizeof(s->u));
	atomic_store(&s->tid, (int)syscall(SYS_gettid));
	s->ret = kb_sys3(s->fd, SYS_uname, (uintptr_t)&s->u, 0, 0, &s->sc);
	s->done = now_s();
	return NULL;
}

/* The state letter of thread @tid ('S': sleeping interruptibly). */
static char thread_state(int tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/*
 * rmmod while a handler sleeps in the module: it returns only after the
 * handler did, whose caller gets the virtual answer; then the session's
 * calls run natively, and after an insmod they are virtual again.
 */
TEST_F(pers, unload_while_in_use)
{
	struct slow_uname s = { .fd = self->fd };
	double start, t0, t1;
	struct kb_syscall sc;
	struct utsname u;
	uint32_t handlers;
	pthread_t t;
	int rc;

	ASSERT_EQ(0, kbdemo_load());
	ASSERT_EQ(0, kb_pers(self->fd, "demo", 0, 0, &handlers));
	EXPECT_EQ((uint32_t)KBDEMO_HANDLERS, handlers);
	ASSERT_EQ(0, write_file(KBDEMO_SLOW, "500"));

	ASSERT_EQ(0, pthread_create(&t, NULL, slow_uname_thread, &s));
	/* Only msleep_interruptible() puts the caller in 'S' on this path. */
	start = now_s();
	while (!atomic_load(&s.tid) || thread_state(s.tid) != 'S') {
		if (now_s() - start > 20) {
			pthread_join(t, NULL);
			ASSERT_TRUE(0) {
				TH_LOG("the uname handler never slept");
			}
		}
		usleep(1000);
	}
	t0 = now_s();
	rc = system("rmmod kbdemo");
	t1 = now_s();
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, rc);
	EXPECT_FALSE(kbdemo_loaded());
	EXPECT_EQ(0, s.ret);
	EXPECT_EQ((__u32)KB_VERDICT_RESULT, s.sc.verdict);
	EXPECT_EQ(0, s.sc.result);
	EXPECT_STREQ("KBDemoOS", s.u.sysname);
	/* rmmod waited for the handler. */
	EXPECT_LE(s.done, t1) {
		TH_LOG("handler done %.3f s after rmmod returned", s.done - t1);
	}
	TH_LOG("rmmod took %.3f s, handler ended %.3f s into it",
	       t1 - t0, s.done - t0);

	ASSERT_EQ(0, kb_sys3(self->fd, SYS_uname, (uintptr_t)&u, 0, 0, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);
	EXPECT_EQ(KB_TIER_FULL, sc.tier);
	ASSERT_EQ(0, kb_sys3(self->fd, SYS_getpid, 0, 0, 0, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_EXECUTE, sc.verdict);

	/* Loaded again, the same session (not named again) uses it. */
	ASSERT_EQ(0, kbdemo_load());
	memset(&u, 0, sizeof(u));
	ASSERT_EQ(0, kb_sys3(self->fd, SYS_uname, (uintptr_t)&u, 0, 0, &sc));
	EXPECT_EQ((__u32)KB_VERDICT_RESULT, sc.verdict);
	EXPECT_EQ(0, sc.result);
	EXPECT_STREQ("KBDemoOS", u.sysname);
	/* The session still names it: naming it again reports it loaded. */
	EXPECT_EQ(0, kb_pers(self->fd, "demo", 0, 0, &handlers));
	EXPECT_EQ((uint32_t)KBDEMO_HANDLERS, handlers);
	EXPECT_EQ(0, kbdemo_unload());
}

/* Last: kbdemo unloaded (so kbridge.ko can go), and a clean kernel log. */
TEST_F(pers, zz_unloaded_and_log_clean)
{
	int after;

	EXPECT_EQ(0, kbdemo_unload());
	EXPECT_FALSE(kbdemo_loaded());
	after = dmesg_bad();
	ASSERT_LE(0, dmesg_bad_before);
	ASSERT_LE(0, after);
	EXPECT_EQ(dmesg_bad_before, after) {
		if (system("dmesg | grep -E 'BUG:|WARNING:|Oops' | tail -n 20 >&2"))
			TH_LOG("dmesg could not be shown");
	}
}

TEST_HARNESS_MAIN
