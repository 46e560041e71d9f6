// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: byte order of stack slots. A 64-bit store of x, then a u32 load at fp-12 reads the HIGH
 * half (little endian). The gate checks that half; the index is the low half.
 *
 * Unsafe: x = 8 (high half 0) indexes with 8.
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

// truth: stack_endian_unsafe unsafe stock=rejected the u32 at fp-12 is the high half: the low half is unchecked
SEC("tc")
__attribute__((naked)) int stack_endian_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 <<= 32;"
		"call %[rnd];"
		"r6 |= r0;"
		"*(u64 *)(r10 - 16) = r6;"
		"r7 = *(u32 *)(r10 - 12);"
		"if r7 != 0 goto l_out_%=;"
		"r9 = *(u64 *)(r10 - 16);"
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
