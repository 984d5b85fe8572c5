// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge runtime: the per-process constants and the SIGSYS action.
 *
 * The constants sit alone in one page that becomes read-only before the
 * program's first instruction: a stray write by the program cannot turn
 * the runtime against it, and no lock is needed to read them from any
 * thread or nested handler. Forked children inherit the page and its
 * values (the kbridge fd keeps its number across fork).
 */
#include <linux/mman.h>

#include "internal.h"
#include "sys.h"

/* Linker-made bounds of the section; hidden: no GOT entry needed. */
extern const char __start_kbrt_text[] __attribute__((visibility("hidden")));
extern const char __stop_kbrt_text[] __attribute__((visibility("hidden")));

static union {
	struct kbrt_config cfg;
	char pages[2 * 4096];
} kbrt_page __attribute__((aligned(4096)));
_Static_assert(sizeof(struct kbrt_config) <= sizeof(kbrt_page),
	       "the constants fit in their pages");

const struct kbrt_config *const kbrt_cfg = &kbrt_page.cfg;

void kbrt_range(uint64_t *start, uint64_t *len)
{
	*start = (uint64_t)__start_kbrt_text;
	*len = (uint64_t)(__stop_kbrt_text - __start_kbrt_text);
}

/*
 * SA_SIGINFO for si_syscall and the ucontext; SA_RESTORER because the
 * restorer must be inside the allowed range (x86_64 has no vDSO
 * sigreturn, and a libc restorer would trap again); SA_NODEFER and an
 * empty sa_mask so that SIGSYS is never blocked while the handler runs:
 * a program signal handler that interrupts it and makes a syscall must be
 * able to trap again; SA_ONSTACK because the program's stack may have no
 * room for a signal frame (altstack.c).
 */
long kbrt_install_sigsys(void)
{
	struct kbrt_sigaction act = {
		.handler = (uint64_t)kbrt_sigsys,
		.flags = SA_SIGINFO | SA_RESTORER | SA_NODEFER | SA_ONSTACK,
		.restorer = (uint64_t)kbrt_rt_sigreturn,
		.mask = 0,
	};

	return sys_rt_sigaction(SIGSYS, &act, 0);
}

/* Turn SUD on for the calling thread, with the runtime's range. */
long kbrt_arm_sud(void)
{
	return sys_prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON,
			 (long)kbrt_cfg->range_start,
			 (long)kbrt_cfg->range_len, 0);
}

int kbrt_setup(const struct kbrt_config *cfg)
{
	long ret;

	kbrt_memcpy(&kbrt_page.cfg, cfg, sizeof(*cfg));
	kbrt_fds_init(cfg);
	kbrt_range(&kbrt_page.cfg.range_start, &kbrt_page.cfg.range_len);
	ret = sys_mprotect(&kbrt_page, sizeof(kbrt_page), PROT_READ);
	if (ret)
		return (int)ret;
	kbrt_vsig_init(cfg->sigsys);
	ret = kbrt_as_init();
	if (ret)
		return (int)ret;
	return (int)kbrt_install_sigsys();
}
