// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: arithmetic on data_end (prohibited for the verifier) followed by an off-by-one check:
 * data <= data_end - 63 gives 63 bytes, the read of data[60..64) takes 64.
 *
 * Unsafe: L = 63 passes the check and reads one byte past data_end.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: ptr_pkt_end_arith_unsafe unsafe stock=rejected data <= data_end - 63 gives 63 bytes, the read needs 64
SEC("xdp")
__attribute__((naked)) int ptr_pkt_end_arith_unsafe(void *ctx)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);"
		"r3 = *(u32 *)(r1 + 4);"
		"r3 += -63;"
		"if r2 > r3 goto l_out_%=;"
		"r0 = *(u32 *)(r2 + 60);"
		"l_out_%=:"
		"r0 = 2;"
		"exit;"
		:
		: 
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
