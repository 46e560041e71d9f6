// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a partial (4-byte) spill followed by an 8-byte fill. Only the low half of the slot
 * receives the checked value; the high half still holds the earlier random 64-bit store. A model
 * that treats a narrow spill as a whole-slot spill proves the index.
 *
 * Unsafe: the high half of the first store makes the index >= 2^32.
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

// truth: spill_u32_fill_u64_unsafe unsafe stock=rejected the u64 fill reads a stale high half
SEC("tc")
__attribute__((naked)) int spill_u32_fill_u64_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 <<= 32;"
		"call %[rnd];"
		"r6 |= r0;"
		"*(u64 *)(r10 - 16) = r6;"
		"call %[rnd];"
		"r7 = r0;"
		"r7 &= 7;"
		"*(u32 *)(r10 - 16) = r7;"
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
