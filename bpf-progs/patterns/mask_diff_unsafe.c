// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of mask_diff_index.c. i = (x & 0xff) - (x & 0xe0) = x & 0x1f, up
 * to 31, and data has 16 bytes at the end of the value: out of bounds for
 * x & 0x10. A range refinement to [0,15] must fail with a counterexample.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct val {
	__u64 x;		/* an unknown 64-bit input, e.g. a hash written by user space */
	__u64 y;
	__u8 data[16];		/* the indexed array: value_size 32, data at offset 16 */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct val);
} vals SEC(".maps");

// truth: mask_diff_unsafe unsafe stock=rejected twin of mask_diff_index with 0xe0: i = x & 0x1f reaches 31, data[16..31] is past value_size 32
SEC("xdp")
int mask_diff_unsafe(void *ctx)
{
	__u32 key = bpf_get_prandom_u32() & 3;
	struct val *v;
	__u64 x, i, t;

	v = bpf_map_lookup_elem(&vals, &key);
	if (!v)
		return 0;
	x = v->x;
	/* the index computation is inline asm so every compiler emits it as is */
	asm volatile(
		"%[i] = %[x]; %[i] &= 0xff;"
		"%[t] = %[x]; %[t] &= 0xe0;"
		"%[i] -= %[t];"
		: [i] "=&r"(i), [t] "=&r"(t)
		: [x] "r"(x));
	v->data[i] += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
