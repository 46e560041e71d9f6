// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: ALU32 modulo by zero. BPF: w % 0 = w, zero-extended (the verifier inserts 'w = w'). A
 * model that yields 0 (or keeps the upper 32 bits and then sees a huge value) is wrong either way;
 * the real index is the low 32 bits of a random 64-bit x.
 *
 * Unsafe: x = 8, y = 0.
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

// truth: alu32_mod_zero_unsafe unsafe stock=rejected w % 0 = zext(w): index = low 32 bits of x
SEC("tc")
__attribute__((naked)) int alu32_mod_zero_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 <<= 32;"
		"call %[rnd];"
		"r6 |= r0;"
		"call %[rnd];"
		"r8 = r0;"
		"r8 &= 1;"
		"if r8 != 0 goto l_out_%=;"
		"r9 = r6;"
		".quad 0x000000000000899c;" /* w9 %= w8 */
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
