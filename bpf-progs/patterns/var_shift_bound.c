// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Range refinement: a bound lost through a shift by a variable amount.
 * i = 0xff >> (x & 7) is at most 255, and data has 256 bytes. The verifier
 * only tracks shifts by constants; a variable shift marks the result unknown.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct val {
	__u64 x;
	__u64 y;
	__u8 data[256];		/* value_size 272, data at offset 16 */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct val);
} vals SEC(".maps");

// truth: var_shift_bound safe stock=rejected 0xff >> (x & 7) <= 255; shifts by a non-constant amount make the result unknown
SEC("xdp")
int var_shift_bound(void *ctx)
{
	__u32 key = bpf_get_prandom_u32() & 3;
	struct val *v;
	__u64 x, y, r;

	v = bpf_map_lookup_elem(&vals, &key);
	if (!v)
		return 0;
	x = v->x;
	y = v->y;
	/* checks and access in inline asm: every compiler emits them as written */
	asm volatile(
		"%[r] = 0;"
		"r1 = %[x]; r1 &= 7;"
		"r2 = 0xff; r2 >>= r1;"
		"%[p] += r2;"
		"%[r] = *(u8 *)(%[p] + 16);"
		"l_out_%=:"
		: [r] "=&r"(r), [p] "+r"(v), [x] "+r"(x), [y] "+r"(y)
		:
		: "r1", "r2", "memory");
	return r & 1;
}

char LICENSE[] SEC("license") = "GPL";
