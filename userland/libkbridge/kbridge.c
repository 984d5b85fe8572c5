// SPDX-License-Identifier: GPL-2.0
/*
 * libkbridge: the tiered syscall layer in a process (core/kbridge.h).
 *
 * One layer per process. kb_init_static() sets it up with the host's
 * services and a policy; kb_init_dynamic() registers personality modules
 * (and sets the layer up with defaults when nothing did). Every
 * kb_handle_syscall() then decides one call with the tier core, the same
 * sources kbridge.ko decides with, and carries the verdict out: the
 * host's syscall for a pass, the errno or the value for a stub or fake.
 *
 * A personality implements syscalls: where the policy passes one that it
 * implements, its handler decides the call in place of the host's
 * syscall. Stubs, fakes and the configured default (for what no rule
 * names) still win.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>

#include "kbridge_host.h"

/* Personality modules registered at once, at most. */
#define KB_MAX_MODULES		16

struct kb_registered {
	struct kb_module *mod;
	/* Handler calls running now: kb_exit_dynamic() waits for none. */
	int inflight;
	/* Per syscall number, its handler in mod->handlers, or NULL. */
	const struct kb_handler *by_nr[KB_NR_SYSCALLS];
};

static struct kb_layer {
	bool ready;
	struct kb_ops ops;		/* the caller's, gaps filled by Linux's */
	struct kb_config cfg;
	char personality[KB_PERSONALITY_NAME_MAX + 1];	/* cfg.personality */
	struct kb_policy *policy;
	void *counts;			/* per number, [KB_NR_SYSCALLS]: others */
	struct kb_registered *mods[KB_MAX_MODULES];
} kb;

/* Layer state changes (init, exit, modules) exclude each other. */
static void kb_lock(void)
{
	if (kb.cfg.threading == KB_THREADS_MULTI)
		kb.ops.lock();
}

static void kb_unlock(void)
{
	if (kb.cfg.threading == KB_THREADS_MULTI)
		kb.ops.unlock();
}

/* The caller's services, as far as its struct goes; Linux's for the rest. */
static int kb_merge_ops(const struct kb_ops *in)
{
	kb.ops = kb_linux_ops;
	if (!in)
		return 0;
	if (in->size < offsetofend(struct kb_ops, __reserved) ||
	    in->__reserved)
		return -EINVAL;
#define KB_TAKE(m)							\
	do {								\
		if (in->size >= offsetofend(struct kb_ops, m) && in->m)	\
			kb.ops.m = in->m;				\
	} while (0)
	KB_TAKE(alloc);
	KB_TAKE(free);
	KB_TAKE(copy_from_user);
	KB_TAKE(copy_to_user);
	KB_TAKE(strncpy_from_user);
	KB_TAKE(syscall);
	KB_TAKE(lock);
	KB_TAKE(unlock);
	KB_TAKE(log);
#undef KB_TAKE
	/* An allocator and its free go together. */
	if (!in->alloc != !(in->size >= offsetofend(struct kb_ops, free) &&
			    in->free))
		return -EINVAL;
	return 0;
}

static void kb_teardown(void)
{
	if (kb.policy)
		kb_policy_free(&kb.ops, kb.policy);
	if (kb.counts)
		kb_hits_free(&kb.ops, kb.counts, KB_NR_SYSCALLS + 1);
	kb.policy = NULL;
	kb.counts = NULL;
	kb.ready = false;
}

