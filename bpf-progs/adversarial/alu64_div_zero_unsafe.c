// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: division by zero with SMT-LIB semantics (x / 0 = all ones). BPF defines x / 0 = 0 (the
 * verifier patches a check before every DIV by a register). index = x / y + 8 with y = 0 on the
 * path: all ones + 8 would wrap to 7 (in bounds), the real value is 8.
 *
 * Unsafe: any x, y = 0: the one-byte load reads byte 8 of the 8-byte value.
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

// truth: alu64_div_zero_unsafe unsafe stock=rejected x / 0 is 0 in BPF, so the index is 8 (SMT-LIB udiv would give 7)
SEC("tc")
__attribute__((naked)) int alu64_div_zero_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"call %[rnd];"
		"r8 = r0;"
		"r8 &= 1;"
		"if r8 != 0 goto l_out_%=;"
		"r9 = r6;"
		"r9 /= r8;"
		"r9 += 8;"
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
