// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: the immediate of a JMP32 compare. 'w6 != -1' compares with 0xffffffff in 32 bits, so x =
 * 0xffffffff (a u32) takes the fall-through; sign-extending the immediate to 64 bits and comparing
 * the zero-extended x would make the fall-through impossible.
 *
 * Unsafe: x = 0xffffffff indexes with x >> 28 = 15.
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

// truth: jmp32_imm_unsafe unsafe stock=rejected w(x) == -1 for x = 0xffffffff: index 15
SEC("tc")
__attribute__((naked)) int jmp32_imm_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"if w6 != -1 goto l_out_%=;"
		"r9 = r6;"
		"r9 >>= 28;"
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
