// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: JMP32 compared on 64 bits. 'if w9 > 7' bounds the low half; the index is the 64-bit
 * register.
 *
 * Unsafe: x = 0x100000003.
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

// truth: jmp32_vs_jmp64_unsafe unsafe stock=rejected w9 <= 7 does not bound r9
SEC("tc")
__attribute__((naked)) int jmp32_vs_jmp64_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r9 = r0;"
		"r9 <<= 32;"
		"call %[rnd];"
		"r9 |= r0;"
		"if w9 > 7 goto l_out_%=;"
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
