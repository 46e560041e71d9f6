// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: ALU32 ARSH results sign-extended to 64 bits. w9 = w6 s>> 31 is 0 or 0xffffffff;
 * zero-extended, 0xffffffff is positive and passes 'if r9 s< 0 goto out'. A sign-extending model
 * filters it out and proves the index in {0}.
 *
 * Unsafe: x >= 0x80000000 indexes with 0xffffffff.
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

// truth: alu32_arsh_zext_unsafe unsafe stock=rejected w6 s>> 31 zero-extends to 0xffffffff, which the signed filter keeps
SEC("tc")
__attribute__((naked)) int alu32_arsh_zext_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"w9 = w6;"
		"w9 s>>= 31;"
		"if r9 s< 0 goto l_out_%=;"
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
