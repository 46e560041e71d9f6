// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of upper32_check.c: the copy is shifted by 33, bit 32 of x is
 * never checked, x = (1 << 32) + i passes and is far out of bounds.
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

// truth: upper32_unsafe unsafe stock=rejected twin of upper32_check that checks x >> 33: x = 1<<32 | i passes both checks and is far out of bounds
SEC("tc")
int upper32_unsafe(void *ctx)
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
		"r1 = %[x];"
		"r2 = r1; r2 >>= 33;"
		"if r2 != 0 goto l_out_%=;"
		"if w1 > 15 goto l_out_%=;"
		"%[p] += r1;"
		"%[r] = *(u8 *)(%[p] + 16);"
		"l_out_%=:"
		: [r] "=&r"(r), [p] "+r"(v), [x] "+r"(x), [y] "+r"(y)
		:
		: "r1", "r2", "memory");
	return r & 1;
}

char LICENSE[] SEC("license") = "GPL";
