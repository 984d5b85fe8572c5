// SPDX-License-Identifier: GPL-2.0
/*
 * exec as programs do it, for kblaunch's exec following. Every mode
 * prints the same natively and under kblaunch (the tests compare), and
 * makes no getppid call of its own unless said, so that the getppid count
 * of a run is what the exec'd program made.
 *
 *   exec_probe run PATH ARGV0 [ARGS...]   execve(PATH, {ARGV0, ARGS...})
 *   exec_probe fexecve PATH ARGV0 [ARGS...]   the same through an O_RDONLY
 *                                         close-on-exec fd (fexecve)
 *   exec_probe opath PATH ARGV0 [ARGS...] ... through an O_PATH fd
 *   exec_probe at DIR NAME ARGV0 [ARGS...]   execveat(open(DIR), NAME)
 *   exec_probe pid                        exec itself; the new image says
 *                                         whether pid and ppid are the same
 *   exec_probe errors DIR                 execs that must fail, each with the
 *                                         kernel's errno, then one getppid:
 *                                         the program keeps running, and
 *                                         under kbridge
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

static long sys_execveat(int dirfd, const char *path, char *const argv[],
			 char *const envp[], int flags)
{
	return syscall(SYS_execveat, dirfd, path, argv, envp, flags);
}

/* One exec that must fail: its errno name, then a syscall to count. */
static void expect_fail(const char *what, long ret)
{
	printf("%s: %s\n", what, ret == 0 ? "succeeded?" :
	       strerrorname_np(errno));
	fflush(stdout);
	syscall(SYS_getppid);
}

static void errors(const char *dir)
{
	char *argv[] = { "x", NULL };
	char path[8192], *big;
	int fd, dfd;

#define IN(name) (snprintf(path, sizeof(path), "%s/%s", dir, name), path)
	expect_fail("missing", execve(IN("missing"), argv, environ));
	expect_fail("not executable", execve(IN("noexec"), argv, environ));
	expect_fail("text without #!", execve(IN("text"), argv, environ));
	expect_fail("empty file", execve(IN("empty"), argv, environ));
	expect_fail("directory", execve(dir, argv, environ));
	expect_fail("component not a directory",
		    execve(IN("text/x"), argv, environ));
	expect_fail("symlink loop", execve(IN("loop"), argv, environ));
	expect_fail("#! interpreter missing",
		    execve(IN("badinterp"), argv, environ));
	expect_fail("#! interpreter not executable",
		    execve(IN("interp_noexec"), argv, environ));
	expect_fail("#! interpreter is text",
		    execve(IN("interp_text"), argv, environ));
	expect_fail("#! line of blanks", execve(IN("blank"), argv, environ));
	expect_fail("#! 6 levels deep", execve(IN("deep6"), argv, environ));
	expect_fail("ELF for another machine",
		    execve(IN("arm"), argv, environ));
	expect_fail("truncated ELF", execve(IN("truncated"), argv, environ));
	expect_fail("program headers past the end",
		    execve(IN("badphdr"), argv, environ));
	expect_fail("PT_INTERP missing",
		    execve(IN("nointerp"), argv, environ));
	expect_fail("PT_INTERP is text",
		    execve(IN("textinterp"), argv, environ));
	if (access(IN("noexec_mount/true"), F_OK) == 0)
		expect_fail("noexec mount",
			    execve(IN("noexec_mount/true"), argv, environ));
	else
		expect_fail("noexec mount (none: a missing file)",
			    execve(IN("missing"), argv, environ));
	/* Raw: the compiler knows better than to pass such pointers. */
	expect_fail("bad path pointer",
		    syscall(SYS_execve, 8L, argv, environ));
	expect_fail("bad argv pointer",
		    syscall(SYS_execve, "/bin/true", 8L, environ));
	expect_fail("bad envp pointer",
		    syscall(SYS_execve, "/bin/true", argv, 8L));
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	expect_fail("path too long", execve(path, argv, environ));
	big = malloc(200 * 1024);
	memset(big, 'b', 200 * 1024 - 1);
	big[200 * 1024 - 1] = '\0';
	{
		char *bigv[] = { "true", big, NULL };

		expect_fail("argument too long",
			    execve("/bin/true", bigv, environ));
	}
	free(big);

	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	expect_fail("execveat: missing", sys_execveat(dfd, "missing", argv,
						      environ, 0));
	expect_fail("execveat: bad flags", sys_execveat(dfd, "text", argv,
							environ, 0x1));
	expect_fail("execveat: AT_SYMLINK_NOFOLLOW on a symlink",
		    sys_execveat(dfd, "truelink", argv, environ,
				 AT_SYMLINK_NOFOLLOW));
	expect_fail("execveat: \"\" without AT_EMPTY_PATH",
		    sys_execveat(dfd, "", argv, environ, 0));
	expect_fail("execveat: a directory fd with AT_EMPTY_PATH",
		    sys_execveat(dfd, "", argv, environ, AT_EMPTY_PATH));
	expect_fail("execveat: bad fd", sys_execveat(999, "x", argv, environ,
						     0));
	fd = open(IN("script"), O_RDONLY | O_CLOEXEC);
	expect_fail("fexecve: script through a close-on-exec fd",
		    sys_execveat(fd, "", argv, environ, AT_EMPTY_PATH));
	close(fd);
	expect_fail("execveat: script relative to a close-on-exec dirfd",
		    sys_execveat(dfd, "script", argv, environ, 0));
	close(dfd);
	fd = open(IN("noexec"), O_RDONLY | O_CLOEXEC);
	expect_fail("fexecve: not executable",
		    sys_execveat(fd, "", argv, environ, AT_EMPTY_PATH));
	close(fd);
#undef IN
	printf("errors done\n");
}

