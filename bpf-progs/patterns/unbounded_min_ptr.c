// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Range refinement on pointer arithmetic: i = (x | 0xf) - x is x's low nibble
 * complemented, in [0,15]. The verifier computes the difference of two
 * unbounded values, and the program's only check is a signed upper bound, so
 * i's smin stays S64_MIN and the pointer addition itself is refused.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct val {
	__u8 data[16];		/* value_size 32, data at offset 0 */
	__u64 x;
	__u64 y;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct val);
} vals SEC(".maps");

// truth: unbounded_min_ptr safe stock=rejected (x|0xf) - x is in [0,15]; only a signed upper bound is checked, smin stays S64_MIN: math between map_value pointer and register with unbounded min value
SEC("tc")
int unbounded_min_ptr(void *ctx)
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
		"r1 = %[x]; r1 |= 0xf;"
		"r1 -= %[x];"
		"if r1 s> 15 goto l_out_%=;"
		"%[p] += r1;"
		"%[r] = *(u8 *)(%[p] + 0);"
		"l_out_%=:"
		: [r] "=&r"(r), [p] "+r"(v), [x] "+r"(x), [y] "+r"(y)
		:
		: "r1", "r2", "memory");
	return r & 1;
}

char LICENSE[] SEC("license") = "GPL";
