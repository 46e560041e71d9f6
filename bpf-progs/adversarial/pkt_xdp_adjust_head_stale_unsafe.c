// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a packet length that survives a packet-changing helper. L >= 64 is checked, then
 * bpf_xdp_adjust_head(ctx, 50) moves data 50 bytes forward; the new length is L - 50. A model with
 * one packet-length variable for the whole condition (new data_end - new data = old L) proves the
 * read of the new data[36..40) without any new check.
 *
 * Unsafe: L = 64 leaves 14 bytes; the read is 26 bytes past data_end.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_xdp_adjust_head_stale_unsafe unsafe stock=rejected after adjust_head(50) an old L >= 64 leaves only 14 bytes: data + 40 is past data_end
SEC("xdp")
__attribute__((naked)) int pkt_xdp_adjust_head_stale_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r2 = *(u32 *)(r6 + 0);"
		"r3 = *(u32 *)(r6 + 4);"
		"r4 = r2;"
		"r4 += 64;"
		"if r4 > r3 goto l_out_%=;"
		"r1 = r6;"
		"r2 = 50;"
		"call %[adjust_head];"
		"if r0 != 0 goto l_out_%=;"
		"r2 = *(u32 *)(r6 + 0);"
		"r0 = *(u32 *)(r2 + 36);"
		"l_out_%=:"
		"r0 = 2;"
		"exit;"
		:
		: [adjust_head] "i"(BPF_FUNC_xdp_adjust_head)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
