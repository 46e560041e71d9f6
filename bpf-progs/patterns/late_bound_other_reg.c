// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Range refinement: a bound held in a different register. The index i is
 * checked against a length len (i < len), and only afterwards len is checked
 * against the buffer size (len <= 16). i < len <= 16 makes i <= 15, but the
 * verifier only compares i with len's bound at the time of the first check
 * ([0,255]) and keeps no relation between the two registers.
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

// truth: late_bound_other_reg safe stock=rejected i < len is checked before len <= 16 is learnt; no relation tracking carries the later bound of len over to i
SEC("xdp")
int late_bound_other_reg(void *ctx)
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
		"%[y] &= 0xff;"                /* len */
		"if %[x] >= %[y] goto l_out_%=;" /* i < len */
		"if %[y] > 16 goto l_out_%=;"    /* len <= 16 */
		"%[p] += %[x];"
		"%[r] = *(u8 *)(%[p] + 16);"
		"l_out_%=:"
		: [r] "=&r"(r), [p] "+r"(v), [x] "+r"(x), [y] "+r"(y)
		:
		: "r1", "r2", "memory");
	return r & 1;
}

char LICENSE[] SEC("license") = "GPL";
