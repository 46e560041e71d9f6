// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * A loop-derived index through bpf_loop() with a variable trip count: 1 to
 * 16 iterations, index 0..15 into a 16-slot array. The helper's contract
 * bounds the index by nr_loops, whose maximum the verifier knows, but the
 * callback's index argument gets no bound.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

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

// truth: bpf_loop_var_bound safe stock=rejected nr_loops = (x & 15) + 1 passes index 0..15 into a 16-slot value
SEC("tc")
int bpf_loop_var_bound(struct __sk_buff *skb)
{
	struct loop_ctx lc = {};
	__u32 key = 0;

	lc.s = bpf_map_lookup_elem(&table, &key);
	if (!lc.s)
		return 0;
	bpf_loop((bpf_get_prandom_u32() & 15) + 1, add_slot, &lc, 0);
	return lc.sum & 1;
}

char LICENSE[] SEC("license") = "GPL";
