/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Syscall User Dispatch and the sigaction flag its handlers need, for C
 * and assembly (defines only): older libc headers lack them. The values
 * are the kernel's ABI (include/uapi/linux/prctl.h, asm/signal.h,
 * asm-generic/siginfo.h).
 */
#ifndef KB_SUD_H
#define KB_SUD_H

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH	59
#endif
#ifndef PR_SYS_DISPATCH_OFF
#define PR_SYS_DISPATCH_OFF		0
#endif
#ifndef PR_SYS_DISPATCH_ON
#define PR_SYS_DISPATCH_ON		1
#endif
/* The si_code of a SIGSYS that SUD raised. */
#ifndef SYS_USER_DISPATCH
#define SYS_USER_DISPATCH		2
#endif
#ifndef SA_RESTORER
#define SA_RESTORER			0x04000000
#endif

#endif /* KB_SUD_H */
