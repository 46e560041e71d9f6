// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * A refinement inside a static subprogram: the callee looks the value up and
 * indexes it with its argument (x & 15, computed by the caller). The suffix
 * reaches back through the call instruction, so BCF must refuse it (or
 * refute it); a model that starts the callee's registers from the caller's
 * state without the call would be unsound.
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

static __noinline int peek(__u64 i)
{
	__u32 key = 0;
	__u8 *v = bpf_map_lookup_elem(&vals, &key);

	if (!v)
		return 0;
	return v[i];
}

// truth: call_subprog_access_unsafe unsafe stock=rejected the callee indexes 8 bytes with the caller's x & 15
SEC("tc")
int call_subprog_access_unsafe(struct __sk_buff *skb)
{
	__u64 i = bpf_get_prandom_u32();

	asm volatile("%[i] &= 15" : [i] "+r"(i));
	return peek(i);
}

char LICENSE[] SEC("license") = "GPL";
