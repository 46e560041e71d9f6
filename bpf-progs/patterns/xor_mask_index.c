// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Range refinement: a bound lost through xor with a masked copy.
 * i = x ^ (x & ~0xf) clears every bit above bit 3, so i is in [0,15]. The
 * verifier's tnum only knows the low 4 bits of (x & ~0xf) are zero; the xor of
 * two unknown upper halves is unknown, so i is unbounded.
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

// truth: xor_mask_index safe stock=rejected x ^ (x & ~0xf) == x & 0xf; tnum xor of an unknown and a partly known value is unknown above bit 3
SEC("tc")
int xor_mask_index(void *ctx)
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
		"%[t] = %[x]; %[t] &= -16;"
		"%[i] = %[x]; %[i] ^= %[t];"
		: [i] "=&r"(i), [t] "=&r"(t)
		: [x] "r"(x));
	v->data[i] += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
