// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge exec rules (KB_IOC_EXEC_RULE_ADD/DEL): programs that match a
 * rule run under its policy from their first instruction when anything
 * execs them (here /bin/sh), decided in the kernel with no runtime; the
 * others are untouched. Rules by path and by ELF OSABI; deleting a rule
 * affects only new execs; an exec of a non-matching program ends the
 * personality unless the rule says KB_EXEC_INHERIT; children follow;
 * unprivileged users cannot add rules that reach others.
 *
 * The program is tests/progs/exec_getppid (no libc), copied into a
 * scratch directory; it prints "getppid N". Needs root, /dev/kbridge and
 * the module's fast path.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/io_uring.h>

#include "kbridge_test.h"

#define PROG		".output/tests/progs/exec_getppid"
#define OSABI		0x61

FIXTURE(exec) {
	int fd;
	char dir[64];
	char match[PATH_MAX];	/* dir/match/app: the path rules' program */
	char other[PATH_MAX];	/* dir/other/app: the same, elsewhere */
	char osabi[PATH_MAX];	/* dir/other/osabi: EI_OSABI patched */
	uint64_t ids[4];
	int nids;
};

static int copy_prog(const char *to, int osabi)
{
	char buf[65536];
	ssize_t n;
	int in, out, ret = -1;

	in = open(PROG, O_RDONLY | O_CLOEXEC);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (in < 0 || out < 0)
		goto out;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (osabi >= 0 && lseek(in, 0, SEEK_CUR) == n)
			buf[EI_OSABI] = (char)osabi;
		if (write(out, buf, n) != n)
			goto out;
	}
	ret = n < 0 ? -1 : 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ret;
}

