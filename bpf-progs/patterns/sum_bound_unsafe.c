// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of sum_bound_other_reg.c: the check is a + b <= 16, a = 0,
 * b = 16 reads one byte past the value.
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

// truth: sum_bound_unsafe unsafe stock=rejected twin of sum_bound_other_reg with a + b <= 16: a = 0, b = 16 reads past the value
SEC("xdp")
int sum_bound_unsafe(void *ctx)
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
		"%[x] &= 0xff;"
		"%[y] &= 0xff;"
		"r1 = %[x]; r1 += %[y];"
		"if r1 > 16 goto l_out_%=;"
		"%[p] += %[y];"
		"%[r] = *(u8 *)(%[p] + 16);"
		"l_out_%=:"
		: [r] "=&r"(r), [p] "+r"(v), [x] "+r"(x), [y] "+r"(y)
		:
		: "r1", "r2", "memory");
	return r & 1;
}

char LICENSE[] SEC("license") = "GPL";