/* Set the layer up; caller holds nothing, kb.ready is false. */
static int kb_setup(const struct kb_ops *ops, const struct kb_config *cfg)
{
	struct kb_set_rules req = { .size = sizeof(req) };
	struct kb_policy *built;
	int ret;

	if (!cfg || cfg->size < offsetofend(struct kb_config, personality))
		return -EINVAL;
	if (cfg->stub > KB_STUB_FAKE || cfg->threading > KB_THREADS_MULTI ||
	    cfg->dynamic > 1 || cfg->__reserved ||
	    (cfg->nr_rules && !cfg->rules) ||
	    (cfg->personality && !kb_personality_name_ok(cfg->personality,
						    KB_PERSONALITY_NAME_MAX + 1)))
		return -EINVAL;
	ret = kb_merge_ops(ops);
	if (ret)
		return ret;
	kb.cfg = *cfg;
	kb.cfg.size = sizeof(kb.cfg);
	kb.personality[0] = '\0';
	if (cfg->personality)
		strcpy(kb.personality, cfg->personality);

	req.count = cfg->nr_rules;
	req.rule_size = sizeof(struct kb_rule_desc);
	req.rules = (__u64)(uintptr_t)cfg->rules;
	ret = kb_policy_build(&kb.ops, NULL, &req, &built);
	/* No rules: every number is the initial tier 1 pass. */
	if (!ret && !built) {
		built = kb_policy_alloc(&kb.ops);
		if (!built)
			ret = -ENOMEM;
	}
	kb.policy = built;
	kb.counts = ret ? NULL : kb_hits_alloc(&kb.ops, KB_NR_SYSCALLS + 1);
	if (!ret && !kb.counts)
		ret = -ENOMEM;
	if (ret) {
		kb_teardown();
		return ret;
	}
	__atomic_store_n(&kb.ready, true, __ATOMIC_RELEASE);
	return 0;
}

int kb_init_static(const struct kb_ops *ops, const struct kb_config *cfg)
{
	if (kb.ready)
		return -EBUSY;
	return kb_setup(ops, cfg);
}

/* The handler the bound personality has for @nr, held; NULL if none. */
static struct kb_registered *kb_personality_get(long nr,
						const struct kb_handler **h)
{
	struct kb_registered *r = NULL;
	int i;

	if (!kb.personality[0] || nr < 0 || nr >= KB_NR_SYSCALLS)
		return NULL;
	kb_lock();
	for (i = 0; i < KB_MAX_MODULES; i++) {
		struct kb_registered *m = kb.mods[i];

		if (m && !strcmp(m->mod->name, kb.personality) && m->by_nr[nr]) {
			*h = m->by_nr[nr];
			__atomic_fetch_add(&m->inflight, 1, __ATOMIC_ACQUIRE);
			r = m;
			break;
		}
	}
	kb_unlock();
	return r;
}

int kb_init_dynamic(struct kb_module *mod, const struct kb_ops *ops)
{
	struct kb_config defaults = {
		.size = sizeof(defaults),
		.threading = KB_THREADS_MULTI,
		.dynamic = 1,
	};
	struct kb_registered *r;
	int ret, i, slot = -1;
	__u32 j;

	if (!mod || mod->size < offsetofend(struct kb_module, kb) ||
	    mod->abi != KB_MODULE_ABI_VERSION || !mod->name ||
	    !kb_personality_name_ok(mod->name, KB_PERSONALITY_NAME_MAX + 1) ||
	    (mod->nr_handlers && !mod->handlers) ||
	    mod->nr_handlers > KB_NR_SYSCALLS || mod->kb)
		return -EINVAL;
	if (!kb.ready) {
		/* Loaded on its own: the layer runs this personality. */
		defaults.personality = mod->name;
		ret = kb_setup(ops, &defaults);
		if (ret)
			return ret;
	} else if (!kb.cfg.dynamic) {
		return -EPERM;
	}

	r = kb.ops.alloc(sizeof(*r), 0);
	if (!r)
		return -ENOMEM;
	r->mod = mod;
	for (j = 0; j < mod->nr_handlers; j++) {
		const struct kb_handler *h = &mod->handlers[j];

		if (h->nr >= KB_NR_SYSCALLS || r->by_nr[h->nr] || !h->handle ||
		    h->tier < KB_TIER_FULL || h->tier > KB_TIER_STUBBED ||
		    h->__reserved) {
			kb.ops.free(r, sizeof(*r), 0);
			return -EINVAL;
		}
		r->by_nr[h->nr] = h;
	}

	kb_lock();
	ret = 0;
	for (i = 0; i < KB_MAX_MODULES; i++) {
		if (!kb.mods[i] && slot < 0)
			slot = i;
		else if (kb.mods[i] && !strcmp(kb.mods[i]->mod->name, mod->name))
			ret = -EEXIST;
	}
	if (!ret && slot < 0)
		ret = -ENOSPC;
	if (!ret) {
		kb.mods[slot] = r;
		mod->kb = r;
	}
	kb_unlock();
	if (ret)
		kb.ops.free(r, sizeof(*r), 0);
	return ret;
}

