// SPDX-License-Identifier: GPL-2.0
/* Built and run by tests/apps/Makefile under kblaunch. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("hello from %s, %d args\n", argc > 1 ? argv[1] : "?", argc);
	return 0;
}
