// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Unsafe twin of subprog_index: the callee checks depth <= 16, so depth 16 reads slot 15 plus 8,
 * bytes 128..135 of a 128-byte value.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[16]);
} slots SEC(".maps");

static __noinline __u64 slot_at_depth_unsafe(void)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&slots, &key);
	__u64 r;

	if (!v)
		return 0;
	/* written out: the instruction stream is the same for every compiler and level */
	asm volatile(
		"%[r] = 0;"
		"r1 = *(u8 *)(%[v] + 120);"
		"if w1 > 16 goto l_out_%=;"
		"w2 = w1;"
		"w2 += -1;"
		"w3 = w2;"
		"w3 &= 255;"
		"if w3 > 15 goto l_out_%=;"
		"r2 &= 255;"
		"r2 <<= 3;"
		"r3 = %[v];"
		"r3 += r2;"
		"%[r] = *(u64 *)(r3 + 8);"
		"l_out_%=:"
		: [r] "=&r"(r)
		: [v] "r"(v)
		: "r1", "r2", "r3", "memory");
	return r;
}

// truth: subprog_index_unsafe unsafe stock=rejected depth 16 reads bytes 128..135 of a 128-byte value
SEC("tc")
int subprog_index_unsafe(struct __sk_buff *skb)
{
	return slot_at_depth_unsafe() & 1;
}

char LICENSE[] SEC("license") = "GPL";
