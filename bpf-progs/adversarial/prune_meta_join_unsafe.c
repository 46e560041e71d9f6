// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: path refinement at a join where the dropped path is the only one taken at run time,
 * decided by a 32-bit vs 64-bit confusion: the NULL path needs x > 7 (64-bit) and w(x) <= 7
 * (32-bit), which x = 2^32 satisfies. A model that compares JMP32 on 64 bits drops the NULL path.
 *
 * Unsafe: x = 2^32 dereferences NULL at the shared load.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

// truth: prune_meta_join_unsafe unsafe stock=rejected x = 2^32: x > 7 but w(x) <= 7, r7 = NULL at the shared load
SEC("xdp")
__attribute__((naked)) int prune_meta_join_unsafe(void *ctx)
{
	asm volatile(
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r7 = r0;"
		"call %[rnd];"
		"r6 = r0;"
		"r6 <<= 32;"
		"call %[rnd];"
		"r6 |= r0;"
		"if r6 > 7 goto l_null_%=;"
		"goto l_join_%=;"
		"l_null_%=:"
		"r7 = 0;"
		"l_join_%=:"
		"if w6 > 7 goto l_out_%=;"
		"r1 = *(u64 *)(r7 + 0);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [vals] "i"(&vals)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
