// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of bpf_loop_var_bound.c: the bpf_loop() callback index bound when nr_loops is not a
 * constant: the bound is the largest value the verifier allows for it,
 * here x & 31.
 *
 * Unsafe: nr_loops up to 31 indexes up to slot[30] of 16.
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

// truth: bpf_loop_var_bound_unsafe unsafe stock=rejected nr_loops = x & 31 indexes up to slot[30] of 16
SEC("tc")
int bpf_loop_var_bound_unsafe(struct __sk_buff *skb)
{
	struct loop_ctx lc = {};
	__u32 key = 0;

	lc.s = bpf_map_lookup_elem(&table, &key);
	if (!lc.s)
		return 0;
	bpf_loop(bpf_get_prandom_u32() & 31, add_slot, &lc, 0);
	return lc.sum & 1;
}

char LICENSE[] SEC("license") = "GPL";
