// SPDX-License-Identifier: GPL-2.0
/*
 * What a program learns from its exec: argv, AT_EXECFN, /proc/self/exe and
 * its name (comm). Under kblaunch, exec'd by a program that runs under
 * kblaunch, every line must be what it is natively. With "getppid N" as
 * its first two arguments it also makes N getppid calls, to be counted;
 * with "reexec" it execs itself again through /proc/self/exe.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char exe[PATH_MAX], comm[64] = "";
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	FILE *f;
	ssize_t n;
	long i;
	int a;

	for (a = 0; a < argc; a++)
		printf("argv[%d]=%s\n", a, argv[a]);
	printf("AT_EXECFN=%s\n", execfn ? execfn : "(none)");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	printf("exe=%s\n", exe);
	f = fopen("/proc/self/comm", "r");
	if (f && fgets(comm, sizeof(comm), f))
		comm[strcspn(comm, "\n")] = '\0';
	if (f)
		fclose(f);
	printf("comm=%s\n", comm);
	/* As programs that run themselves again do. */
	if (argc == 2 && !strcmp(argv[1], "reexec")) {
		char *nargv[] = { "again", "x", NULL };

		fflush(stdout);
		execv("/proc/self/exe", nargv);
		perror("/proc/self/exe");
		return 1;
	}
	if (argc > 2 && !strcmp(argv[1], "getppid"))
		for (i = atol(argv[2]); i > 0; i--)
			syscall(SYS_getppid);
	return 0;
}
