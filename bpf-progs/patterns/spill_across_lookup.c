// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Range refinement through stack slots across a helper call: two masked copies of one random
 * value, x & 0xff and x & 0xf0, are spilled, a map lookup runs, both are filled again and their
 * difference (x & 0x0f, in [0,15]) indexes a 16-byte map value. The verifier keeps each slot's
 * interval across the lookup but not their relation ([0,255] - [0,240]); the proof needs the
 * slots' contents to survive bpf_map_lookup_elem(), which only reads its key.
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

// truth: spill_across_lookup safe stock=rejected (x&0xff)-(x&0xf0) filled from two slots spilled before a map lookup is x&0x0f; intervals give [-240,255]
SEC("xdp")
__attribute__((naked)) int spill_across_lookup(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r1 = r0;"
		"r1 &= 0xff;"
		"*(u64 *)(r10 - 16) = r1;"
		"r1 = r0;"
		"r1 &= 0xf0;"
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
