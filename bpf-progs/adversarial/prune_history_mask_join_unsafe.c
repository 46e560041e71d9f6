// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: pruning at a checkpoint inside a suffix that starts from nothing (0017). Path A
 * bounds the low half of w5 = w6 + 4008 through a masked copy (w2 = w5 & 0xffff <= 56), joins,
 * and indexes a 64-byte value with r5 & 0xffff: safe, but only through instructions before the
 * join, which the short suffix holds. Path B bounds w6 itself instead, so r5 & 0xffff is in
 * [4008, 4064]; at the join both states agree on every register the rest reads (r5 unknown, r2
 * dead, not precise). Pruned at the join without its own last instructions matching A's, B
 * would inherit A's refinement.
 *
 * The paths are chosen by bit 16 of the random value, which no path's bound constrains (until
 * 2026-12-07 by bits of its upper half, which bpf_get_prandom_u32() never sets: path B could
 * not run, and 0023, which knows that, loaded the program).
 *
 * Unsafe: path B reads 8 bytes at offset 4008 or more of a 64-byte map value.
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

// truth: prune_history_mask_join_unsafe unsafe stock=rejected path B bounds w6, not the low half of w6 + 4008, and reads at offset 4008 or more
SEC("tc")
__attribute__((naked)) int prune_history_mask_join_unsafe(void *ctx)
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
		"r7 = r0;"
		"r8 = r6;"
		"r8 >>= 16;"
		"r8 &= 1;"
		"r9 = 0;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"if r8 != 0 goto l_b_%=;"
		/* path A: the low half of w5 is bounded through a masked copy */
		"w5 = w6;"
		"w5 += 4008;"
		"w2 = w5;"
		"w2 &= 0xffff;"
		"if w2 > 56 goto l_out_%=;"
		"if r9 == 0 goto l_out_%=;"
		"if r9 == 1 goto l_out_%=;"
		"if r9 == 2 goto l_out_%=;"
		"goto l_join_%=;"
		"l_b_%=:"
		/* path B: w6 is bounded, the low half of w6 + 4008 is not */
		"w5 = w6;"
		"w5 += 4008;"
		"w2 = w6;"
		"w2 &= 0xffff;"
		"if w2 > 56 goto l_out_%=;"
		"if r9 == 0 goto l_out_%=;"
		"if r9 == 1 goto l_out_%=;"
		"if r9 == 2 goto l_out_%=;"
		"l_join_%=:"
		"r9 += 1;"
		"if r9 == 0 goto l_out_%=;"
		"r9 += 1;"
		"if r9 == 0 goto l_out_%=;"
		"r9 += 1;"
		"if r9 == 0 goto l_out_%=;"
		"r9 += 1;"
		"r9 += 1;"
		"r5 &= 0xffff;"
		"r1 = r7;"
		"r1 += r5;"
		"r0 = *(u64 *)(r1 + 0);"
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
