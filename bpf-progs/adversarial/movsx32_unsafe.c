// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: MOVSX (s32) treated as MOV32: (s32)0x80000000 is negative in 64 bits.
 *
 * Unsafe: x = 0x80000000 indexes with -2^31.
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

// truth: movsx32_unsafe unsafe stock=rejected (s32)x is negative for x >= 2^31
SEC("tc")
__attribute__((naked)) int movsx32_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		".quad 0x00000000002069bf;" /* r9 = (s32)r6 */
		"if r9 s> 7 goto l_out_%=;"
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
