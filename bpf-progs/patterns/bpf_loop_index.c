// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * A loop-derived index through bpf_loop(): the callback runs for index
 * 0..NR-1 and uses the index directly into a NR-slot array. The helper's
 * contract bounds the index, but the verifier gives the callback's index
 * argument no bound, so the access is refused without an explicit check.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define NR 16

struct slots {
	__u64 slot[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct slots);
} table SEC(".maps");

struct loop_ctx {
	struct slots *s;
	__u64 sum;
};

static long add_slot(__u64 index, void *data)
{
	struct loop_ctx *lc = data;

	lc->sum += lc->s->slot[index];
	return 0;
}

// truth: bpf_loop_index safe stock=rejected bpf_loop(16) passes index 0..15 into a 16-slot value; the callback's index is unbounded for the verifier
SEC("tc")
int bpf_loop_index(struct __sk_buff *skb)
{
	struct loop_ctx lc = {};
	__u32 key = 0;

	lc.s = bpf_map_lookup_elem(&table, &key);
	if (!lc.s)
		return 0;
	bpf_loop(NR, add_slot, &lc, 0);
	return lc.sum & 1;
}

char LICENSE[] SEC("license") = "GPL";