FIXTURE_SETUP(exec)
{
	struct kb_version v;
	char d[PATH_MAX];

	self->fd = -1;
	self->nids = 0;
	OPEN_OR_SKIP(self->fd);
	ASSERT_EQ(0, kb_version(self->fd, &v));
	if (!(v.features & KB_FEATURE_EXEC_RULES) ||
	    !(v.status & KB_STATUS_FASTPATH))
		SKIP(_exit(255), "no exec rules or no fast path in this module");
	strcpy(self->dir, "/tmp/kbexec.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 0755));
	snprintf(d, sizeof(d), "%s/match", self->dir);
	ASSERT_EQ(0, mkdir(d, 0755));
	snprintf(d, sizeof(d), "%s/other", self->dir);
	ASSERT_EQ(0, mkdir(d, 0755));
	snprintf(self->match, sizeof(self->match), "%s/match/app", self->dir);
	snprintf(self->other, sizeof(self->other), "%s/other/app", self->dir);
	snprintf(self->osabi, sizeof(self->osabi), "%s/other/osabi",
		 self->dir);
	ASSERT_EQ(0, copy_prog(self->match, -1));
	ASSERT_EQ(0, copy_prog(self->other, -1));
	ASSERT_EQ(0, copy_prog(self->osabi, OSABI));
}

FIXTURE_TEARDOWN(exec)
{
	struct kb_exec_rule_del del = { .size = sizeof(del) };
	char cmd[PATH_MAX + 16];
	int i;

	for (i = 0; i < self->nids; i++) {
		del.id = self->ids[i];
		ioctl(self->fd, KB_IOC_EXEC_RULE_DEL, &del);
	}
	if (self->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
		if (system(cmd))
			TH_LOG("cannot remove %s", self->dir);
	}
	if (self->fd >= 0)
		close(self->fd);
}

/* Add a rule whose policy is getppid @action @value; its id, or 0. */
static uint64_t add_rule(int fd, uint32_t flags, uint32_t match,
			 const char *glob, uint32_t osabi, uint16_t action,
			 int64_t value)
{
	struct kb_rule_desc r = kb_rule(SYS_getppid, KB_TIER_STUBBED, action,
					value);
	struct kb_exec_rule_add a = {
		.size = sizeof(a), .flags = flags, .match = match,
		.osabi = osabi, .count = 1, .rule_size = sizeof(r),
		.rules = (uintptr_t)&r, .name = "testpers",
	};

	if (glob) {
		a.pattern = (uintptr_t)glob;
		a.pattern_len = strlen(glob);
	}
	if (ioctl(fd, KB_IOC_EXEC_RULE_ADD, &a))
		return 0;
	return a.id;
}

static void keep(struct _test_data_exec *self, uint64_t id)
{
	self->ids[self->nids++] = id;
}

/*
 * A global rule for every program in @self's match/ directory, kept for
 * the teardown: its id, or 0 (errno set).
 */
static uint64_t match_dir_rule(struct _test_data_exec *self, uint16_t action,
			       int64_t value)
{
	char glob[PATH_MAX + 8];
	uint64_t id;

	snprintf(glob, sizeof(glob), "%s/match/*", self->dir);
	id = add_rule(self->fd, KB_EXEC_GLOBAL, KB_EXEC_MATCH_PATH, glob, 0,
		      action, value);
	if (id)
		keep(self, id);
	return id;
}

/* Run @cmdline with /bin/sh; its stdout (up to @len bytes) into @out. */
static int sh(const char *cmdline, char *out, size_t len)
{
	FILE *p = popen(cmdline, "r");
	size_t n;

	if (!p)
		return -1;
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	return pclose(p);
}

TEST_F(exec, path_rule_stub_and_untouched)
{
	char cmd[2 * PATH_MAX + 8], out[256], want[64];
	uint64_t id;

	id = match_dir_rule(self, KB_ACTION_STUB, ESRCH);
	ASSERT_NE(0u, id) {
		TH_LOG("KB_IOC_EXEC_RULE_ADD: %s", strerror(errno));
	}
	snprintf(cmd, sizeof(cmd), "%s; %s", self->match, self->other);
	ASSERT_EQ(0, sh(cmd, out, sizeof(out)));
	/* The matching program gets the stub, the other its real parent. */
	snprintf(want, sizeof(want), "getppid -%d\ngetppid ", ESRCH);
	EXPECT_EQ(0, strncmp(out, want, strlen(want))) {
		TH_LOG("got '%s'", out);
	}
	EXPECT_EQ(NULL, strstr(out + strlen(want), "-"));
}

TEST_F(exec, osabi_rule_fake)
{
	char cmd[2 * PATH_MAX + 8], out[256];
	uint64_t id;

	id = add_rule(self->fd, KB_EXEC_GLOBAL, KB_EXEC_MATCH_OSABI, NULL,
		      OSABI, KB_ACTION_FAKE, 4242);
	ASSERT_NE(0u, id);
	keep(self, id);
	snprintf(cmd, sizeof(cmd), "%s; %s", self->osabi, self->other);
	ASSERT_EQ(0, sh(cmd, out, sizeof(out)));
	EXPECT_EQ(0, strncmp(out, "getppid 4242\ngetppid ", 21)) {
		TH_LOG("got '%s'", out);
	}
	EXPECT_NE(0, strcmp(out + 21, "4242\n"));
}

/* A matched program's child is under the rule too. */
TEST_F(exec, children_follow)
{
	char cmd[2 * PATH_MAX + 8], out[256];
	uint64_t id;

	id = match_dir_rule(self, KB_ACTION_FAKE, 7);
	ASSERT_NE(0u, id);
	snprintf(cmd, sizeof(cmd), "%s fork", self->match);
	ASSERT_EQ(0, sh(cmd, out, sizeof(out)));
	EXPECT_STREQ("getppid 7\ngetppid 7\n", out);
}

/* An exec of a non-matching program ends it; KB_EXEC_INHERIT keeps it. */
TEST_F(exec, exec_drops_or_inherits)
{
	char glob[PATH_MAX + 8], cmd[2 * PATH_MAX + 16], out[256];
	struct kb_exec_rule_del del = { .size = sizeof(del) };
	uint64_t id;

	snprintf(glob, sizeof(glob), "%s/match/*", self->dir);
	id = add_rule(self->fd, KB_EXEC_GLOBAL, KB_EXEC_MATCH_PATH, glob, 0,
		      KB_ACTION_FAKE, 9);
	ASSERT_NE(0u, id);
	snprintf(cmd, sizeof(cmd), "%s exec %s", self->match, self->other);
	ASSERT_EQ(0, sh(cmd, out, sizeof(out)));
	EXPECT_EQ(0, strncmp(out, "getppid 9\ngetppid ", 18)) {
		TH_LOG("got '%s'", out);
	}
	EXPECT_NE(0, strcmp(out + 18, "9\n"));
	del.id = id;
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_EXEC_RULE_DEL, &del));

	id = add_rule(self->fd, KB_EXEC_GLOBAL | KB_EXEC_INHERIT,
		      KB_EXEC_MATCH_PATH, glob, 0, KB_ACTION_FAKE, 9);
	ASSERT_NE(0u, id);
	keep(self, id);
	ASSERT_EQ(0, sh(cmd, out, sizeof(out)));
	EXPECT_STREQ("getppid 9\ngetppid 9\n", out);
}

