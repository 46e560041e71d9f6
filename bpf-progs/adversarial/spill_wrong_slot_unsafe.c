// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: slot indexing. The bound is spilled to fp-16, the fill reads fp-24, which holds a random
 * value.
 *
 * Unsafe: the fp-24 value is the index.
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

// truth: spill_wrong_slot_unsafe unsafe stock=rejected the fill reads a different slot
SEC("tc")
__attribute__((naked)) int spill_wrong_slot_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 <<= 32;"
		"call %[rnd];"
		"r6 |= r0;"
		"*(u64 *)(r10 - 24) = r6;"
		"call %[rnd];"
		"r7 = r0;"
		"r7 &= 7;"
		"*(u64 *)(r10 - 16) = r7;"
		"r9 = *(u64 *)(r10 - 24);"
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
