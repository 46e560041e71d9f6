// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a scalar length (data_end - data) computed before bpf_xdp_adjust_head(ctx, 14) and used
 * after it as an offset from the NEW data: data' + len - 4 is 14 bytes past the new end. A model
 * that gives data_end - data the same variable before and after proves the read.
 *
 * Unsafe: any L in [28, 1500]: the read is 10..14 bytes past data_end.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_xdp_adjust_head_oldlen_unsafe unsafe stock=rejected the old length used as an offset after adjust_head(14) points 14 bytes past the new end
SEC("xdp")
__attribute__((naked)) int pkt_xdp_adjust_head_oldlen_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r2 = *(u32 *)(r6 + 0);"
		"r3 = *(u32 *)(r6 + 4);"
		"r7 = r3;"
		"r7 -= r2;"
		"if r7 > 1500 goto l_out_%=;"
		"if r7 < 28 goto l_out_%=;"
		"r7 += -4;"
		"r1 = r6;"
		"r2 = 14;"
		"call %[adjust_head];"
		"if r0 != 0 goto l_out_%=;"
		"r2 = *(u32 *)(r6 + 0);"
		"r2 += r7;"
		"r0 = *(u32 *)(r2 + 0);"
		"l_out_%=:"
		"r0 = 2;"
		"exit;"
		:
		: [adjust_head] "i"(BPF_FUNC_xdp_adjust_head)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