/* Deleting a rule changes new execs only. */
TEST_F(exec, delete_affects_new_execs_only)
{
	struct kb_exec_rule_del del = { .size = sizeof(del) };
	char glob[PATH_MAX + 8], out[256];
	int in[2], outp[2];
	ssize_t n;
	pid_t pid;

	snprintf(glob, sizeof(glob), "%s/match/*", self->dir);
	del.id = add_rule(self->fd, KB_EXEC_GLOBAL, KB_EXEC_MATCH_PATH, glob,
			  0, KB_ACTION_STUB, EPERM);
	ASSERT_NE(0u, del.id);
	ASSERT_EQ(0, pipe(in));
	ASSERT_EQ(0, pipe(outp));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(outp[1], 1);
		close(in[1]);
		close(outp[0]);
		execl(self->match, self->match, "wait", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	/* The program runs (under the rule) and waits; the rule goes. */
	usleep(200 * 1000);
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_EXEC_RULE_DEL, &del));
	ASSERT_EQ(1, write(in[1], "x", 1));
	n = read(outp[0], out, sizeof(out) - 1);
	ASSERT_LT(0, n);
	out[n] = '\0';
	EXPECT_STREQ("getppid -1\n", out);
	waitpid(pid, NULL, 0);
	/* A new exec of it is untouched. */
	ASSERT_EQ(0, sh(self->match, out, sizeof(out)));
	EXPECT_EQ(NULL, strchr(out, '-')) {
		TH_LOG("got '%s'", out);
	}
	close(in[1]);
	close(outp[0]);
}

/* Without CAP_SYS_ADMIN: no global rule, no rule in the initial namespace. */
TEST_F(exec, unprivileged_cannot_add)
{
	char glob[PATH_MAX + 8];
	pid_t pid;
	int status;

	snprintf(glob, sizeof(glob), "%s/match/*", self->dir);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(1);
		if (add_rule(self->fd, KB_EXEC_GLOBAL, KB_EXEC_MATCH_PATH,
			     glob, 0, KB_ACTION_STUB, EPERM) || errno != EPERM)
			_exit(2);
		if (add_rule(self->fd, 0, KB_EXEC_MATCH_PATH, glob, 0,
			     KB_ACTION_STUB, EPERM) || errno != EPERM)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* A policy that needs a runtime (a path condition) is refused. */
TEST_F(exec, runtime_policy_refused)
{
	static const char glob[] = "/etc/*";
	struct kb_rule_desc r[2] = {
		kb_rule(SYS_openat, KB_TIER_PARTIAL, KB_ACTION_PASS, 0),
		kb_cond_path(SYS_openat, 1, glob, KB_ACTION_STUB, EACCES),
	};
	struct kb_exec_rule_add a = {
		.size = sizeof(a), .flags = KB_EXEC_GLOBAL,
		.match = KB_EXEC_MATCH_OSABI, .osabi = OSABI, .count = 2,
		.rule_size = sizeof(r[0]), .rules = (uintptr_t)r,
		.name = "testpers",
	};

	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &a));
	EXPECT_EQ(EOPNOTSUPP, errno);
	a.count = 1;
	a.match = 9;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &a));
	EXPECT_EQ(EINVAL, errno);
}

/* Write an ELF note named @name described @desc into @path. */
static int write_note(const char *path, const char *name, const char *desc)
{
	uint32_t hdr[3] = { strlen(name) + 1, strlen(desc) + 1, 1 };
	char buf[256] = { 0 };
	size_t n = sizeof(hdr);
	int fd, ok;

	memcpy(buf, hdr, sizeof(hdr));
	memcpy(buf + n, name, hdr[0]);
	n += (hdr[0] + 3) & ~3U;
	memcpy(buf + n, desc, hdr[1]);
	n += (hdr[1] + 3) & ~3U;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	ok = write(fd, buf, n) == (ssize_t)n;
	close(fd);
	return ok ? 0 : -1;
}

