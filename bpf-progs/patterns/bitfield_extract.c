// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Range refinement: a bound lost through shifts. i = (x >> 4) - ((x >> 8) << 4)
 * extracts bits 4..7 of x, always in [0,15]. Each shifted copy of x is
 * unbounded for the verifier and their difference is unknown.
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

// truth: bitfield_extract safe stock=rejected (x>>4) - ((x>>8)<<4) is bits 4..7 of x, in [0,15]; the verifier sees a difference of two unbounded values
SEC("xdp")
int bitfield_extract(void *ctx)
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
		"%[i] = %[x]; %[i] >>= 4;"
		"%[t] = %[x]; %[t] >>= 8; %[t] <<= 4;"
		"%[i] -= %[t];"
		: [i] "=&r"(i), [t] "=&r"(t)
		: [x] "r"(x));
	v->data[i] += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
