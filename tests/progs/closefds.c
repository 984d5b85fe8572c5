// SPDX-License-Identifier: GPL-2.0
/*
 * A program that closes every fd it did not open, the way daemons and
 * shells do, then keeps making syscalls. Under kblaunch the kbridge fd
 * must survive it (its syscalls go through that fd), and the program's
 * fd numbering must be native: its first open returns 3.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	long ret;
	int fd, i;

	fd = open("/dev/null", O_RDONLY);
	printf("first fd: %d\n", fd);
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	ret = syscall(SYS_close_range, 3, ~0U, 0);
	printf("close_range: %ld\n", ret);
	for (i = 0; i < 10; i++)
		syscall(SYS_getppid);
	fd = open("/dev/null", O_RDONLY);
	printf("fd after closing: %d\n", fd);
	printf("closefds %s\n", fd == 3 && ret == 0 ? "ok" : "FAILED");
	return fd == 3 && ret == 0 ? 0 : 1;
}
