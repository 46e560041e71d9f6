// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: OR. For x in [0, 255], (x | 0xf) - (x & 0xf0) is exactly 15; index = that - 7 = 8.
 * Interval arithmetic gives [-232, 248]; a model treating OR as XOR or ADD gets other values; only
 * the exact semantics says 8.
 *
 * Unsafe: every x reads byte 8 of the 8-byte value.
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

// truth: alu64_or_relation_unsafe unsafe stock=rejected (x | 0xf) - (x & 0xf0) - 7 = 8 for all x
SEC("tc")
__attribute__((naked)) int alu64_or_relation_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 &= 0xff;"
		"r9 = r6;"
		"r9 |= 0xf;"
		"r7 = r6;"
		"r7 &= 0xf0;"
		"r9 -= r7;"
		"r9 += -7;"
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
