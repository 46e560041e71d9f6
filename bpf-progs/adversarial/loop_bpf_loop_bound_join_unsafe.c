// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: the bpf_loop() callback index bound (0013) and pruning. nr_loops is
 * 16 on the fall-through path, explored first, and 17 on the other; both
 * reach the call through one join point. The first path's callback proves
 * slot[index] in bounds with index < 16; if the join's checkpoint did not
 * keep nr_loops precise, the second path would be pruned there and its
 * callback never checked.
 *
 * Unsafe: with nr_loops 17 the last callback reads slot[16], past the value.
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

// truth: loop_bpf_loop_bound_join_unsafe unsafe stock=rejected nr_loops 16 or 17 through one join; 17 reads slot[16] of 16
SEC("tc")
int loop_bpf_loop_bound_join_unsafe(struct __sk_buff *skb)
{
	struct loop_ctx lc = {};
	__u32 key = 0;
	__u64 nr;

	lc.s = bpf_map_lookup_elem(&table, &key);
	if (!lc.s)
		return 0;
	nr = bpf_get_prandom_u32();
	asm volatile("if %[nr] > 100 goto l_17_%=;"
		     "%[nr] = 16;"
		     "goto l_join_%=;"
		     "l_17_%=:"
		     "%[nr] = 17;"
		     "l_join_%=:"
		     : [nr] "+r"(nr));
	bpf_loop(nr, add_slot, &lc, 0);
	return lc.sum & 1;
}

char LICENSE[] SEC("license") = "GPL";
