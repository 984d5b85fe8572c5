// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile input for /dev/kbridge's ioctls: many threads send every
 * command, and numbers past the last one, with random sizes and flags,
 * structs whose pointer fields point nowhere, at read-only pages, at
 * kernel addresses or into the middle of a page that ends unmapped, huge
 * and zero counts; the argument pointer itself is as bad in a share of
 * the calls. The workers replace the fds they share under each other
 * (dup2 over an fd mid-call), and fork children that make a few calls
 * as members and exit.
 *
 * A run is a function of its seed: KB_FUZZ_SEED (default 1) gives every
 * worker its own stream of calls, KB_FUZZ_CALLS (default 20000) how many
 * each makes, KB_FUZZ_THREADS (default 8) how many workers there are.
 * Nothing is drawn from the clock, so a seed that once failed fails
 * again on the same build (how the threads interleave aside: with
 * KB_FUZZ_THREADS=1 the whole sequence of calls is the same every time).
 * tests/fuzz_seeds is the list make check runs; tests/guest/fuzz_guest.sh
 * (make fuzz) draws new seeds.
 *
 * Every buffer a call may describe to the module lies in a mapping that
 * ends at a PROT_NONE page: the fuzz says "count entries" far more often
 * than it has room for, and a module that honours a count it was given
 * then gets EFAULT from the guard page instead of writing into the
 * fuzzer's own heap. (Issue 21: a KB_IOC_TASK_LIST with tasks in the last
 * page of a heap buffer and a count of 2^32-1 was answered with members x
 * info_size bytes, as asked, and glibc found its next chunk's header
 * overwritten: "corrupted size vs. prev_size".) tests/guest/kbridge_bounds.c
 * proves that the module writes no byte outside what the caller claimed.
 *
 * What must hold: the process survives, every failure is one of the
 * errnos the ABI documents, and every thread finishes (no hang). The
 * kernel side (no BUG/WARNING/Oops, nothing left at rmmod) is checked
 * by tests/guest/fuzz_guest.sh around this program. Needs /dev/kbridge (SKIP
 * otherwise) and root.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kbridge_test.h"

#define MAX_THREADS	64
#define SHARED_FDS	4
#define PG		4096UL
/* Pages of each worker's scratch area, which pointers may point into. */
#define SCRATCH_PAGES	16

/* What each command's struct is, as this build knows it (the uapi's). */
#define CMD_SIZE(_ioc)	[_IOC_NR(_ioc)] = _IOC_SIZE(_ioc)
static const unsigned int cmd_size[] = {
	CMD_SIZE(KB_IOC_GET_VERSION),
	CMD_SIZE(KB_IOC_SESSION_CREATE),
	CMD_SIZE(KB_IOC_SESSION_JOIN),
	CMD_SIZE(KB_IOC_SYSCALL),
	CMD_SIZE(KB_IOC_SESSION_STATS),
	CMD_SIZE(KB_IOC_SET_RULES),
	CMD_SIZE(KB_IOC_GET_RULES),
	CMD_SIZE(KB_IOC_SET_FASTPATH),
	CMD_SIZE(KB_IOC_SET_PERSONALITY),
	CMD_SIZE(KB_IOC_SET_SCOPE),
	CMD_SIZE(KB_IOC_EXEC_RULE_ADD),
	CMD_SIZE(KB_IOC_EXEC_RULE_DEL),
	CMD_SIZE(KB_IOC_EXEC_RULE_LIST),
	CMD_SIZE(KB_IOC_TASK_LIST),
};
#define NR_CMDS	(sizeof(cmd_size) / sizeof(cmd_size[0]))

/* Every errno the header documents for some ioctl, and EBADF (dup2). */
static int errno_allowed(int e)
{
	switch (e) {
	case EINVAL: case EFAULT: case E2BIG: case ENOTTY: case ENOENT:
	case ENOSPC: case EBUSY: case EPERM: case EEXIST: case ENOSYS:
	case EOPNOTSUPP: case ENOMEM: case EBADF: case EAGAIN:
	/* The lookup of a KB_EXEC_RUNTIME command. */
	case ENOTDIR: case EACCES: case ELOOP: case ENAMETOOLONG:
		return 1;
	}
	return 0;
}

