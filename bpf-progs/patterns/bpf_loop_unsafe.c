// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of bpf_loop_index.c: NR is 17, so the last callback reads
 * slot[16], one past the end of the 16-slot map value.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define NR 17

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

// truth: bpf_loop_unsafe unsafe stock=rejected bpf_loop(17) reads slot[16], one past the 16-slot value
SEC("tc")
int bpf_loop_unsafe(struct __sk_buff *skb)
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
