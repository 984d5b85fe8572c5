// SPDX-License-Identifier: GPL-2.0
/*
 * What a program sees of the syscalls the example personality (kbdemo)
 * implements, one line each, for tests/guest/personality_guest.sh:
 *   uname SYSNAME RELEASE
 *   getpid N
 *   cpuinfo FIRST-LINE-OF-/proc/cpuinfo
 *   cpumodel VALUE-OF-THE-FIRST-"model name"-LINE
 *   sethostname 0|ERRNO-NAME
 * The first cpuinfo line reads "processor : 0" on Linux too: the model
 * name is what tells the synthetic file from the real one. sethostname
 * sets the name the host already has, so a real run changes nothing.
 * Exits 1 when uname, gethostname or reading /proc/cpuinfo fails.
 */
/* strerrorname_np() */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static const char *err_name(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "unknown-errno";
}

int main(void)
{
	char line[256], host[256];
	int model_seen = 0;
	struct utsname u;
	FILE *f;

	if (uname(&u)) {
		printf("uname %s\n", err_name(errno));
		return 1;
	}
	printf("uname %s %s\n", u.sysname, u.release);
	printf("getpid %ld\n", (long)getpid());

	f = fopen("/proc/cpuinfo", "r");
	if (!f) {
		printf("cpuinfo %s\n", err_name(errno));
		return 1;
	}
	if (!fgets(line, sizeof(line), f)) {
		printf("cpuinfo empty\n");
		fclose(f);
		return 1;
	}
	printf("cpuinfo %s", line);
	while (fgets(line, sizeof(line), f)) {
		char *v;

		if (strncmp(line, "model name", 10))
			continue;
		v = strchr(line, ':');
		printf("cpumodel %s", v ? v + 2 : line);
		model_seen = 1;
		break;
	}
	fclose(f);
	if (!model_seen)
		printf("cpumodel none\n");

	if (gethostname(host, sizeof(host))) {
		printf("gethostname %s\n", err_name(errno));
		return 1;
	}
	if (sethostname(host, strlen(host)))
		printf("sethostname %s\n", err_name(errno));
	else
		printf("sethostname 0\n");
	fflush(stdout);
	return 0;
}
