// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Twin of spill_across_lookup: the second copy is x & 0xe0, so the difference of the two filled
 * slots is x & 0x1f and reaches past the 16-byte value. A model that keeps the slots across the
 * lookup must still find that.
 *
 * Written as a naked function: the instruction stream is identical for every compiler and
 * optimisation level.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[16]);
} vals SEC(".maps");

// truth: spill_across_lookup_unsafe unsafe stock=rejected (x&0xff)-(x&0xe0) is x&0x1f, up to 31 into 16 bytes
SEC("xdp")
__attribute__((naked)) int spill_across_lookup_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r1 = r0;"
		"r1 &= 0xff;"
		"*(u64 *)(r10 - 16) = r1;"
		"r1 = r0;"
		"r1 &= 0xe0;"
		"*(u64 *)(r10 - 24) = r1;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r1 = *(u64 *)(r10 - 16);"
		"r2 = *(u64 *)(r10 - 24);"
		"r1 -= r2;"
		"r0 += r1;"
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
