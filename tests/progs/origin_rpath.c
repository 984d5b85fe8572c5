// SPDX-License-Identifier: GPL-2.0
/*
 * A program that finds its library through RPATH $ORIGIN, as java finds
 * libjli.so: ld.so reads /proc/self/exe into a buffer on stack pages the
 * main thread has not touched yet, before the program's first
 * instruction. Prints what the library returns.
 */
#include <stdio.h>

int kb_origin_answer(void);

int main(void)
{
	printf("library found through $ORIGIN: %d\n", kb_origin_answer());
	return 0;
}