/*
 * A note added with objcopy names the personality: the rule for that
 * note and name matches it, a note naming another does not.
 */
TEST_F(exec, note_rule)
{
	char cmd[4 * PATH_MAX], out[256], note[PATH_MAX + 16];
	static const char sect[] = ".note.kbridge.personality";
	uint64_t id;
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(note, sizeof(note), "%s/note%d", self->dir, i);
		ASSERT_EQ(0, write_note(note, "kbridge.personality",
					i ? "otherpers" : "testpers"));
		snprintf(cmd, sizeof(cmd),
			 "objcopy --add-section %s=%s --set-section-flags %s=noload,readonly %s %s/other/noted%d && readelf -SW %s/other/noted%d | grep -q 'kbridge.personality  *NOTE'",
			 sect, note, sect, self->other, self->dir, i, self->dir,
			 i);
		ASSERT_EQ(0, system(cmd)) {
			TH_LOG("%s", cmd);
		}
	}
	id = add_rule(self->fd, KB_EXEC_GLOBAL, KB_EXEC_MATCH_NOTE,
		      "kbridge.personality", 0, KB_ACTION_FAKE, 31);
	ASSERT_NE(0u, id) {
		TH_LOG("KB_IOC_EXEC_RULE_ADD: %s", strerror(errno));
	}
	keep(self, id);
	snprintf(cmd, sizeof(cmd), "%s/other/noted0; %s/other/noted1; %s",
		 self->dir, self->dir, self->other);
	ASSERT_EQ(0, sh(cmd, out, sizeof(out)));
	EXPECT_EQ(0, strncmp(out, "getppid 31\ngetppid ", 19)) {
		TH_LOG("got '%s'", out);
	}
	EXPECT_EQ(NULL, strstr(out + 19, "getppid 31")) {
		TH_LOG("got '%s'", out);
	}
}

/* The ABI's checks: flags, sizes, reserved field, name, unknown ids. */
TEST_F(exec, abi_checks)
{
	struct kb_rule_desc r = kb_rule(SYS_getppid, KB_TIER_STUBBED,
					KB_ACTION_FAKE, 1);
	struct kb_exec_rule_add a = {
		.size = sizeof(a), .flags = KB_EXEC_GLOBAL,
		.match = KB_EXEC_MATCH_OSABI, .osabi = OSABI, .count = 1,
		.rule_size = sizeof(r), .rules = (uintptr_t)&r,
		.name = "testpers",
	};
	struct kb_exec_rule_del del = { .size = sizeof(del) };
	struct kb_exec_rule_add b;

	b = a;
	b.flags |= 1U << 3;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	EXPECT_EQ(EINVAL, errno);
	b = a;
	b.__reserved2 = 1;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	EXPECT_EQ(EINVAL, errno);
	/* A command without KB_EXEC_RUNTIME, KB_EXEC_RUNTIME with a policy. */
	b = a;
	b.runtime = (uintptr_t)"/bin/sh";
	b.runtime_len = 8;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	EXPECT_EQ(EINVAL, errno);
	b.flags |= KB_EXEC_RUNTIME;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	EXPECT_EQ(EINVAL, errno);
	b = a;
	b.size = offsetof(struct kb_exec_rule_add, id);
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	EXPECT_EQ(EINVAL, errno);
	b = a;
	b.__reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	EXPECT_EQ(EINVAL, errno);
	b = a;
	strcpy(b.name, "Bad Name");
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	EXPECT_EQ(EINVAL, errno);
	b = a;
	b.osabi = 256;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	EXPECT_EQ(EINVAL, errno);
	b = a;
	b.rules = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	EXPECT_EQ(EFAULT, errno);

	/* A good one, deleted twice. */
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &a));
	del.id = a.id;
	EXPECT_EQ(0, ioctl(self->fd, KB_IOC_EXEC_RULE_DEL, &del));
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_DEL, &del));
	EXPECT_EQ(ENOENT, errno);
	del.id = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_DEL, &del));
	EXPECT_EQ(ENOENT, errno);
}

/*
 * A path rule matches a "#!" script too: the interpreter (outside the
 * rule's directory) runs under the rule when started for the script, and
 * natively otherwise.
 */
