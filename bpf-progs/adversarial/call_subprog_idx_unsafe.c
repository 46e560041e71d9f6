// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * bpf-to-bpf call around a refinement: a static subprogram returns x & 15 and
 * the caller indexes an 8-byte map value with it. The refinement's suffix
 * would have to contain the call and the callee's exit, which BCF refuses.
 *
 * Unsafe: x & 15 >= 8 for half the inputs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

static __noinline __u64 pick(__u64 x)
{
	/* opaque to the compiler: a plain '& 15' would be inlined into the caller */
	asm volatile("%[x] &= 15" : [x] "+r"(x));
	return x;
}

// truth: call_subprog_idx_unsafe unsafe stock=rejected the subprogram returns x & 15, used as an index into 8 bytes
SEC("tc")
int call_subprog_idx_unsafe(struct __sk_buff *skb)
{
	__u64 i = pick(bpf_get_prandom_u32());
	__u32 key = 0;
	__u8 *v = bpf_map_lookup_elem(&vals, &key);

	if (!v)
		return 0;
	return v[i];
}

char LICENSE[] SEC("license") = "GPL";
