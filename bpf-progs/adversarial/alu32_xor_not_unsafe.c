// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: ALU32 XOR with imm -1 (bitwise not of the low half, zero-extended). w7 = ~w6 <= 7 means
 * the low half of x is >= 0xfffffff8; the index is x itself. A model sign-extending imm and
 * keeping 64 bits would read ~x <= 7 as x >= 2^64 - 8.
 *
 * Unsafe: x = 0xfffffff8 indexes with 0xfffffff8.
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

// truth: alu32_xor_not_unsafe unsafe stock=rejected ~w6 <= 7 means x >= 0xfffffff8: index far past the value
SEC("tc")
__attribute__((naked)) int alu32_xor_not_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 <<= 32;"
		"call %[rnd];"
		"r6 |= r0;"
		"w7 = w6;"
		"w7 ^= -1;"
		"if r7 > 7 goto l_out_%=;"
		"r9 = r6;"
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
