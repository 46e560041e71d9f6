// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: as pkt_xdp_adjust_head_stale_unsafe with bpf_xdp_adjust_tail(ctx, -50): data stays,
 * data_end moves back 50 bytes.
 *
 * Unsafe: L = 64 leaves 14 bytes; reading data[36..40) is past data_end.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_xdp_adjust_tail_stale_unsafe unsafe stock=rejected after adjust_tail(-50) an old L >= 64 leaves 14 bytes
SEC("xdp")
__attribute__((naked)) int pkt_xdp_adjust_tail_stale_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r2 = *(u32 *)(r6 + 0);"
		"r3 = *(u32 *)(r6 + 4);"
		"r4 = r2;"
		"r4 += 64;"
		"if r4 > r3 goto l_out_%=;"
		"r1 = r6;"
		"r2 = -50;"
		"call %[adjust_tail];"
		"if r0 != 0 goto l_out_%=;"
		"r2 = *(u32 *)(r6 + 0);"
		"r0 = *(u32 *)(r2 + 36);"
		"l_out_%=:"
		"r0 = 2;"
		"exit;"
		:
		: [adjust_tail] "i"(BPF_FUNC_xdp_adjust_tail)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
