// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of sorted_diff_index.c: the check is start <= end, and
 * start == end gives end - start - 1 = -1, one byte before the map value.
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

// truth: sorted_diff_unsafe unsafe stock=rejected twin of sorted_diff_index with start <= end: start == end gives index -1, before the value
SEC("xdp")
int sorted_diff_unsafe(void *ctx)
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
		"if %[y] > 16 goto l_out_%=;"
		"if %[x] > %[y] goto l_out_%=;"
		"r1 = %[y]; r1 -= %[x]; r1 -= 1;"
		"%[p] += r1;"
		"%[r] = *(u8 *)(%[p] + 0);"
		"l_out_%=:"
		: [r] "=&r"(r), [p] "+r"(v), [x] "+r"(x), [y] "+r"(y)
		:
		: "r1", "r2", "memory");
	return r & 1;
}

char LICENSE[] SEC("license") = "GPL";
