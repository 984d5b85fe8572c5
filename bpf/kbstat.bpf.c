// SPDX-License-Identifier: GPL-2.0
/*
 * kbstat: count kbridge.ko's tier decisions per (syscall, tier, action,
 * path), globally, per session and per process.
 *
 * Attached to the module's kbridge_decision tracepoint as a raw
 * tracepoint: that needs no module BTF (the Debian headers cannot produce
 * it), and its arguments arrive as an array of u64, in TP_PROTO order:
 *   (u64 session, u32 tgid, u32 nr, u16 tier, u16 action, bool fastpath)
 * No kernel structure is read, so there is nothing to relocate (CO-RE).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <asm-generic/errno-base.h>
#include <bpf/bpf_helpers.h>

#include "kbstat.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * enum kbstat_scope bits, set by the loader before the program is
 * verified: a constant then, so the scopes left out cost nothing.
 */
const volatile __u32 scopes = KBSTAT_SCOPE_ALL;

/*
 * Per-CPU hashes: every CPU counts in its own slot, so the hot path takes
 * no lock and bounces no cache line; readers sum the slots.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, KBSTAT_MAX_ENTRIES);
	__type(key, struct kbstat_tier_key);
	__type(value, __u64);
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

/* Decisions a full map could not count, per map (enum kbstat_drop). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KBSTAT_NR_DROPS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/*
 * Tracepoint probes run with preemption disabled, so nothing else touches
 * this CPU's slot between the read and the write: a plain increment is
 * exact, no atomic needed.
 */
static __always_inline void count(void *map, const void *key, __u32 which)
{
	__u64 one = 1;	/* on the stack: a constant would add a .rodata map */
	__u64 *v;
	long err;

	v = bpf_map_lookup_elem(map, key);
	if (v) {
		*v += 1;
		return;
	}
	err = bpf_map_update_elem(map, key, &one, BPF_NOEXIST);
	if (!err)
		return;
	if (err == -EEXIST) {	/* another CPU created the key first */
		v = bpf_map_lookup_elem(map, key);
		if (v) {
			*v += 1;
			return;
		}
	}
	v = bpf_map_lookup_elem(&drops, &which);
	if (v)
		*v += 1;
}

SEC("raw_tp/kbridge_decision")
int kb_decision(__u64 *ctx)
{
	struct kbstat_tier_key tk = {
		.nr = (__u32)ctx[2],
		.tier = (__u16)ctx[3],
		.action = (__u8)ctx[4],
		.fastpath = (__u8)ctx[5] ? 1 : 0,
	};
	struct kbstat_session_key sk = {
		.session = ctx[0],
		.nr = tk.nr,
		.tier = tk.tier,
		.action = tk.action,
		.fastpath = tk.fastpath,
	};
	struct kbstat_pid_key pk = {
		.tgid = (__u32)ctx[1],
		.nr = tk.nr,
		.tier = tk.tier,
		.action = tk.action,
		.fastpath = tk.fastpath,
	};

	if (scopes & KBSTAT_SCOPE_GLOBAL)
		count(&tier_hits, &tk, KBSTAT_DROP_TIER);
	if (scopes & KBSTAT_SCOPE_SESSION)
		count(&session_hits, &sk, KBSTAT_DROP_SESSION);
	if (scopes & KBSTAT_SCOPE_PID)
		count(&pid_hits, &pk, KBSTAT_DROP_PID);
	return 0;
}
