// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Range refinement: a bound lost through a mask. i = (x & 0xff) - (x & 0xf0)
 * equals x & 0x0f, always in [0,15]. The verifier subtracts the intervals
 * [0,255] - [0,240] and loses the relation between the two masked copies of x,
 * so the access v->data[i] looks like it may go from -240 to 255.
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

// truth: mask_diff_index safe stock=rejected (x&0xff)-(x&0xf0) == x&0x0f is in [0,15], interval subtraction gives [-240,255]
SEC("xdp")
int mask_diff_index(void *ctx)
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
		"%[t] = %[x]; %[t] &= 0xf0;"
		"%[i] -= %[t];"
		: [i] "=&r"(i), [t] "=&r"(t)
		: [x] "r"(x));
	v->data[i] += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