void kb_exit_dynamic(struct kb_module *mod)
{
	struct kb_registered *r;
	int i;

	if (!mod || !mod->kb)
		return;
	r = mod->kb;
	kb_lock();
	for (i = 0; i < KB_MAX_MODULES; i++)
		if (kb.mods[i] == r)
			kb.mods[i] = NULL;
	kb_unlock();
	/* From here no new call reaches it: wait for the running ones. */
	while (__atomic_load_n(&r->inflight, __ATOMIC_ACQUIRE))
		sched_yield();
	mod->kb = NULL;
	kb.ops.free(r, sizeof(*r), 0);
}

/* Carry out a personality handler's verdict. */
static long kb_run_handler(struct kb_registered *r, const struct kb_handler *h,
			   long nr, __u64 *args)
{
	struct kb_call call = {
		.nr = (__u32)nr,
		.ops = &kb.ops,
		.priv = r->mod->priv,
	};
	long ret;
	int action, i;

	for (i = 0; i < 6; i++)
		call.args[i] = args[i];
	action = h->handle(&call);
	__atomic_fetch_sub(&r->inflight, 1, __ATOMIC_RELEASE);
	switch (action) {
	case KB_ACTION_PASS:
		return kb.ops.syscall(nr, call.args);
	case KB_ACTION_STUB:
		/* A stub fails: anything else is the handler's bug. */
		ret = call.result;
		return ret < 0 && ret >= -MAX_ERRNO ? ret : -ENOSYS;
	case KB_ACTION_FAKE:
		return call.result;
	}
	return -ENOSYS;
}

long kb_handle_syscall(long nr, __u64 a0, __u64 a1, __u64 a2, __u64 a3,
		       __u64 a4, __u64 a5)
{
	__u64 args[6] = { a0, a1, a2, a3, a4, a5 };
	const struct kb_ruleset *set = NULL;
	const struct kb_handler *h = NULL;
	const struct kb_policy *p;
	struct kb_registered *r;
	struct kb_decision d;
	char path[KB_PATH_MAX + 1];
	int ret;

	if (!__atomic_load_n(&kb.ready, __ATOMIC_ACQUIRE))
		return -ENODEV;
	kb_hits_inc(kb.counts, nr >= 0 && nr < KB_NR_SYSCALLS ?
		    (u32)nr : KB_NR_SYSCALLS);
	p = kb.policy;
	if (nr >= 0 && nr < KB_NR_SYSCALLS)
		set = p->rules[nr];
	if (!set && kb.cfg.stub != KB_STUB_PASS) {
		/* The configured default: tier 3 for what nothing names. */
		return kb.cfg.stub == KB_STUB_ENOSYS ? -ENOSYS : 0;
	}
	ret = kb_decide(&kb.ops, set, args, path, &d);
	if (ret)
		return ret;
	if (set)
		kb_hits_inc(set->hits, d.entry);
	if (d.action != KB_ACTION_PASS)
		return kb_decision_result(&d);
	/* A pass runs the personality's implementation, if it has one. */
	r = kb_personality_get(nr, &h);
	if (r)
		return kb_run_handler(r, h, nr, args);
	return kb.ops.syscall(nr, args);
}

__u64 kb_syscall_count(long nr)
{
	__u64 sum = 0;
	u32 i;

	if (!kb.ready)
		return 0;
	if (nr >= 0)
		return kb_hits_read(kb.counts, nr < KB_NR_SYSCALLS ?
				    (u32)nr : KB_NR_SYSCALLS);
	for (i = 0; i <= KB_NR_SYSCALLS; i++)
		sum += kb_hits_read(kb.counts, i);
	return sum;
}

void kb_exit(void)
{
	int i;

	if (!kb.ready)
		return;
	for (i = 0; i < KB_MAX_MODULES; i++)
		if (kb.mods[i])
			kb_exit_dynamic(kb.mods[i]->mod);
	kb_teardown();
}