TEST_F(exec, script_path_rule)
{
	char script[PATH_MAX + 16], cmd[3 * PATH_MAX];
	char out[256], want[64];
	uint64_t id;
	FILE *f;

	id = match_dir_rule(self, KB_ACTION_STUB, ESRCH);
	ASSERT_NE(0u, id);
	snprintf(script, sizeof(script), "%s/match/run.sh", self->dir);
	f = fopen(script, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "#!%s\n", self->other);
	ASSERT_EQ(0, fclose(f));
	ASSERT_EQ(0, chmod(script, 0755));
	/* By absolute and by relative name, then the interpreter alone. */
	snprintf(cmd, sizeof(cmd), "%s; cd %s/match && ./run.sh; %s", script,
		 self->dir, self->other);
	ASSERT_EQ(0, sh(cmd, out, sizeof(out)));
	snprintf(want, sizeof(want), "getppid -%d\ngetppid -%d\ngetppid ",
		 ESRCH, ESRCH);
	EXPECT_EQ(0, strncmp(out, want, strlen(want))) {
		TH_LOG("got '%s'", out);
	}
	EXPECT_EQ(NULL, strstr(out + strlen(want), "-"));
}

/* KB_EXEC_RUNTIME commands the module refuses, and why. */
TEST_F(exec, runtime_abi_checks)
{
	static const char good[] = "/bin/sh\0-c\0:";
	struct kb_exec_rule_add a = {
		.size = sizeof(a), .flags = KB_EXEC_GLOBAL | KB_EXEC_RUNTIME,
		.match = KB_EXEC_MATCH_OSABI, .osabi = OSABI,
		.runtime = (uintptr_t)good, .runtime_len = sizeof(good),
		.name = "testpers",
	};
	struct kb_exec_rule_del del = { .size = sizeof(del) };
	struct kb_exec_rule_add b;
	char many[200];
	int i;

	b = a;
	b.runtime = (uintptr_t)"bin/sh";
	b.runtime_len = 7;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	EXPECT_EQ(EINVAL, errno);
	b = a;
	b.runtime_len = sizeof(good) - 1;	/* last NUL missing */
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	EXPECT_EQ(EINVAL, errno);
	b = a;
	b.runtime_len = KB_EXEC_RUNTIME_MAX + 1;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	EXPECT_EQ(EINVAL, errno);
	b = a;
	b.runtime = (uintptr_t)"/nonexistent/kblaunch";
	b.runtime_len = sizeof("/nonexistent/kblaunch");
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	EXPECT_EQ(ENOENT, errno);
	b = a;
	b.runtime = (uintptr_t)"/";
	b.runtime_len = 2;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	EXPECT_EQ(EACCES, errno);
	b = a;
	b.flags |= KB_EXEC_INHERIT;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	EXPECT_EQ(EINVAL, errno);
	b = a;
	b.runtime = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	EXPECT_EQ(EFAULT, errno);
	/* 65 arguments: "/bin/sh" and 64 empty ones. */
	memset(many, 0, sizeof(many));
	strcpy(many, "/bin/sh");
	b = a;
	b.runtime = (uintptr_t)many;
	b.runtime_len = 8 + 64;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	EXPECT_EQ(EINVAL, errno);
	b.runtime_len = 8 + 63;
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &b));
	del.id = b.id;
	EXPECT_EQ(0, ioctl(self->fd, KB_IOC_EXEC_RULE_DEL, &del));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &a));
		del.id = a.id;
		EXPECT_EQ(0, ioctl(self->fd, KB_IOC_EXEC_RULE_DEL, &del));
	}
}

