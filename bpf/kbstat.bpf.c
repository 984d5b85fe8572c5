// SPDX-License-Identifier: GPL-2.0
/*
 * kbstat: count kbridge.ko's tier decisions per (syscall, tier, action,
 * path), globally, per session and per process.
 *
 * Attached to the module's kbridge_decisions tracepoint as a raw
 * tracepoint: that needs no module BTF (the Debian headers cannot produce
 * it), and its arguments arrive as an array of u64, in TP_PROTO order:
 *   (u64 session, u32 tgid, u32 nr, u16 tier, u16 action, bool fastpath,
 *    u32 count)
 * Each event is @count identical decisions of one process in a row: the
 * module batches them (module/batch.h), so that this program runs once
 * per run, not once per syscall. Every decision still arrives, once.
 * No kernel structure is read, so there is nothing to relocate (CO-RE).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <asm-generic/errno-base.h>
#include <bpf/bpf_helpers.h>
#include <linux/kbridge.h>

#include "kbstat.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * enum kbstat_scope bits, set by the loader before the program is
 * verified: a constant then, so the scopes left out cost nothing.
 */
const volatile __u32 scopes = KBSTAT_SCOPE_ALL;

/*
 * Per-CPU maps: every CPU counts in its own slot, so the hot path takes
 * no lock and bounces no cache line; readers sum the slots.
 *
 * tier_hits is an array by syscall number (kbstat.h): the global count,
 * the one every load keeps, costs one lookup the verifier inlines into
 * an address computation, with no hashing and no insert.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KBSTAT_NR_SLOTS);
	__type(key, __u32);
	__type(value, struct kbstat_counts);
} tier_hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, KBSTAT_MAX_ENTRIES);
	__type(key, struct kbstat_session_key);
	__type(value, __u64);
} session_hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, KBSTAT_MAX_ENTRIES);
	__type(key, struct kbstat_pid_key);
	__type(value, __u64);
} pid_hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KB_URING_OPS);
	__type(key, __u32);
	__type(value, __u64);
} uring_hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, KBSTAT_MAX_ENTRIES);
	__type(key, struct kbstat_uring_key);
	__type(value, __u64);
} uring_session_hits SEC(".maps");

/* Decisions a map could not count, per reason (enum kbstat_drop). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KBSTAT_NR_DROPS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

static __always_inline void drop(__u32 which, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&drops, &which);

	if (v)
		*v += n;
}

/*
 * Tracepoint probes run with preemption disabled, so nothing else touches
 * this CPU's slot between the read and the write: a plain increment is
 * exact, no atomic needed.
 */
static __always_inline void count(void *map, const void *key, __u32 which,
				  __u64 n)
{
	__u64 *v;
	long err;

	v = bpf_map_lookup_elem(map, key);
	if (v) {
		*v += n;
		return;
	}
	err = bpf_map_update_elem(map, key, &n, BPF_NOEXIST);
	if (!err)
		return;
	if (err == -EEXIST) {	/* another CPU created the key first */
		v = bpf_map_lookup_elem(map, key);
		if (v) {
			*v += n;
			return;
		}
	}
	drop(which, n);
}

/*
 * Index of the (tier, action) pair's first counter in kbstat_counts seen
 * as an array of u64, or -1 for a pair the uapi header does not allow.
 */
static __always_inline int field_of(__u32 tier, __u32 action)
{
	int i = 0;

#define KBSTAT_CASE(name, t, a)			\
	if (tier == (t) && action == (a))	\
		return i * 2;			\
	i++;
	KBSTAT_FIELDS(KBSTAT_CASE)
#undef KBSTAT_CASE
	return -1;
}

_Static_assert(KBSTAT_SLOT_OUT_OF_RANGE == KB_NR_SYSCALLS,
	       "tier_hits has one slot per number of the module's table");

static __always_inline void count_global(__u32 nr, __u32 tier, __u32 action,
					 __u32 fastpath, __u64 n)
{
	__u32 slot = nr < KBSTAT_SLOT_OUT_OF_RANGE ? nr :
		     KBSTAT_SLOT_OUT_OF_RANGE;
	int f = field_of(tier, action);
	__u32 i;
	__u64 *c;

	if (f < 0) {
		drop(KBSTAT_DROP_BAD, n);
		return;
	}
	c = bpf_map_lookup_elem(&tier_hits, &slot);
	i = f + fastpath;
	/* Both tests always hold; the verifier cannot know it. */
	if (c && i < 2 * KBSTAT_NR_FIELDS)
		c[i] += n;
}

SEC("raw_tp/kbridge_decisions")
int kb_decision(__u64 *ctx)
{
	__u32 nr = (__u32)ctx[2];
	__u16 tier = (__u16)ctx[3];
	__u8 action = (__u8)ctx[4];
	__u8 fastpath = (__u8)ctx[5] ? 1 : 0;
	__u64 n = (__u32)ctx[6];

	if (scopes & KBSTAT_SCOPE_GLOBAL)
		count_global(nr, tier, action, fastpath, n);
	if (scopes & KBSTAT_SCOPE_SESSION) {
		struct kbstat_session_key sk = {
			.session = ctx[0], .nr = nr, .tier = tier,
			.action = action, .fastpath = fastpath,
		};

		count(&session_hits, &sk, KBSTAT_DROP_SESSION, n);
	}
	if (scopes & KBSTAT_SCOPE_PID) {
		struct kbstat_pid_key pk = {
			.tgid = (__u32)ctx[1], .nr = nr, .tier = tier,
			.action = action, .fastpath = fastpath,
		};

		count(&pid_hits, &pk, KBSTAT_DROP_PID, n);
	}
	return 0;
}

/*
 * io_uring operations, one event each: (u64 session, u32 tgid, u32
 * opcode). Counted globally and per session; a full session map counts
 * the loss under KBSTAT_DROP_SESSION, as for decisions.
 */
SEC("raw_tp/kbridge_uring_op")
int kb_uring(__u64 *ctx)
{
	__u32 op = (__u32)ctx[2];
	__u64 *v;

	if (op >= KB_URING_OPS)
		op = KB_URING_OPS - 1;
	if (scopes & KBSTAT_SCOPE_GLOBAL) {
		v = bpf_map_lookup_elem(&uring_hits, &op);
		if (v)
			*v += 1;
	}
	if (scopes & KBSTAT_SCOPE_SESSION) {
		struct kbstat_uring_key uk = { .session = ctx[0], .opcode = op };

		count(&uring_session_hits, &uk, KBSTAT_DROP_SESSION, 1);
	}
	return 0;
}
