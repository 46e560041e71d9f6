// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a byte store into a spilled scalar. The slot holds x & 7 (spilled), then byte 1 is
 * overwritten with a random byte; the 8-byte fill is (r << 8) | (x & 7).
 *
 * Unsafe: r = 1 gives index 256 + (x & 7).
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

// truth: spill_byte_overwrite_unsafe unsafe stock=rejected byte 1 of the spilled bound is overwritten
SEC("tc")
__attribute__((naked)) int spill_byte_overwrite_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 &= 7;"
		"*(u64 *)(r10 - 16) = r6;"
		"call %[rnd];"
		"r7 = r0;"
		"*(u8 *)(r10 - 15) = r7;"
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
