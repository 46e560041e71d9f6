// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: reading 'x & m <= 7' as a bound on x. m = 0xffffffff00000007 (64-bit constant): x & m <=
 * 7 holds for every x whose bits 3..31 are arbitrary and bits 32..63 zero.
 *
 * Unsafe: x = 8 gives x & m = 0 and indexes the value with 8.
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

// truth: alu64_and_mask_unsafe unsafe stock=rejected x & 0xffffffff00000007 <= 7 does not bound x (x = 8)
SEC("tc")
__attribute__((naked)) int alu64_and_mask_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 <<= 32;"
		"call %[rnd];"
		"r6 |= r0;"
		"r7 = 0xffffffff00000007 ll;"
		"r7 &= r6;"
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
