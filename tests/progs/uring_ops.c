// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring without liburing: one ring, 5 NOP and 3 READ operations of
 * /dev/zero submitted by one io_uring_enter, every completion checked.
 * When io_uring_setup fails (a profile stubs it, a kernel without
 * io_uring), the reads are made with read() instead, as liburing users
 * fall back. The last line is the same either way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NOPS	5
#define READS	3
#define LEN	4096

static char buf[READS][LEN];

static int fallback(int zero, int err)
{
	int i, ok = 0;

	printf("io_uring_setup: %s: read() instead\n", strerror(err));
	for (i = 0; i < READS; i++)
		ok += read(zero, buf[i], LEN) == LEN;
	printf("%d reads of %d bytes\n", ok, LEN);
	return ok == READS ? 0 : 1;
}

int main(void)
{
	struct io_uring_params p;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned int *sq_tail, *sq_array, *cq_head, *cq_tail, mask, i, t;
	char *sq, *cq;
	int fd, zero, nops = 0, reads = 0;
	long ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	memset(&p, 0, sizeof(p));
	fd = (int)syscall(__NR_io_uring_setup, 8, &p);
	if (fd < 0)
		return fallback(zero, errno);
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned int),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		  IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(*cqes),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		  IORING_OFF_CQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	sq_array = (unsigned int *)(sq + p.sq_off.array);
	mask = *(unsigned int *)(sq + p.sq_off.ring_mask);
	cq_head = (unsigned int *)(cq + p.cq_off.head);
	cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);

	t = *sq_tail;
	for (i = 0; i < NOPS + READS; i++, t++) {
		struct io_uring_sqe *e = &sqes[t & mask];

		memset(e, 0, sizeof(*e));
		if (i < NOPS) {
			e->opcode = IORING_OP_NOP;
		} else {
			e->opcode = IORING_OP_READ;
			e->fd = zero;
			e->addr = (unsigned long)buf[i - NOPS];
			e->len = LEN;
		}
		e->user_data = i;
		sq_array[t & mask] = t & mask;
	}
	__atomic_store_n(sq_tail, t, __ATOMIC_RELEASE);
	ret = syscall(__NR_io_uring_enter, fd, NOPS + READS, NOPS + READS,
		      IORING_ENTER_GETEVENTS, NULL, 0);
	if (ret != NOPS + READS) {
		printf("io_uring_enter: %ld (%s)\n", ret, strerror(errno));
		return 1;
	}
	for (i = *cq_head; i != __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE); i++) {
		struct io_uring_cqe *c = &cqes[i & *(unsigned int *)(cq + p.cq_off.ring_mask)];

		if (c->user_data < NOPS)
			nops += c->res == 0;
		else
			reads += c->res == LEN;
	}
	__atomic_store_n(cq_head, i, __ATOMIC_RELEASE);
	printf("io_uring: %d NOP, %d READ\n", nops, reads);
	printf("%d reads of %d bytes\n", reads, LEN);
	return nops == NOPS && reads == READS ? 0 : 1;
}
