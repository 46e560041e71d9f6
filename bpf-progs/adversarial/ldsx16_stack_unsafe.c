// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: BPF_MEMSX (s16) from the stack, composed from stored bytes. A 16-bit store of x then an
 * s16 load gives a negative value for x >= 0x8000, which passes 's<= 7'.
 *
 * Unsafe: x = 0x8000 indexes with -32768.
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

// truth: ldsx16_stack_unsafe unsafe stock=rejected s16 reload of 0x8000 is -32768
SEC("tc")
__attribute__((naked)) int ldsx16_stack_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"*(u16 *)(r10 - 16) = r6;"
		".quad 0x00000000fff0a989;" /* r9 = *(s16 *)(r10 -16) */
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
