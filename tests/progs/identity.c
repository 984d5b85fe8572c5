// SPDX-License-Identifier: GPL-2.0
/*
 * What a process looks like from /proc: its command line (what ps,
 * pgrep -f and pkill -f read), a title written over its argv and
 * environment strings as PostgreSQL does, comm, /proc/self/exe, the
 * environment and the auxiliary vector the kernel keeps. Tests compare
 * the output under kblaunch with a native run, at start and after an
 * exec ("identity exec").
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char **environ;

static void show_file(const char *what, const char *path)
{
	char buf[4096];
	ssize_t n, i;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	printf("%s:", what);
	for (i = 0; i < n; i++)
		putchar(buf[i] ? buf[i] : '|');
	printf("\n");
}

static void show(const char *stage)
{
	char buf[4096];
	Elf64_auxv_t a;
	ssize_t n;
	int fd, found = 0;

	printf("-- %s\n", stage);
	show_file("cmdline", "/proc/self/cmdline");
	show_file("comm", "/proc/self/comm");
	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("exe: %s\n", buf);
	printf("KB_ID_MARK in /proc/self/environ: ");
	fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	printf("%d\n", n > 0 && memmem(buf, (size_t)n, "KB_ID_MARK=42",
				      sizeof("KB_ID_MARK=42")) != NULL);
	/* The kernel's copy of the auxv: the entry point the program has. */
	fd = open("/proc/self/auxv", O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && read(fd, &a, sizeof(a)) == sizeof(a) && a.a_type)
		if (a.a_type == AT_ENTRY)
			found = a.a_un.a_val == getauxval(AT_ENTRY);
	if (fd >= 0)
		close(fd);
	printf("auxv AT_ENTRY is the program's: %d\n", found);
	fflush(stdout);
}

/*
 * PostgreSQL's way (ps_status.c): the argv strings and the environment
 * strings after them are one area; move the environment away, write the
 * title at argv[0] and clear the rest.
 */
static void set_title(int argc, char **argv, const char *title)
{
	char *end = NULL, **env;
	size_t n = 0, i;

	for (i = 0; i < (size_t)argc; i++)
		if (i == 0 || end + 1 == argv[i])
			end = argv[i] + strlen(argv[i]);
	for (i = 0; environ[i]; i++)
		if (end + 1 == environ[i])
			end = environ[i] + strlen(environ[i]);
	while (environ[n])
		n++;
	env = malloc((n + 1) * sizeof(*env));
	for (i = 0; i < n; i++)
		env[i] = strdup(environ[i]);
	env[n] = NULL;
	environ = env;
	memset(argv[0], 0, (size_t)(end - argv[0]));
	snprintf(argv[0], (size_t)(end - argv[0]), "%s", title);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "exec")) {
		show("before exec");
		execl("/proc/self/exe", "identity", "after", "exec",
		      (char *)NULL);
		perror("exec");
		return 1;
	}
	show(argc > 1 ? "after exec" : "start");
	set_title(argc, argv, "identity: a title over argv");
	show_file("cmdline with a title", "/proc/self/cmdline");
	return 0;
}
