// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge runtime: the tier core (core/, the sources kbridge.ko
 * decides with) as the in-process runtime's host, for runs without the
 * module.
 *
 * The policy is built once per image, before the program runs (by
 * kblaunch, or by its re-entry after exec), and never changes: decisions
 * read it with no lock. Its tables live in private anonymous mappings of
 * their own, out of reach of the program's allocator; its hit counters in
 * the shared area (struct kbrt_counters), handed out in build order, so
 * that every build from one area counts into the same slots.
 */
#include <linux/mman.h>

#include "internal.h"
#include "sys.h"
#include "../../core/core.h"

/* The hit counters still free in the area being built from. */
static uint64_t *kbrt_hits_next, *kbrt_hits_end;

static void *rt_alloc(size_t size, unsigned int flags)
{
	uint64_t n = (size + 7) / 8;
	long p;

	if (flags & KB_ALLOC_SHARED) {
		/* Zero when the area was made; counting since, if rebuilt. */
		if (!kbrt_hits_next || (uint64_t)(kbrt_hits_end -
						  kbrt_hits_next) < n)
			return 0;
		kbrt_hits_next += n;
		return kbrt_hits_next - n;
	}
	p = sys_mmap(0, size ? size : 1, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p < 0 && p > -4096 ? 0 : (void *)p;
}

static void rt_free(void *ptr, size_t size, unsigned int flags)
{
	/* Area slots stay with their rule; they are never given back. */
	if (ptr && !(flags & KB_ALLOC_SHARED))
		sys_munmap(ptr, size ? size : 1);
}

static int rt_copy_from_user(void *dst, __u64 src, size_t n)
{
	return kbrt_copy_from_user(dst, src, n) ? -EFAULT : 0;
}

static int rt_copy_to_user(__u64 dst, const void *src, size_t n)
{
	return kbrt_copy_to_user(dst, src, n) ? -EFAULT : 0;
}

/* kb_ops semantics: the length, @n if there is no NUL within it. */
static long rt_strncpy_from_user(char *dst, __u64 src, long n)
{
	long done = 0, got, i;

	while (done < n) {
		got = kbrt_copy_str_from_user(dst + done, src + done,
					      (uint64_t)(n - done));
		if (got <= 0)
			return -EFAULT;
		/*
		 * process_vm_readv copies what it can, NUL or not: the string
		 * ends at the first NUL in what came, wherever that is.
		 */
		for (i = 0; i < got; i++)
			if (!dst[done + i])
				return done + i;
		done += got;
	}
	return n;
}

/* The executor carries out passes; the core never runs a syscall here. */
static long rt_syscall(long nr, const __u64 *args)
{
	(void)nr;
	(void)args;
	return -ENOSYS;
}

/* The policy does not change once the program runs. */
static void rt_nolock(void)
{
}

static void rt_log(int level, const char *msg)
{
	(void)level;
	kbrt_say(msg, 0);
}

static const struct kb_ops kbrt_core_ops = {
	.size = sizeof(struct kb_ops),
	.alloc = rt_alloc,
	.free = rt_free,
	.copy_from_user = rt_copy_from_user,
	.copy_to_user = rt_copy_to_user,
	.strncpy_from_user = rt_strncpy_from_user,
	.syscall = rt_syscall,
	.lock = rt_nolock,
	.unlock = rt_nolock,
	.log = rt_log,
};

int kbrt_policy_build(struct kbrt_counters *area, const struct kb_policy **out)
{
	const uint64_t base = (uint64_t)area;
	struct kb_set_rules req = { .size = sizeof(req) };
	struct kb_rule_desc *d = 0;
	struct kb_policy *built = 0;
	uint64_t i, len = 0;
	int ret;

	*out = 0;
	if (area->rules_off > area->size || area->hits_off > area->size ||
	    area->rules_count > (area->size - area->rules_off) / sizeof(*d) ||
	    area->hits_len > area->size - area->hits_off)
		return -EINVAL;
	/* The entries with their globs' addresses in this mapping. */
	if (area->rules_count) {
		len = area->rules_count * sizeof(*d);
		d = rt_alloc(len, 0);
		if (!d)
			return -ENOMEM;
		kbrt_memcpy(d, (const char *)area + area->rules_off, len);
		for (i = 0; i < area->rules_count; i++) {
			if (!d[i].path)
				continue;
			if (d[i].path >= area->size ||
			    d[i].path_len > area->size - d[i].path) {
				rt_free(d, len, 0);
				return -EINVAL;
			}
			d[i].path += base;
		}
	}
	req.count = (uint32_t)area->rules_count;
	req.rule_size = sizeof(*d);
	req.rules = (uint64_t)d;

	kbrt_hits_next = (uint64_t *)(base + area->hits_off);
	kbrt_hits_end = kbrt_hits_next + area->hits_len / 8;
	ret = kb_policy_build(&kbrt_core_ops, 0, &req, &built);
	kbrt_hits_next = 0;
	kbrt_hits_end = 0;
	if (d)
		rt_free(d, len, 0);
	/* No entries: every number is the initial tier 1 pass. */
	if (!ret && !built) {
		built = kb_policy_alloc(&kbrt_core_ops);
		if (!built)
			ret = -ENOMEM;
	}
	*out = built;
	return ret;
}

int kbrt_policy_rules(const struct kb_policy *p, struct kb_get_rules *req)
{
	return kb_policy_get_rules(&kbrt_core_ops, p, req);
}

/* Only a path condition needs this much stack, and only then. */
static __attribute__((noinline)) int
decide_with_path(const struct kb_ruleset *set, const __u64 *args,
		 struct kb_decision *d)
{
	char path[KB_PATH_MAX + 1];

	return kb_decide(&kbrt_core_ops, set, args, path, d);
}

/*
 * The decision without the module: the policy's rule for the number, by
 * its tier, counted in the area as the module counts in the session.
 */
void kbrt_decide_local(struct kb_syscall *call)
{
	struct kbrt_counters *c = kbrt_cfg->counters;
	const struct kb_policy *p = kbrt_cfg->policy;
	const struct kb_ruleset *set = 0;
	struct kb_decision d;
	int ret;

	/* Not a program under test (kblaunch --only): natively, uncounted. */
	if (kbrt_cfg->out_of_scope) {
		call->verdict = KB_VERDICT_EXECUTE;
		call->tier = KB_TIER_FULL;
		call->action = KB_ACTION_PASS;
		call->result = 0;
		return;
	}
	__atomic_fetch_add(&c->total, 1, __ATOMIC_RELAXED);
	if (call->nr < KB_NR_SYSCALLS) {
		__atomic_fetch_add(&c->nr[call->nr], 1, __ATOMIC_RELAXED);
		set = p->rules[call->nr];
	} else {
		__atomic_fetch_add(&c->out_of_range, 1, __ATOMIC_RELAXED);
	}
	if (set && set->needs_ctx)
		ret = decide_with_path(set, call->args, &d);
	else
		ret = kb_decide(&kbrt_core_ops, set, call->args, 0, &d);
	/* A syscall is never silently lost or run without a verdict. */
	if (ret)
		kbrt_die("the in-process tier core failed", ret);
	if (set)
		kb_hits_inc(set->hits, d.entry);
	/*
	 * Where a program dies of a stub, its latest stub is the likeliest
	 * cause: kbctl analyze tries that one first.
	 */
	if (d.action != KB_ACTION_PASS)
		__atomic_store_n(&c->last_changed, (uint64_t)call->nr + 1,
				 __ATOMIC_RELAXED);
	call->tier = d.tier;
	call->action = d.action;
	if (d.action == KB_ACTION_PASS) {
		call->verdict = KB_VERDICT_EXECUTE;
		call->result = 0;
	} else {
		call->verdict = KB_VERDICT_RESULT;
		call->result = kb_decision_result(&d);
	}
}
