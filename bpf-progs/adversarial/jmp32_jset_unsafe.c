// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: JMP32 JSET taken as a 64-bit test. 'w & 0xfffffff8 == 0' bounds only the low half of x.
 * (JMP32 JSET is a raw instruction: clang 14 cannot assemble it. 'if w6 & K goto +1' skips the
 * goto that continues.)
 *
 * Unsafe: x = 0x100000000 indexes with 2^32.
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

// truth: jmp32_jset_unsafe unsafe stock=rejected 32-bit JSET bounds only the low half
SEC("tc")
__attribute__((naked)) int jmp32_jset_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r9 = r0;"
		"r9 <<= 32;"
		"call %[rnd];"
		"r9 |= r0;"
		".quad 0xfffffff800010946;" /* if w9 & 0xfffffff8 goto +1 */
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
