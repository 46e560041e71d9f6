// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Range refinement: a bound lost through modulo. i = x % 13 is in [0,12]. The
 * 6.12 verifier has no range tracking for BPF_MOD/BPF_DIV and marks the result
 * unknown (range tracking for div/mod was added to later kernels).
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

// truth: mod_index safe stock=rejected x % 13 is in [0,12]; the 6.12 verifier does not track BPF_MOD and marks the result unknown (later kernels may)
SEC("tc")
int mod_index(void *ctx)
{
	__u32 key = bpf_get_prandom_u32() & 3;
	struct val *v;
	__u64 x, i, t;

	v = bpf_map_lookup_elem(&vals, &key);
	if (!v)
		return 0;
	x = v->x;
	/*
	 * Plain C: BPF has no multiply-high, so every clang keeps the BPF_MOD
	 * instruction (clang 13/14 cannot assemble "%=" in inline asm).
	 */
	barrier_var(x);
	i = x % 13;
	t = 0;
	barrier_var(i);
	v->data[i] += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