/* Every rule the caller sees, as KB_IOC_EXEC_RULE_LIST gives it. */
static int rule_info(int fd, uint64_t id, struct kb_exec_rule_info *out)
{
	struct kb_exec_rule_info r[16];
	struct kb_exec_rule_list l = {
		.size = sizeof(l), .count = 16, .info_size = sizeof(r[0]),
		.rules = (uintptr_t)r,
	};
	uint32_t i;

	if (ioctl(fd, KB_IOC_EXEC_RULE_LIST, &l))
		return -1;
	for (i = 0; i < l.count; i++) {
		if (r[i].id == id) {
			*out = r[i];
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

/*
 * A KB_EXEC_RUNTIME rule runs its command instead of the matching file,
 * with the file's path and the exec's arguments but the first; a file
 * elsewhere runs as it is, and the command may exec the file itself.
 */
TEST_F(exec, runtime_rule_runs_command)
{
	/* bash: sh() runs the lines with /bin/sh, which must not be it. */
	static const char cmd[] = "/bin/bash\0-c\0echo runtime \"$0\" \"$@\"";
	static const char cmd_exec[] = "/bin/bash\0-c\0exec \"$0\" \"$@\"";
	struct kb_exec_rule_add a = {
		.size = sizeof(a), .flags = KB_EXEC_GLOBAL | KB_EXEC_RUNTIME,
		.match = KB_EXEC_MATCH_PATH, .runtime = (uintptr_t)cmd,
		.runtime_len = sizeof(cmd), .name = "rtpers",
	};
	struct kb_exec_rule_del del = { .size = sizeof(del) };
	char glob[PATH_MAX + 8], line[3 * PATH_MAX], out[PATH_MAX + 256];
	char want[PATH_MAX + 64];
	struct kb_exec_rule_info info;

	snprintf(glob, sizeof(glob), "%s/match/*", self->dir);
	a.pattern = (uintptr_t)glob;
	a.pattern_len = strlen(glob);
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &a)) {
		TH_LOG("KB_IOC_EXEC_RULE_ADD: %s", strerror(errno));
	}
	keep(self, a.id);
	snprintf(line, sizeof(line), "%s one 'two three'; cd %s/match && ./app x; %s",
		 self->match, self->dir, self->other);
	ASSERT_EQ(0, sh(line, out, sizeof(out)));
	snprintf(want, sizeof(want),
		 "runtime %s one two three\nruntime ./app x\ngetppid ",
		 self->match);
	EXPECT_EQ(0, strncmp(out, want, strlen(want))) {
		TH_LOG("got '%s'", out);
	}
	ASSERT_EQ(0, rule_info(self->fd, a.id, &info));
	EXPECT_EQ(2u, info.execs);
	EXPECT_EQ(0u, info.session);
	EXPECT_EQ(KB_EXEC_GLOBAL | KB_EXEC_RUNTIME, info.flags);
	EXPECT_EQ(sizeof(cmd), info.runtime_len);
	EXPECT_EQ(0, memcmp(info.runtime, cmd, sizeof(cmd)));

	/* The command execs the program: it runs, and is not redirected. */
	del.id = a.id;
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_EXEC_RULE_DEL, &del));
	self->nids--;
	a.runtime = (uintptr_t)cmd_exec;
	a.runtime_len = sizeof(cmd_exec);
	ASSERT_EQ(0, ioctl(self->fd, KB_IOC_EXEC_RULE_ADD, &a));
	keep(self, a.id);
	ASSERT_EQ(0, sh(self->match, out, sizeof(out)));
	EXPECT_EQ(0, strncmp(out, "getppid ", 8)) {
		TH_LOG("got '%s'", out);
	}
	ASSERT_EQ(0, rule_info(self->fd, a.id, &info));
	EXPECT_EQ(1u, info.execs);
}

