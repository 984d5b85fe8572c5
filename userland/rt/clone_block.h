/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbridge runtime: the block a clone child with a new stack starts from.
 *
 * The SIGSYS handler cannot let such a child return through the handler:
 * the child runs on another stack, where the handler's frames do not
 * exist. So the handler writes the program's registers (from the
 * ucontext) at the top of the child's stack and issues the clone from
 * kbrt_clone_on_stack (trampoline.S) with the child's stack pointer at
 * this block. The child re-arms SUD, restores the block and jumps to the
 * instruction after the program's syscall, as if the kernel had returned
 * there. Shared by C and asm; the C side checks every offset.
 */
#ifndef KBRT_CLONE_BLOCK_H
#define KBRT_CLONE_BLOCK_H

#define KBRT_BLK_RBX		0
#define KBRT_BLK_RBP		8
#define KBRT_BLK_R12		16
#define KBRT_BLK_R13		24
#define KBRT_BLK_R14		32
#define KBRT_BLK_R15		40
#define KBRT_BLK_RDI		48
#define KBRT_BLK_RSI		56
#define KBRT_BLK_RDX		64
#define KBRT_BLK_R8		72
#define KBRT_BLK_R9		80
#define KBRT_BLK_R10		88
#define KBRT_BLK_R11		96	/* rflags, as `syscall` leaves it */
#define KBRT_BLK_RIP		104	/* also left in rcx, as `syscall` does */
#define KBRT_BLK_RSP		112	/* the child's stack as the program asked */
#define KBRT_BLK_SIGMASK	120
#define KBRT_BLK_FLAGS		128	/* clone flags */
#define KBRT_BLK_MXCSR		136
#define KBRT_BLK_FCW		140
#define KBRT_BLK_SIZE		160	/* a multiple of 16 */

#ifndef __ASSEMBLER__
#include <stdint.h>

struct kbrt_as_slot;

struct kbrt_clone_block {
	uint64_t rbx, rbp, r12, r13, r14, r15;
	uint64_t rdi, rsi, rdx, r8, r9, r10, r11;
	uint64_t rip, rsp;
	uint64_t sigmask;
	uint64_t flags;
	uint32_t mxcsr;
	uint16_t fcw;
	uint16_t vsigsys;		/* SIGSYS blocked, virtually */
	/* The alternate stack claimed for a CLONE_VM child, or NULL. */
	struct kbrt_as_slot *astack;
	uint32_t ptid;			/* the creator's tid */
	uint32_t pad;
};

#define KBRT_BLK_CHECK(field, off) \
	_Static_assert(__builtin_offsetof(struct kbrt_clone_block, field) == \
		       (off), "clone block offset of " #field)
KBRT_BLK_CHECK(rbx, KBRT_BLK_RBX);
KBRT_BLK_CHECK(rbp, KBRT_BLK_RBP);
KBRT_BLK_CHECK(r12, KBRT_BLK_R12);
KBRT_BLK_CHECK(r13, KBRT_BLK_R13);
KBRT_BLK_CHECK(r14, KBRT_BLK_R14);
KBRT_BLK_CHECK(r15, KBRT_BLK_R15);
KBRT_BLK_CHECK(rdi, KBRT_BLK_RDI);
KBRT_BLK_CHECK(rsi, KBRT_BLK_RSI);
KBRT_BLK_CHECK(rdx, KBRT_BLK_RDX);
KBRT_BLK_CHECK(r8, KBRT_BLK_R8);
KBRT_BLK_CHECK(r9, KBRT_BLK_R9);
KBRT_BLK_CHECK(r10, KBRT_BLK_R10);
KBRT_BLK_CHECK(r11, KBRT_BLK_R11);
KBRT_BLK_CHECK(rip, KBRT_BLK_RIP);
KBRT_BLK_CHECK(rsp, KBRT_BLK_RSP);
KBRT_BLK_CHECK(sigmask, KBRT_BLK_SIGMASK);
KBRT_BLK_CHECK(flags, KBRT_BLK_FLAGS);
KBRT_BLK_CHECK(mxcsr, KBRT_BLK_MXCSR);
KBRT_BLK_CHECK(fcw, KBRT_BLK_FCW);
_Static_assert(sizeof(struct kbrt_clone_block) == KBRT_BLK_SIZE,
	       "clone block size");
_Static_assert(KBRT_BLK_SIZE % 16 == 0, "clone block keeps rsp aligned");

#endif /* __ASSEMBLER__ */
#endif /* KBRT_CLONE_BLOCK_H */
