// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a narrow BPF_ST immediate (*(u8 *)(r10 - 16) = -1) into the low byte of a spilled
 * checked bound s & 7; the byte becomes 0xff. Unsafe: the refilled index is 0xff.
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

// truth: stack_st_narrow_imm_spill_unsafe unsafe stock=rejected the u8 immediate store sets the low byte of the spilled bound to 0xff
SEC("tc")
__attribute__((naked)) int stack_st_narrow_imm_spill_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r8 = r0;"
		"r8 &= 7;"
		"*(u64 *)(r10 - 16) = r8;"
		"*(u8 *)(r10 - 16) = -1;"
		"r8 = *(u64 *)(r10 - 16);"
		"r7 = r8;"
		"r7 &= 3;"
		"r8 -= r7;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
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
