// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a zero-extended MOV64 immediate. 'r7 = -8' is 0xfffffffffffffff8, so x + r7 <=
 * 0xffffffff holds for x in [8, 0x100000007]; with 0xfffffff8 it would hold only for x <= 7.
 *
 * Unsafe: x = 8 indexes with 8.
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

// truth: mov64_imm_sext_unsafe unsafe stock=rejected r7 = -8 is sign-extended: the gate passes x >= 8
SEC("tc")
__attribute__((naked)) int mov64_imm_sext_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r7 = -8;"
		"r7 += r6;"
		"r8 = 0xffffffff ll;"
		"if r7 > r8 goto l_out_%=;"
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