/* Start @path wait with its stdin a pipe; the pipe's write end, or -1. */
static int start_waiting(const char *path, pid_t *pid)
{
	int in[2];

	if (pipe(in))
		return -1;
	*pid = fork();
	if (*pid < 0)
		return -1;
	if (*pid == 0) {
		dup2(in[0], 0);
		close(in[1]);
		/* Its "getppid N" is not the test's output. */
		freopen("/dev/null", "w", stdout);
		execl(path, path, "wait", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	return in[1];
}

/* The tasks of @tgid in KB_IOC_TASK_LIST: how many, the last in @out. */
static int tasks_of(int fd, pid_t tgid, struct kb_task_info *out)
{
	struct kb_task_list l = {
		.size = sizeof(l), .info_size = sizeof(struct kb_task_info),
	};
	struct kb_task_info *t = NULL;
	uint32_t i;
	int n = 0;

	while (ioctl(fd, KB_IOC_TASK_LIST, &l)) {
		if (errno != ENOSPC)
			return -1;
		free(t);
		l.count += 8;
		t = calloc(l.count, sizeof(*t));
		if (!t)
			return -1;
		l.tasks = (uintptr_t)t;
	}
	for (i = 0; i < l.count; i++) {
		if (t[i].tgid == (uint32_t)tgid) {
			*out = t[i];
			n++;
		}
	}
	free(t);
	return n;
}

/* A program under a rule is listed with the rule, its session and name. */
TEST_F(exec, task_list)
{
	struct kb_task_list l = { .size = sizeof(l) };
	struct kb_exec_rule_info info;
	struct kb_task_info t;
	uint64_t id;
	pid_t pid;
	int w, i, n = 0;

	id = match_dir_rule(self, KB_ACTION_FAKE, 5);
	ASSERT_NE(0u, id);
	w = start_waiting(self->match, &pid);
	ASSERT_LE(0, w);
	/* Listed once its exec is done. */
	for (i = 0; i < 100 && n != 1; i++) {
		n = tasks_of(self->fd, pid, &t);
		if (n != 1 || !t.rule)
			n = 0, usleep(20 * 1000);
	}
	ASSERT_EQ(1, n);
	EXPECT_EQ((uint32_t)pid, t.pid);
	EXPECT_EQ(id, t.rule);
	EXPECT_EQ(KB_TASK_EXEC, t.flags);
	EXPECT_EQ(0u, t.uid);
	EXPECT_STREQ("testpers", t.name);
	EXPECT_STREQ("app", t.comm);
	ASSERT_EQ(0, rule_info(self->fd, id, &info));
	EXPECT_EQ(info.session, t.session);
	EXPECT_EQ(1u, info.members);
	EXPECT_EQ(1u, info.execs);

	/* Too little room: ENOSPC and the count; too small an entry: EINVAL. */
	l.info_size = sizeof(t);
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_TASK_LIST, &l));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_LE(1u, l.count);
	l.count = 0;
	l.info_size = offsetof(struct kb_task_info, comm);
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_TASK_LIST, &l));
	EXPECT_EQ(EINVAL, errno);
	l.info_size = sizeof(t);
	l.count = 1024;
	l.tasks = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KB_IOC_TASK_LIST, &l));
	EXPECT_EQ(EFAULT, errno);

	ASSERT_EQ(1, write(w, "x", 1));
	close(w);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	EXPECT_EQ(0, tasks_of(self->fd, pid, &t));
}

/* KB_IOC_SESSION_CREATE's name is the session's in the task list. */
/*
 * A program killed at its exec's end (ptrace's exec event: the exec has
 * succeeded, and the kernel ran the task work that put it under its rule
 * before the stop) and an exec that fails: neither leaves a member, a
 * spare or a watched exec behind, and the next exec still finds its rule.
 */
TEST_F(exec, killed_at_exec_and_failed_exec)
{
	char cmd[PATH_MAX + 64], out[256];
	struct kb_exec_rule_info info;
	char *argv[] = { self->match, NULL };
	int status, fd;
	uint64_t id;
	pid_t pid;

	KB_NO_MEMBERS_OR_SKIP();
	id = match_dir_rule(self, KB_ACTION_FAKE, 5);
	ASSERT_NE(0u, id);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0))
			_exit(1);
		raise(SIGSTOP);
		execv(self->match, argv);
		_exit(127);
	}
	ASSERT_EQ(0, kb_trace_to_event(pid, PTRACE_O_TRACEEXEC,
				       PTRACE_EVENT_EXEC));
	ASSERT_EQ(0, rule_info(self->fd, id, &info));
	EXPECT_EQ(1u, info.members);
	EXPECT_EQ(1, kb_objects("members"));
	EXPECT_EQ(1, kb_objects("spares"));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_EQ(0, kb_objects_wait("members", 0));
	EXPECT_EQ(0, kb_objects_wait("spares", 0));
	ASSERT_EQ(0, rule_info(self->fd, id, &info));
	EXPECT_EQ(0u, info.members);

	/* A file the rule matches that no handler can run: ENOEXEC. */
	snprintf(cmd, sizeof(cmd), "%s/match/junk", self->dir);
	fd = open(cmd, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, chmod(cmd, 0755));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *jv[] = { cmd, NULL };

		execv(cmd, jv);
		_exit(errno == ENOEXEC ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(0, kb_objects("members"));
	/* Its task work ran on the way back from the failed exec. */
	EXPECT_EQ(0, kb_objects("watched"));

	/* The next exec of the program is under its rule as usual. */
	snprintf(cmd, sizeof(cmd), "%s 2>&1", self->match);
	ASSERT_EQ(0, sh(cmd, out, sizeof(out)));
	EXPECT_STREQ("getppid 5\n", out);
}

