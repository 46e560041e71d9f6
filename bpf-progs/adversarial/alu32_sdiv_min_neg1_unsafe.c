// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: ALU32 signed division 0x80000000 s/ -1 = 0x80000000 (zero-extended). A saturating model
 * gives 0x7fffffff and (q >> 28) = 7; the real value gives 8.
 *
 * Unsafe: always reads byte 8 of the 8-byte value.
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

// truth: alu32_sdiv_min_neg1_unsafe unsafe stock=rejected INT_MIN s/ -1 = INT_MIN in 32 bits: (q >> 28) = 8
SEC("tc")
__attribute__((naked)) int alu32_sdiv_min_neg1_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"w9 = -2147483648;"
		"w8 = w6;"
		"w8 |= -1;"
		".quad 0x000000000001893c;" /* w9 s/= w8 */
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
