// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: ALU64 bswap16 (v4) that keeps the upper 48 bits. bswap16 clears them, so bswap16(x) == 0
 * holds for every x with a zero low half-word.
 *
 * Unsafe: x = 0x10000 indexes with 0x10000.
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

// truth: bswap16_upper_unsafe unsafe stock=rejected bswap16 clears bits 16..63: bswap16(0x10000) == 0
SEC("tc")
__attribute__((naked)) int bswap16_upper_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 <<= 32;"
		"call %[rnd];"
		"r6 |= r0;"
		"r7 = r6;"
		".quad 0x00000010000007d7;" /* r7 = bswap16 r7 */
		"if r7 != 0 goto l_out_%=;"
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
