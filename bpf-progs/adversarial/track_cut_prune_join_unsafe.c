// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: pruning at a checkpoint inside a shortened suffix (0011). Path A: r5 = NULL only when
 * flag != 6, joins, dereferences only when flag == 6 -- infeasible within the last 32
 * instructions, so its short condition is proved. Path B: r5 = NULL whatever the flag, joins with
 * the same abstract state (r5 = 0, flag in [0, 255]; the selector is dead). Pruned at the join,
 * B would inherit A's refinement.
 *
 * Unsafe: path B with flag == 6 dereferences NULL.
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

// truth: track_cut_prune_join_unsafe unsafe stock=rejected path B sets the pointer NULL whatever the flag and dereferences it when flag == 6
SEC("tc")
__attribute__((naked)) int track_cut_prune_join_unsafe(void *ctx)
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
		"r4 = r6;"
		"r4 &= 0xff;"
		"r8 = r6;"
		"r8 >>= 8;"
		"r8 &= 1;"
		"r9 = 0;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"if r8 != 0 goto l_b_%=;"
		"r5 = r7;"
		"if w4 == 6 goto l_join_%=;"
		"r5 = 0;"
		"goto l_join_%=;"
		"l_b_%=:"
		"r5 = 0;"
		"l_join_%=:"
		"r9 += 1;"
		"if w4 != 6 goto l_out_%=;"
		"r0 = *(u8 *)(r5 + 0);"
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
