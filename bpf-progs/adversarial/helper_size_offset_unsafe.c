// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: helper size refinement (0012) with the pointer at a constant offset. The length is
 * checked to be at most 64 in another register and handed to bpf_csum_diff with a pointer 8 bytes
 * into the 64-byte value: the room is 56, not the value's size.
 *
 * Unsafe: a length of 57..64 reads past the value.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[8]);
} vals SEC(".maps");

// truth: helper_size_offset_unsafe unsafe stock=rejected lengths up to 64 from 8 bytes into a 64-byte value
SEC("tc")
__attribute__((naked)) int helper_size_offset_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"w6 += 8;"
		"w2 = w6;"
		"w2 &= 0xffff;"
		"if w2 > 64 goto l_out_%=;"
		"r7 = r6;"
		"r7 &= 0xffff;"
		"r1 = r0;"
		"r1 += 8;"
		"r2 = r7;"
		"r3 = 0;"
		"r4 = 0;"
		"r5 = 0;"
		"call %[csum_diff];"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [csum_diff] "i"(BPF_FUNC_csum_diff),
		  [vals] "i"(&vals)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
