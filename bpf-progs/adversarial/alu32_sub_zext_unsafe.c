// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: ALU32 results sign-extended instead of zero-extended. w9 = 7 - (x & 0xff) in 32 bits; a
 * model that sign-extends thinks the negative results are filtered by 'if r9 s< 0 goto out' and
 * the rest is in [0, 7]. Zero-extended, 7 - 8 is 0xffffffff, a positive 64-bit value that passes
 * the filter.
 *
 * Unsafe: x = 8 indexes the map value with 0xffffffff.
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

// truth: alu32_sub_zext_unsafe unsafe stock=rejected w9 = 7 - x zero-extends to 0xffffffff, which passes the signed filter
SEC("tc")
__attribute__((naked)) int alu32_sub_zext_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 &= 0xff;"
		"w9 = 7;"
		"w9 -= w6;"
		"if r9 s< 0 goto l_out_%=;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r0 += r9;"
		"r1 = *(u8 *)(r0 + 0);"
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
