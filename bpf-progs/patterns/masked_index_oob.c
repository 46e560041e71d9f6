// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Control, UNSAFE: the mask is one bit too wide, i = x & 0x1f reaches 31, past
 * the 16-byte array at the end of the value.
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

// truth: masked_index_oob unsafe stock=rejected control: i = x & 0x1f into a 16-byte array (value_size=32 off=47 size=1)
SEC("xdp")
int masked_index_oob(void *ctx)
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
		"%[t] = 0;"
		"%[i] = %[x]; %[i] &= 0x1f;"
		: [i] "=&r"(i), [t] "=&r"(t)
		: [x] "r"(x));
	v->data[i] += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
