// SPDX-License-Identifier: GPL-2.0
/*
 * kblaunch's ELF loader alone, for tests/host/badfiles_host.sh to build with
 * -fsanitize=address,undefined (kblaunch itself is static-pie with a
 * freestanding runtime, which the sanitizers cannot instrument).
 * "loader_check PROGRAM": kb_load() it into this process, which either
 * refuses it with kblaunch's message and status, or maps it and prints
 * "loaded" (the program is never run).
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "../../userland/kblaunch/kblaunch.h"

int main(int argc, char **argv)
{
	struct kb_program p;

	if (argc < 2) {
		fprintf(stderr, "usage: loader_check PROGRAM [ARGS...]\n");
		return 2;
	}
	kb_load(argv[1], argv + 1, argc - 1, &p, false);
	printf("loaded\n");
	return 0;
}
