// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of xor_mask_index.c: i = x ^ (x & ~0x1f) = x & 0x1f, up to 31,
 * past the 16-byte array at the end of the value.
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

// truth: xor_mask_unsafe unsafe stock=rejected twin of xor_mask_index with ~0x1f: i = x & 0x1f reaches 31
SEC("tc")
int xor_mask_unsafe(void *ctx)
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
		"%[t] = %[x]; %[t] &= -32;"
		"%[i] = %[x]; %[i] ^= %[t];"
		: [i] "=&r"(i), [t] "=&r"(t)
		: [x] "r"(x));
	v->data[i] += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
