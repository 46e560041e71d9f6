// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: ALU32 MUL computed in 64 bits. w7 = x * 0x10000 truncated to 32 bits is 0 whenever the
 * low 16 bits of x are 0; a 64-bit product is 0 only for x = 0.
 *
 * Unsafe: x = 0x10000 passes 'w7 == 0' and indexes the map value with 0x10000.
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

// truth: alu32_mul_trunc_unsafe unsafe stock=rejected w6 * 0x10000 truncates to 0 for x = 0x10000
SEC("tc")
__attribute__((naked)) int alu32_mul_trunc_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"w7 = w6;"
		"w7 *= 0x10000;"
		"if w7 != 0 goto l_out_%=;"
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
