// SPDX-License-Identifier: GPL-2.0
/*
 * kbdlopen: libkbridge loaded at run time, the way a plugin host or a
 * language runtime without a C linker step would use it. Nothing here
 * links against libkbridge: only kbridge.h's types are used at build
 * time, every entry point comes from dlsym().
 *
 *   kbdlopen [PATH-TO-libkbridge.so]     (default: libkbridge.so.0)
 *
 * A personality "dlopen-demo" fakes uname (sysname "kbdlopen") and
 * stubs getpid with EPERM; getppid, which it does not handle, runs
 * natively. Once the personality is unregistered, uname is real again.
 * Exit status 0 only when every result is the expected one.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kbridge.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define P(p)		((__u64)(uintptr_t)(p))

/*
 * Spelled out rather than taken from kbridge.h's prototypes, so that a
 * change of the API's signatures breaks this build instead of the call.
 */
typedef int (*init_dynamic_fn)(struct kb_module *, const struct kb_ops *);
typedef long (*handle_syscall_fn)(long, __u64, __u64, __u64, __u64, __u64,
				  __u64);
typedef void (*exit_dynamic_fn)(struct kb_module *);
typedef void (*exit_fn)(void);

static init_dynamic_fn init_dynamic;
static handle_syscall_fn handle_syscall;
static exit_dynamic_fn exit_dynamic;
static exit_fn layer_exit;

static int demo_uname(struct kb_call *call)
{
	struct utsname u;

	memset(&u, 0, sizeof(u));
	snprintf(u.sysname, sizeof(u.sysname), "kbdlopen");
	snprintf(u.release, sizeof(u.release), "0.1");
	/*
	 * args[0] is a program address: only the host's copy_to_user knows
	 * how to reach program memory (here it is our own).
	 */
	if (call->ops->copy_to_user(call->args[0], &u, sizeof(u))) {
		call->result = -EFAULT;
		return KB_ACTION_STUB;
	}
	call->result = 0;
	return KB_ACTION_FAKE;
}

static int demo_getpid(struct kb_call *call)
{
	call->result = -EPERM;
	return KB_ACTION_STUB;
}

static const struct kb_handler demo_handlers[] = {
	{ .nr = SYS_uname, .tier = KB_TIER_PARTIAL, .handle = demo_uname },
	{ .nr = SYS_getpid, .tier = KB_TIER_STUBBED, .handle = demo_getpid },
};

static struct kb_module demo = {
	.size = sizeof(struct kb_module),
	.abi = KB_MODULE_ABI_VERSION,
	.name = "dlopen-demo",
	.handlers = demo_handlers,
	.nr_handlers = ARRAY_SIZE(demo_handlers),
};

static void *sym(void *lib, const char *name)
{
	const char *err;
	void *p;

	dlerror();
	p = dlsym(lib, name);
	if (!p) {
		err = dlerror();
		fprintf(stderr, "kbdlopen: %s: %s\n", name,
			err ? err : "symbol is NULL");
	}
	return p;
}

static const char *errname(long r)
{
	const char *s = r < 0 ? strerrorname_np((int)-r) : NULL;

	return s ? s : "?";
}

/* uname through the layer; 1 when it returned 0 with sysname @want. */
static int check_uname(const char *want)
{
	struct utsname u;
	long r;

	memset(&u, 0, sizeof(u));
	r = handle_syscall(SYS_uname, P(&u), 0, 0, 0, 0, 0);
	if (r < 0) {
		printf("uname: %ld %s\n", r, errname(r));
		return 0;
	}
	printf("uname: %ld sysname=%s\n", r, u.sysname);
	return r == 0 && !strcmp(u.sysname, want);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "libkbridge.so.0";
	struct utsname native;
	void *lib;
	long r;
	int ok = 1;

	if (argc > 2) {
		fprintf(stderr, "usage: kbdlopen [libkbridge.so]\n");
		return 2;
	}
	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "kbdlopen: %s\n", dlerror());
		return 1;
	}
	init_dynamic = (init_dynamic_fn)sym(lib, "kb_init_dynamic");
	handle_syscall = (handle_syscall_fn)sym(lib, "kb_handle_syscall");
	exit_dynamic = (exit_dynamic_fn)sym(lib, "kb_exit_dynamic");
	layer_exit = (exit_fn)sym(lib, "kb_exit");
	if (!init_dynamic || !handle_syscall || !exit_dynamic || !layer_exit)
		return 1;
	if (uname(&native)) {
		perror("kbdlopen: uname");
		return 1;
	}

	/* No kb_init_static(): this sets the layer up with its defaults. */
	r = init_dynamic(&demo, NULL);
	if (r) {
		fprintf(stderr, "kbdlopen: kb_init_dynamic: %s\n",
			strerror((int)-r));
		return 1;
	}

	ok &= check_uname("kbdlopen");

	r = handle_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
	if (r < 0)
		printf("getpid: %ld %s\n", r, errname(r));
	else
		printf("getpid: %ld\n", r);
	ok &= r == -EPERM;

	/* Not the personality's: the default (tier 1) runs it for real. */
	r = handle_syscall(SYS_getppid, 0, 0, 0, 0, 0, 0);
	printf("getppid: %ld\n", r);
	ok &= r == getppid();

	exit_dynamic(&demo);
	ok &= demo.kb == NULL;
	ok &= check_uname(native.sysname);

	layer_exit();
	/* Nothing of the layer may run after kb_exit(): unload it too. */
	if (dlclose(lib)) {
		fprintf(stderr, "kbdlopen: dlclose: %s\n", dlerror());
		return 1;
	}
	if (!ok)
		fprintf(stderr, "kbdlopen: unexpected result\n");
	return ok ? 0 : 1;
}