int main(int argc, char **argv)
{
	char pidbuf[64];
	int fd;

	if (argc >= 4 && !strcmp(argv[1], "run")) {
		execve(argv[2], argv + 3, environ);
		printf("execve %s: %s\n", argv[2], strerrorname_np(errno));
		return 1;
	}
	if (argc >= 4 && (!strcmp(argv[1], "fexecve") ||
			  !strcmp(argv[1], "opath"))) {
		fd = open(argv[2], (argv[1][0] == 'f' ? O_RDONLY : O_PATH) |
			  O_CLOEXEC);
		if (fd < 0) {
			perror(argv[2]);
			return 1;
		}
		fexecve(fd, argv + 3, environ);
		printf("fexecve %s: %s\n", argv[2], strerrorname_np(errno));
		return 1;
	}
	if (argc >= 5 && !strcmp(argv[1], "at")) {
		/* Not close-on-exec: a script's interpreter opens /dev/fd/N/NAME. */
		fd = open(argv[2], O_PATH | O_DIRECTORY);
		sys_execveat(fd, argv[3], argv + 4, environ, 0);
		printf("execveat %s: %s\n", argv[3], strerrorname_np(errno));
		return 1;
	}
	if (argc == 2 && !strcmp(argv[1], "pid")) {
		char *nargv[] = { "exec_probe", "pid2", pidbuf, NULL };

		snprintf(pidbuf, sizeof(pidbuf), "%d,%d", getpid(), getppid());
		execve("/proc/self/exe", nargv, environ);
		printf("execve /proc/self/exe: %s\n", strerrorname_np(errno));
		return 1;
	}
	if (argc == 3 && !strcmp(argv[1], "pid2")) {
		char now[64];

		snprintf(now, sizeof(now), "%d,%d", getpid(), getppid());
		printf("pid and ppid %s across exec\n",
		       strcmp(now, argv[2]) ? "CHANGED" : "the same");
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "errors")) {
		errors(argv[2]);
		return 0;
	}
	fprintf(stderr, "usage: see the comment at the top of %s\n", __FILE__);
	return 2;
}
