// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a signed comparison of packet pointers (dropped by the model, ignored by the verifier),
 * with an off-by-one: 'data + 63 s<= data_end' gives 63 bytes, the read needs 64.
 *
 * Unsafe: L = 63 reads one byte past data_end.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: ctx_pkt_signed_cmp_offbyone_unsafe unsafe stock=rejected data + 63 <= data_end allows L = 63; the read needs 64
SEC("xdp")
__attribute__((naked)) int ctx_pkt_signed_cmp_offbyone_unsafe(void *ctx)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);"
		"r3 = *(u32 *)(r1 + 4);"
		"r4 = r2;"
		"r4 += 63;"
		"if r4 s> r3 goto l_out_%=;"
		"r0 = *(u32 *)(r2 + 60);"
		"l_out_%=:"
		"r0 = 2;"
		"exit;"
		:
		: 
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
