// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Range refinement inside a static subprogram (bcc's ksnoop: the failing access is in frame 1).
 * The callee reads a depth byte from a map value, checks depth <= 14, and indexes 8-byte slots
 * with (depth - 1) & 0xff after checking that it is at most 15: at most 13 * 8 + 16 = 120 bytes
 * into a 128-byte value. The verifier loses the relation between the 32-bit subtraction and
 * the mask and sees offsets up to 2040; the suffix starts at the callee's entry, assuming
 * nothing about the caller.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[16]);
} slots SEC(".maps");

static __noinline __u64 slot_at_depth(void)
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
		"if w1 > 14 goto l_out_%=;"
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

// truth: subprog_index safe stock=rejected the callee's index is (depth - 1) & 0xff <= 13 after depth <= 14: at most byte 120 of 128; invalid access to map value
SEC("tc")
int subprog_index(struct __sk_buff *skb)
{
	return slot_at_depth() & 1;
}

char LICENSE[] SEC("license") = "GPL";
