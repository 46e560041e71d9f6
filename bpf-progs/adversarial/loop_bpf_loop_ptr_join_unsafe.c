// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: the per-instruction record of loaded map value pointers (0013). The
 * caller stores a pointer to slot 0 on one path and to slot 8 on the other;
 * the callback's load of it gives offset 0 on the first path it sees and 64
 * on the second. A record kept from the first path, or a checkpoint that
 * let the second path through unexamined, would accept the second.
 *
 * Unsafe: from slot 8, index >= 8 reads past the 16-slot value.
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

// truth: loop_bpf_loop_ptr_join_unsafe unsafe stock=rejected the callback's base pointer is slot 0 on one path and slot 8 on the other
SEC("tc")
int loop_bpf_loop_ptr_join_unsafe(struct __sk_buff *skb)
{
	struct loop_ctx lc = {};
	struct slots *v;
	__u32 key = 0;

	v = bpf_map_lookup_elem(&table, &key);
	if (!v)
		return 0;
	lc.s = &v->slot[0];
	if (bpf_get_prandom_u32() & 1)
		lc.s = &v->slot[8];
	bpf_loop(16, add_slot, &lc, 0);
	return lc.sum & 1;
}

char LICENSE[] SEC("license") = "GPL";
