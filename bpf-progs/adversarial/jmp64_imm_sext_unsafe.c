// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: the immediate of a JMP64 compare is sign-extended: 'r6 != -1' tests all ones. A
 * zero-extended immediate (0xffffffff) would make the index x >> 60 = 0.
 *
 * Unsafe: x = -1 indexes with 15.
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

// truth: jmp64_imm_sext_unsafe unsafe stock=rejected x == -1 (sign-extended imm): index 15
SEC("tc")
__attribute__((naked)) int jmp64_imm_sext_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 <<= 32;"
		"call %[rnd];"
		"r6 |= r0;"
		"if r6 != -1 goto l_out_%=;"
		"r9 = r6;"
		"r9 >>= 60;"
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
