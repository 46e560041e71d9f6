// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a map value pointer loaded from the caller's stack inside a
 * bpf_loop() callback (0013: a load the verifier typed as a map value
 * pointer at one constant offset on every path is that offset). The pointer
 * the caller stores is 8 slots into the 16-slot value, so index 0..15 reads
 * slots 8..23: the offset must come from the load, not be taken as 0.
 *
 * Unsafe: index >= 8 reads past the value.
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
	__u64 *s;
	__u64 sum;
};

static long add_slot(__u64 index, void *data)
{
	struct loop_ctx *lc = data;

	lc->sum += lc->s[index];
	return 0;
}

// truth: loop_bpf_loop_ptr_offset_unsafe unsafe stock=rejected the callback indexes 16 slots from slot 8 of a 16-slot value
SEC("tc")
int loop_bpf_loop_ptr_offset_unsafe(struct __sk_buff *skb)
{
	struct loop_ctx lc = {};
	struct slots *v;
	__u32 key = 0;

	v = bpf_map_lookup_elem(&table, &key);
	if (!v)
		return 0;
	lc.s = &v->slot[8];
	bpf_loop(16, add_slot, &lc, 0);
	return lc.sum & 1;
}

char LICENSE[] SEC("license") = "GPL";
