// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: the quotient of a division by a constant. (x & 0x1ff) / 31 is at
 * most 511 / 31 = 16 (rounded down): one past the 16-byte array. A model that
 * rounds the wrong way near a multiple, or confuses 31 with the shift by 5
 * that 32 would allow, proves the index below 16.
 *
 * Unsafe: x & 0x1ff in [496, 511] gives 16.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct val {
	__u64 x;
	__u64 y;
	__u8 data[16];		/* value_size 32, data at offset 16 */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct val);
} vals SEC(".maps");

// truth: divc_quotient_offbyone_unsafe unsafe stock=rejected (x & 0x1ff) / 31 reaches 16, one past the 16-byte array
SEC("tc")
int divc_quotient_offbyone_unsafe(void *ctx)
{
	__u32 key = bpf_get_prandom_u32() & 3;
	struct val *v;
	__u64 x, i;

	v = bpf_map_lookup_elem(&vals, &key);
	if (!v)
		return 0;
	x = v->x & 0x1ff;
	barrier_var(x);
	i = x / 31;
	barrier_var(i);
	v->data[i] += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
