// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: BPF_MEMSX (s32) from the stack: a u32 store of x >= 2^31 reloads as a negative 64-bit
 * value.
 *
 * Unsafe: x = 0x80000000.
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

// truth: ldsx32_stack_unsafe unsafe stock=rejected s32 reload of 0x80000000 is negative
SEC("tc")
__attribute__((naked)) int ldsx32_stack_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"*(u32 *)(r10 - 16) = r6;"
		".quad 0x00000000fff0a981;" /* r9 = *(s32 *)(r10 -16) */
		"if r9 s> 7 goto l_out_%=;"
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
