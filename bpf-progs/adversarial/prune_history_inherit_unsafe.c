// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: the requirements a path takes on when it is pruned by matching history (0017).
 * Paths A and A' run the same instructions from the split on: they bound the low half of
 * w5 = w6 + 4008 through a masked copy, then index a 64-byte value with r5 & 0xffff after
 * the join J. A' keeps a stack pointer in r3 where A keeps a scalar, so at J it gets a
 * checkpoint of its own; r3 dies after J, and A' is pruned by A's checkpoints behind J, whose
 * refinement relied on instructions before J that A' ran too. Path B bounds w6 itself (so
 * r5 & 0xffff is in [4008, 4064]), keeps the pointer in r3 like A', and meets A''s checkpoint
 * at J with the same abstract state. That checkpoint has no refinement of its own below it:
 * only what A''s pruning relied on (the instructions before J) keeps B from being pruned there.
 *
 * The paths are chosen by bits 16 and 17 of the random value, which no path's bound
 * constrains (until 2026-12-07 by bits of its upper half, which bpf_get_prandom_u32() never
 * sets: path B could not run, and 0023, which knows that, loaded the program).
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

// truth: prune_history_inherit_unsafe unsafe stock=rejected path B bounds w6, not the low half of w6 + 4008, and reads at offset 4008 or more
SEC("tc")
__attribute__((naked)) int prune_history_inherit_unsafe(void *ctx)
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
		"r9 = 0;"
		"r1 = r8;"
		"r1 &= 2;"
		"if r1 != 0 goto l_p_%=;"
		/* path A: r3 is a scalar, and path B is not taken */
		"r3 = 0;"
		"r8 = 0;"
		"goto l_q_%=;"
		"l_p_%=:"
		/* paths A' and B: r3 is a pointer */
		"r3 = r10;"
		"l_q_%=:"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r1 = r8;"
		"r1 &= 1;"
		"if r1 != 0 goto l_b_%=;"
		"w5 = w6;"
		"w5 += 4008;"
		"w2 = w5;"
		"w2 &= 0xffff;"
		"if w2 > 64 goto l_out_%=;"
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
		"if w2 > 64 goto l_out_%=;"
		"if r9 == 0 goto l_out_%=;"
		"if r9 == 1 goto l_out_%=;"
		"if r9 == 2 goto l_out_%=;"
		"l_join_%=:"
		"r0 = r3;"
		"r3 = 0;"
		"r9 += 1;"
		"if r9 == 0 goto l_out_%=;"
		"r9 += 1;"
		"if r9 == 0 goto l_out_%=;"
		"r9 += 1;"
		"if r9 == 0 goto l_out_%=;"
		"r9 += 1;"
		"if r9 == 0 goto l_out_%=;"
		"r9 += 1;"
		"if r9 == 0 goto l_out_%=;"
		"r9 += 1;"
		"if r9 == 0 goto l_out_%=;"
		"r5 &= 0xffff;"
		"r1 = r7;"
		"r2 = r5;"
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
