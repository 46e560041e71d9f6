// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: JSET (64-bit, raw: clang 14 cannot assemble it) read on the low byte only. 'x & 0xf8 ==
 * 0' does not bound x: bits 8..63 are free.
 *
 * Unsafe: x = 0x100 indexes with 256.
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

// truth: jmp_jset_unsafe unsafe stock=rejected x & 0xf8 == 0 leaves bits 8..63 free
SEC("tc")
__attribute__((naked)) int jmp_jset_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r9 = r0;"
		"r9 <<= 32;"
		"call %[rnd];"
		"r9 |= r0;"
		".quad 0x000000f800010945;" /* if r9 & 0xf8 goto +1 */
		"goto l_in_%=;"
		"goto l_out_%=;"
		"l_in_%=:"
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
