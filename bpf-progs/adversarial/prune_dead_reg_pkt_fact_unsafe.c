// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a fact held only in a register the verifier never reads again. On the even-x path r7 =
 * data has range 64 (L >= 64 checked), on the odd-x path no check; r7 is dead after the join.
 * After bpf_xdp_adjust_head(ctx, 14) the new data[36..40) is read. Facts taken from r7 at the
 * helper (the model reads r6-r9 there) or a shared length variable would prove the even path, and
 * pruning (r7 not live) could carry that to the odd path.
 *
 * Unsafe: odd x with L = 20: the read is past data_end (and L = 64 on the even path leaves 50
 * bytes, fine there).
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: prune_dead_reg_pkt_fact_unsafe unsafe stock=rejected the unchecked path reads data[36..40) after adjust_head
SEC("xdp")
__attribute__((naked)) int prune_dead_reg_pkt_fact_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"call %[rnd];"
		"r8 = r0;"
		"r2 = *(u32 *)(r6 + 0);"
		"r3 = *(u32 *)(r6 + 4);"
		"r7 = r2;"
		"r5 = r8;"
		"r5 &= 1;"
		"if r5 != 0 goto l_join_%=;"
		"r4 = r2;"
		"r4 += 64;"
		"if r4 > r3 goto l_out_%=;"
		"l_join_%=:"
		"r1 = r6;"
		"r2 = 14;"
		"call %[adjust_head];"
		"if r0 != 0 goto l_out_%=;"
		"r2 = *(u32 *)(r6 + 0);"
		"r0 = *(u32 *)(r2 + 36);"
		"l_out_%=:"
		"r0 = 2;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [adjust_head] "i"(BPF_FUNC_xdp_adjust_head)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
