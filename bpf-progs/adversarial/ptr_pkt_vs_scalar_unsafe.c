// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: comparison of a packet pointer with a scalar (L = data_end - data): 'data + 64 <= L'
 * compares an address with a length and bounds nothing.
 *
 * Unsafe: the branch is never taken for a kernel address; L = 20 reads past data_end.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: ptr_pkt_vs_scalar_unsafe unsafe stock=rejected a packet pointer compared with a length bounds nothing
SEC("xdp")
__attribute__((naked)) int ptr_pkt_vs_scalar_unsafe(void *ctx)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);"
		"r3 = *(u32 *)(r1 + 4);"
		"r5 = r3;"
		"r5 -= r2;"
		"r4 = r2;"
		"r4 += 64;"
		"if r4 > r5 goto l_out_%=;"
		"r0 = *(u32 *)(r2 + 60);"
		"l_out_%=:"
		"r0 = 2;"
		"exit;"
		:
		: 
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
