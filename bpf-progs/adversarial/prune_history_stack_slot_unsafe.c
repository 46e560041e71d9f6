// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: pruning by matching history (0017) where the instructions are the same and only the
 * stack slot an instruction writes differs. Paths A and B set r2 to fp-16 and fp-24 before a
 * long common stretch, then run the same instructions: store w5 = w6 + 4008 through r2, bound
 * the low half of w5 through a masked copy, and later hand the low half of what fp-16 holds to
 * bpf_csum_diff as the size of a read from a 64-byte value. On A that is w5 (safe); on B the
 * store went to fp-24 and fp-16 still holds an unbounded u32. At the checkpoints after the store
 * both states agree (r2 dead, the slots unknown u32 scalars), and the two paths' last
 * instruction indices are equal: only the history flags of the store (frame and slot of a stack
 * access) tell them apart.
 *
 * The paths are chosen by bit 16 of the random value, which no path's bound constrains (until
 * 2026-12-07 by bits of its upper half, which bpf_get_prandom_u32() never sets: path B could
 * not run, and 0023, which knows that, loaded the program).
 *
 * Unsafe: path B hands bpf_csum_diff up to 0xffff bytes of a 64-byte map value.
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

// truth: prune_history_stack_slot_unsafe unsafe stock=rejected path B stores the bounded value to fp-24 and sizes a helper's read with the unbounded one in fp-16
SEC("tc")
__attribute__((naked)) int prune_history_stack_slot_unsafe(void *ctx)
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
		"w1 = w6;"
		"w1 ^= 0x5a5a;"
		"*(u64 *)(r10 - 16) = r1;"
		"r1 = 0;"
		"*(u64 *)(r10 - 24) = r1;"
		"r8 = r6;"
		"r8 >>= 16;"
		"r8 &= 1;"
		"r9 = 0;"
		"if r8 != 0 goto l_b_%=;"
		/* path A: the store below goes to fp-16 */
		"r2 = r10;"
		"r2 += -16;"
		"goto l_common_%=;"
		"l_b_%=:"
		/* path B: to fp-24 */
		"r2 = r10;"
		"r2 += -24;"
		"l_common_%=:"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"w5 = w6;"
		"w5 += 4008;"
		"*(u64 *)(r2 + 0) = r5;"
		"r2 = 0;"
		"w3 = w5;"
		"w3 &= 0xffff;"
		"if w3 > 64 goto l_out_%=;"
		"r5 = 0;"
		"if r9 == 0 goto l_out_%=;"
		"if r9 == 1 goto l_out_%=;"
		"if r9 == 2 goto l_out_%=;"
		"if r9 == 3 goto l_out_%=;"
		"r9 += 1;"
		"if r9 == 0 goto l_out_%=;"
		"r9 += 1;"
		"if r9 == 0 goto l_out_%=;"
		"r9 += 1;"
		"if r9 == 0 goto l_out_%=;"
		"r4 = *(u64 *)(r10 - 16);"
		"r4 &= 0xffff;"
		"r1 = r7;"
		"r2 = r4;"
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
