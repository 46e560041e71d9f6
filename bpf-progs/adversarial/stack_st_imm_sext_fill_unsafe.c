// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: the sign extension of a BPF_ST immediate on the stack. *(u64 *)(r10 - 8) = -8 stores
 * 0xfffffffffffffff8; the u32 at fp-4 is the high half, 0xffffffff (a model that zero-extends the
 * immediate reads 0). The verifier fills an unknown scalar (unaligned narrow fill of a spilled
 * constant). Unsafe: index 0xffffffff - 0xffffffff & 3.
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

// truth: stack_st_imm_sext_fill_unsafe unsafe stock=rejected the high half of the sign-extended immediate -8 is 0xffffffff
SEC("tc")
__attribute__((naked)) int stack_st_imm_sext_fill_unsafe(void *ctx)
{
	asm volatile(
		"r1 = 0;"
		"*(u32 *)(r10 - 12) = r1;"
		"*(u64 *)(r10 - 8) = -8;"
		"r8 = *(u32 *)(r10 - 4);"
		"r7 = r8;"
		"r7 &= 3;"
		"r8 -= r7;"
		"r1 = 0;"
		"*(u32 *)(r10 - 12) = r1;"
		"r2 = r10;"
		"r2 += -12;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r0 += r8;"
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
