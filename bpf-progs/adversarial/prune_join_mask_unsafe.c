// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a refinement after a join. One path arrives with mask 7, the other with mask 15; after a
 * checkpoint both index the map with prandom & mask. Pruning the second path against a state
 * refined on the first (mask not compared precisely) would accept it.
 *
 * Unsafe: the odd-x path uses mask 15: index up to 15.
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

// truth: prune_join_mask_unsafe unsafe stock=rejected one incoming path masks with 15
SEC("tc")
__attribute__((naked)) int prune_join_mask_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r8 = 7;"
		"r7 = r6;"
		"r7 &= 1;"
		"if r7 != 0 goto l_b_%=;"
		"goto l_join_%=;"
		"l_b_%=:"
		"r8 = 15;"
		"l_join_%=:"
		"r7 = r6;"
		"r7 >>= 1;"
		"if r7 == 1 goto l_pad_%=;"
		"l_pad_%=:"
		"call %[rnd];"
		"r9 = r0;"
		"r9 &= r8;"
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
