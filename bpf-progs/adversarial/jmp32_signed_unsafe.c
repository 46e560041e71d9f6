// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: signed JMP32 vs JMP64. 'x s<= 7' (64) and 'w s>= 0' (32) both hold for x =
 * 0x8000000000000005, a negative 64-bit index. Reading the JMP32 as a 64-bit compare leaves [0,
 * 7].
 *
 * Unsafe: x = 0x8000000000000005.
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

// truth: jmp32_signed_unsafe unsafe stock=rejected x s<= 7 and w(x) s>= 0 leave negative 64-bit x
SEC("tc")
__attribute__((naked)) int jmp32_signed_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r9 = r0;"
		"r9 <<= 32;"
		"call %[rnd];"
		"r9 |= r0;"
		"if r9 s> 7 goto l_out_%=;"
		"if w9 s< 0 goto l_out_%=;"
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
