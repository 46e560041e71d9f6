// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * A global (non-static) subprogram is verified on its own and returns an
 * unknown scalar to the caller; here it returns x & 15, which the caller uses
 * as an index. A model that inlined the global function's body into the
 * caller's path (or trusted its return range) could prove the access.
 *
 * Unsafe: x & 15 >= 8.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

__noinline int global_pick(int x)
{
	return x & 15;
}

// truth: call_global_subprog_unsafe unsafe stock=rejected a global subprogram's x & 15 indexes 8 bytes
SEC("tc")
int call_global_subprog_unsafe(struct __sk_buff *skb)
{
	__u32 i = global_pick(bpf_get_prandom_u32());
	__u32 key = 0;
	__u8 *v = bpf_map_lookup_elem(&vals, &key);

	if (!v)
		return 0;
	return v[i];
}

char LICENSE[] SEC("license") = "GPL";