static int shared_fd[SHARED_FDS];
static unsigned char *ro_page, *hole, *edge;	/* edge: last page before hole */
static atomic_ulong calls, fails, oks, swaps, forks, bad_errno_seen;
static atomic_int bad_errno, bad_cmd;

static uint64_t rnd(uint64_t *s)
{
	/* xorshift64*: fast, and a seed makes a run repeatable. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

/*
 * @pages read-write pages between two PROT_NONE ones: whatever the module
 * writes past the end faults instead of landing in other memory.
 */
static unsigned char *guarded_map(size_t pages)
{
	unsigned char *m = mmap(NULL, (pages + 2) * PG, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	if (mprotect(m, PG, PROT_NONE) ||
	    mprotect(m + (pages + 1) * PG, PG, PROT_NONE)) {
		munmap(m, (pages + 2) * PG);
		return NULL;
	}
	return m + PG;
}

static void guarded_unmap(unsigned char *p, size_t pages)
{
	if (p)
		munmap(p - PG, (pages + 2) * PG);
}

/* A pointer worth trying. @scratch: SCRATCH_PAGES guarded pages. */
static uint64_t bad_pointer(uint64_t *s, unsigned char *scratch)
{
	switch (rnd(s) % 9) {
	case 0: return 0;
	case 1: return (uintptr_t)hole;
	case 2: return (uintptr_t)ro_page;
	case 3: return 0xffffffff81000000ULL;	/* kernel text */
	case 4: return 0xffff888000000000ULL;	/* direct map */
	case 5: return (uintptr_t)edge + PG - 1 - rnd(s) % 64;
	case 6: return (uintptr_t)scratch + 1;	/* misaligned */
	case 7: return ~0ULL;
	default: return (uintptr_t)scratch + (rnd(s) % SCRATCH_PAGES) * PG;
	}
}

static uint32_t some_count(uint64_t *s)
{
	switch (rnd(s) % 6) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 0xffffffffu;
	case 3: return 1u << 20;
	case 4: return KB_NR_SYSCALLS;
	default: return (uint32_t)(rnd(s) % 600);
	}
}

/* Fill @buf (one page) as a struct of command @nr could look. */
static void make_arg(uint64_t *s, unsigned char *buf, unsigned int nr,
		     unsigned char *scratch)
{
	unsigned int real = nr < NR_CMDS ? cmd_size[nr] : 64;
	uint32_t size;
	unsigned int i;

	for (i = 0; i < PG; i += 8) {
		uint64_t v;

		switch (rnd(s) % 4) {
		case 0: v = bad_pointer(s, scratch); break;
		case 1: v = some_count(s) | ((uint64_t)some_count(s) << 32); break;
		case 2: v = rnd(s); break;
		default: v = 0; break;
		}
		memcpy(buf + i, &v, 8);
	}
	switch (rnd(s) % 8) {
	case 0: size = 0; break;
	case 1: size = real - 1; break;
	case 2: size = real + 8; break;
	case 3: size = (uint32_t)(rnd(s) % 8192); break;
	case 4: size = 0xffffffffu; break;
	default: size = real; break;
	}
	memcpy(buf, &size, 4);
	/* Mostly valid flags, so the handlers get past the header. */
	if (rnd(s) % 4)
		memset(buf + 4, 0, 4);
}

static int pick_fd(uint64_t *s, int own)
{
	return rnd(s) % 3 ? shared_fd[rnd(s) % SHARED_FDS] : own;
}

/*
 * An exec rule the fuzz made would put every later exec in the guest
 * under a random policy (and hold the module): undone at once.
 */
static void undo_exec_rule(int fd, unsigned long cmd, int ret, const void *p)
{
	struct kb_exec_rule_del del = { .size = sizeof(del) };

	if (ret || _IOC_TYPE(cmd) != KB_IOC_MAGIC ||
	    _IOC_NR(cmd) != KB_CMD_EXEC_RULE_ADD || !p)
		return;
	memcpy(&del.id, (const char *)p + offsetof(struct kb_exec_rule_add, id),
	       sizeof(del.id));
	if (ioctl(fd, KB_IOC_EXEC_RULE_DEL, &del))
		fprintf(stderr, "cannot delete exec rule %llu: %s\n",
			(unsigned long long)del.id, strerror(errno));
}

/* A few calls from a fresh child of a (maybe) member, then gone. */
static void fuzz_child(uint64_t seed, int own, unsigned char *buf,
		       unsigned char *scratch)
{
	unsigned int i, nr;
	unsigned long cmd;
	int fd, ret;

	for (i = 0; i < 50; i++) {
		nr = (unsigned int)(rnd(&seed) % (NR_CMDS + 2));
		make_arg(&seed, buf, nr, scratch);
		fd = pick_fd(&seed, own);
		cmd = _IOWR(KB_IOC_MAGIC, nr, struct kb_version);
		ret = ioctl(fd, cmd, buf);
		undo_exec_rule(fd, cmd, ret, buf);
	}
	_exit(0);
}

/*
 * Replace a shared fd under the other workers, whose calls hold the file:
 * done by the workers themselves at points their seed picks, so that even
 * this is the same in every run of a seed.
 */
static void swap_fd(uint64_t *s)
{
	int i = (int)(rnd(s) % SHARED_FDS);
	int fd = open("/dev/kbridge", O_RDWR);

	if (fd >= 0) {
		dup2(fd, shared_fd[i]);
		close(fd);
		atomic_fetch_add(&swaps, 1);
	}
}

struct worker {
	pthread_t t;
	uint64_t seed;
	unsigned long calls;	/* the budget */
	int done;
};

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	uint64_t s = w->seed;
	/*
	 * Swaps draw from a stream of their own: @s makes the same calls as
	 * it did when a thread of its own swapped the fds on a timer, so the
	 * seeds found then still make the same calls.
	 */
	uint64_t sw = w->seed ^ 0x5851f42d4c957f2dULL;
	unsigned char *buf, *scratch;
	unsigned long left;
	int own = open("/dev/kbridge", O_RDWR);

	/* The struct page is guarded too: a copy-back past it faults. */
	buf = guarded_map(1);
	scratch = guarded_map(SCRATCH_PAGES);
	if (!buf || !scratch || own < 0)
		goto out;
	for (left = w->calls; left; left--) {
		unsigned int nr = (unsigned int)(rnd(&s) % (NR_CMDS + 2));
		unsigned long cmd;
		void *p = buf;
		int fd = pick_fd(&s, own), ret;

		make_arg(&s, buf, nr, scratch);
		/* Most calls well-formed in their command word. */
		switch (rnd(&s) % 10) {
		case 0: cmd = (unsigned long)rnd(&s); break;
		case 1: cmd = _IO(KB_IOC_MAGIC, nr); break;
		default: cmd = _IOWR(KB_IOC_MAGIC, nr, struct kb_version); break;
		}
		switch (rnd(&s) % 12) {
		case 0: p = NULL; break;
		case 1: p = hole; break;
		case 2: p = ro_page; break;
		case 3: p = (void *)0xffffffff81000000ULL; break;
		case 4: p = edge + PG - 8; memcpy(p, buf, 8); break;
		}
		ret = ioctl(fd, cmd, p);
		undo_exec_rule(fd, cmd, ret, p);
		atomic_fetch_add(&calls, 1);
		if (ret == 0) {
			atomic_fetch_add(&oks, 1);
		} else {
			atomic_fetch_add(&fails, 1);
			if (!errno_allowed(errno) &&
			    !atomic_fetch_add(&bad_errno_seen, 1)) {
				atomic_store(&bad_errno, errno);
				atomic_store(&bad_cmd, (int)nr);
			}
		}
		if (rnd(&sw) % 40 == 0)
			swap_fd(&sw);
		if (rnd(&s) % 2000 == 0) {
			pid_t pid = fork();

			if (pid == 0)
				fuzz_child(rnd(&s), own, buf, scratch);
			if (pid > 0) {
				waitpid(pid, NULL, 0);
				atomic_fetch_add(&forks, 1);
			}
		}
	}
	w->done = 1;
out:
	if (own >= 0)
		close(own);
	guarded_unmap(buf, 1);
	guarded_unmap(scratch, SCRATCH_PAGES);
	return NULL;
}

