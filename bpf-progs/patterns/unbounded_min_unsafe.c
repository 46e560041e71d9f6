// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of unbounded_min_ptr.c: i = (x | 0xf) - x - 1 is -1 whenever
 * the low nibble of x is 0xf, one byte before the map value.
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

// truth: unbounded_min_unsafe unsafe stock=rejected twin of unbounded_min_ptr: (x|0xf) - x - 1 is -1 when x's low nibble is 0xf, one byte before the value
SEC("tc")
int unbounded_min_unsafe(void *ctx)
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
		"r1 -= %[x]; r1 -= 1;"
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
