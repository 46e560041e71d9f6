// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: ALU32 division by zero. BPF: w / 0 = 0; SMT-LIB: 0xffffffff. w9 = x / y + 8 (32-bit
 * add): the SMT value would wrap to 7, the real one is 8.
 *
 * Unsafe: y = 0 reads byte 8 of the 8-byte value.
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

// truth: alu32_div_zero_unsafe unsafe stock=rejected w / 0 = 0, so w9 = 8
SEC("tc")
__attribute__((naked)) int alu32_div_zero_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"call %[rnd];"
		"r8 = r0;"
		"r8 &= 1;"
		"if r8 != 0 goto l_out_%=;"
		"w9 = w6;"
		"w9 /= w8;"
		"w9 += 8;"
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