/* An unsigned number from the environment, or @def; exits on junk. */
static unsigned long long env_num(const char *name, unsigned long long def,
				  unsigned long long min, unsigned long long max)
{
	const char *v = getenv(name);
	unsigned long long n;
	char *end;

	if (!v || !*v)
		return def;
	errno = 0;
	n = strtoull(v, &end, 0);
	if (errno || *end || v[0] == '-' || n < min || n > max) {
		fprintf(stderr, "%s=%s: not a number in [%llu, %llu]\n",
			name, v, min, max);
		exit(2);
	}
	return n;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

FIXTURE(fz) {
	int unused;
};

FIXTURE_SETUP(fz)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(fz)
{
}

TEST_F_TIMEOUT(fz, fuzz, 3600)
{
	uint64_t seed = env_num("KB_FUZZ_SEED", 1, 1, UINT64_MAX);
	unsigned long per = env_num("KB_FUZZ_CALLS", 20000, 1, 1UL << 40);
	int nthreads = (int)env_num("KB_FUZZ_THREADS", 8, 1, MAX_THREADS);
	struct worker w[MAX_THREADS];
	unsigned char *map;
	double t0, secs;
	int i, fd;

	fd = open("/dev/kbridge", O_RDWR);
	if (fd < 0)
		SKIP(return, "no /dev/kbridge (%s)", strerror(errno));
	close(fd);
	TH_LOG("seed %llu (KB_FUZZ_SEED), %lu calls (KB_FUZZ_CALLS) in each of %d threads (KB_FUZZ_THREADS)",
	       (unsigned long long)seed, per, nthreads);

	/* ro page, then a writable page (edge) followed by a hole. */
	map = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ro_page = map;
	edge = map + PG;
	hole = map + 2 * PG;
	memset(map, 0x5a, 2 * PG);
	ASSERT_EQ(0, mprotect(ro_page, PG, PROT_READ));
	/* PROT_NONE rather than unmapped: no later mapping can land there. */
	ASSERT_EQ(0, mprotect(hole, PG, PROT_NONE));

	for (i = 0; i < SHARED_FDS; i++) {
		shared_fd[i] = open("/dev/kbridge", O_RDWR);
		ASSERT_LE(0, shared_fd[i]);
	}
	t0 = now();
	for (i = 0; i < nthreads; i++) {
		w[i].seed = seed * (i + 1) + 0x9e3779b97f4a7c15ULL;
		w[i].calls = per;
		w[i].done = 0;
		ASSERT_EQ(0, pthread_create(&w[i].t, NULL, worker_fn, &w[i]));
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].t, NULL);
		EXPECT_EQ(1, w[i].done) TH_LOG("worker %d could not start", i);
	}
	secs = now() - t0;
	for (i = 0; i < SHARED_FDS; i++)
		close(shared_fd[i]);

	TH_LOG("%lu ioctls (%lu ok, %lu failed), %lu fd swaps, %lu forks",
	       atomic_load(&calls), atomic_load(&oks), atomic_load(&fails),
	       atomic_load(&swaps), atomic_load(&forks));
	/* The rate is for reading only: nothing depends on it. */
	printf("# fuzz: seed %llu, %lu ioctls, %lu ok, %lu fd swaps, %lu forks, %.1f s, %.0f ioctls/s\n",
	       (unsigned long long)seed, atomic_load(&calls), atomic_load(&oks),
	       atomic_load(&swaps), atomic_load(&forks), secs,
	       secs > 0 ? atomic_load(&calls) / secs : 0);
	/* The harness runs this in a child that leaves with _exit(). */
	fflush(stdout);
	EXPECT_EQ(0UL, atomic_load(&bad_errno_seen)) {
		TH_LOG("undocumented errno %d (%s) from command %d",
		       atomic_load(&bad_errno), strerror(atomic_load(&bad_errno)),
		       atomic_load(&bad_cmd));
	}
	/* Every call was made, and some reached the handlers' work. */
	EXPECT_EQ(per * nthreads, atomic_load(&calls));
	EXPECT_LT(0UL, atomic_load(&oks));
	munmap(map, 3 * PG);
}

TEST_HARNESS_MAIN
