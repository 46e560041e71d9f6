// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * bpf_loop around a refinement: the caller checks idx <= 7 on its stack, then
 * bpf_loop's callback overwrites it through the context pointer with an
 * unchecked value. Helpers that call callbacks write the caller's stack
 * behind the path; BCF refuses them in a suffix.
 *
 * Unsafe: the callback stores prandom & 0xff.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

static int cb(__u32 i, void *ctx)
{
	*(__u64 *)ctx = bpf_get_prandom_u32() & 0xff;
	return 1;
}

// truth: loop_bpf_loop_ctx_unsafe unsafe stock=rejected the bpf_loop callback overwrites the checked index with x & 0xff
SEC("tc")
int loop_bpf_loop_ctx_unsafe(struct __sk_buff *skb)
{
	__u64 idx = bpf_get_prandom_u32() & 7;
	__u32 key = 0;
	__u8 *v;

	bpf_loop(1, cb, &idx, 0);
	v = bpf_map_lookup_elem(&vals, &key);
	if (!v)
		return 0;
	return v[idx];
}

char LICENSE[] SEC("license") = "GPL";
