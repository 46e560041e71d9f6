// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of late_bound_other_reg.c: the index check is i <= len, so
 * i == len == 16 reads data[16], one byte past the end of the value.
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

// truth: late_bound_unsafe unsafe stock=rejected twin of late_bound_other_reg with i <= len: i = len = 16 reads one byte past the value
SEC("xdp")
int late_bound_unsafe(void *ctx)
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
		"%[y] &= 0xff;"
		"if %[x] > %[y] goto l_out_%=;"
		"if %[y] > 16 goto l_out_%=;"
		"%[p] += %[x];"
		"%[r] = *(u8 *)(%[p] + 16);"
		"l_out_%=:"
		: [r] "=&r"(r), [p] "+r"(v), [x] "+r"(x), [y] "+r"(y)
		:
		: "r1", "r2", "memory");
	return r & 1;
}

char LICENSE[] SEC("license") = "GPL";