/*
 * Submit one io_uring read of @fd (a pipe nobody writes): a request in
 * flight until the task's exec cancels it. 0, or -1.
 */
static int uring_pending_read(int fd)
{
	static char buf[1];
	struct io_uring_params p = { 0 };
	struct io_uring_sqe *sqes;
	unsigned int *tail, *array, mask, t;
	char *sq;
	int ring;

	ring = syscall(__NR_io_uring_setup, 4, &p);
	if (ring < 0)
		return -1;
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned int),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring,
		  IORING_OFF_SQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
	if (sq == MAP_FAILED || sqes == MAP_FAILED)
		return -1;
	tail = (unsigned int *)(sq + p.sq_off.tail);
	array = (unsigned int *)(sq + p.sq_off.array);
	mask = *(unsigned int *)(sq + p.sq_off.ring_mask);
	t = *tail;
	memset(&sqes[t & mask], 0, sizeof(sqes[0]));
	sqes[t & mask].opcode = IORING_OP_READ;
	sqes[t & mask].fd = fd;
	sqes[t & mask].addr = (uintptr_t)buf;
	sqes[t & mask].len = 1;
	array[t & mask] = t & mask;
	__atomic_store_n(tail, t + 1, __ATOMIC_RELEASE);
	return syscall(__NR_io_uring_enter, ring, 1, 0, 0, NULL, 0) == 1 ? 0 : -1;
}

/*
 * A program exec'd with an io_uring request in flight is under its rule:
 * the exec cancels the request and runs the task's pending task works on
 * the way (begin_new_exec()), before it is complete; the work that puts
 * the program under its rule must not be among them.
 */
TEST_F(exec, io_uring_in_flight_at_exec)
{
	char out[256];
	int p[2], idle[2], status;
	ssize_t n;
	uint64_t id;
	pid_t pid;

	id = match_dir_rule(self, KB_ACTION_FAKE, 5);
	ASSERT_NE(0u, id);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(idle));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *argv[] = { self->match, NULL };

		dup2(p[1], 1);
		close(p[0]);
		if (uring_pending_read(idle[0]))
			_exit(126);
		execv(self->match, argv);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = '\0';
	close(p[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 126)
		SKIP(return, "no io_uring in this kernel");
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_STREQ("getppid 5\n", out);
	close(idle[0]);
	close(idle[1]);
}

TEST_F(exec, session_name)
{
	struct kb_session_create sc = {
		.size = sizeof(sc), .name = "my-profile.v2",
	};
	struct kb_session_join j = { .size = sizeof(j) };
	struct kb_task_info t;
	int fd, p[2], i, n = 0;
	pid_t pid;
	char c;

	fd = open(KB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	strcpy(sc.name, "bad name");
	EXPECT_EQ(-1, ioctl(fd, KB_IOC_SESSION_CREATE, &sc));
	EXPECT_EQ(EINVAL, errno);
	strcpy(sc.name, "my-profile.v2");
	ASSERT_EQ(0, ioctl(fd, KB_IOC_SESSION_CREATE, &sc));
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(p[1]);
		if (ioctl(fd, KB_IOC_SESSION_JOIN, &j))
			_exit(1);
		/* Member now: wait for the parent to look. */
		_exit(read(p[0], &c, 1) == 1 ? 0 : 2);
	}
	close(p[0]);
	for (i = 0; i < 100 && n != 1; i++) {
		n = tasks_of(fd, pid, &t);
		if (n != 1)
			usleep(20 * 1000);
	}
	ASSERT_EQ(1, n);
	EXPECT_STREQ("my-profile.v2", t.name);
	EXPECT_EQ(sc.session_id, t.session);
	EXPECT_EQ(0u, t.rule);
	EXPECT_EQ(0u, t.flags);
	ASSERT_EQ(1, write(p[1], "x", 1));
	close(p[1]);
	ASSERT_EQ(pid, waitpid(pid, &i, 0));
	EXPECT_EQ(0, i);
	close(fd);
}

TEST_HARNESS_MAIN
