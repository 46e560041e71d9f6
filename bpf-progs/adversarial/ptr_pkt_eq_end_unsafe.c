// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: JEQ/JNE between packet pointers. 'data + 64 != data_end' says nothing about L >= 64.
 *
 * Unsafe: L = 20 reads data[60..64) past data_end.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: ptr_pkt_eq_end_unsafe unsafe stock=rejected data + 64 != data_end does not give L >= 64
SEC("xdp")
__attribute__((naked)) int ptr_pkt_eq_end_unsafe(void *ctx)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);"
		"r3 = *(u32 *)(r1 + 4);"
		"r4 = r2;"
		"r4 += 64;"
		"if r4 == r3 goto l_out_%=;"
		"r0 = *(u32 *)(r2 + 60);"
		"l_out_%=:"
		"r0 = 2;"
		"exit;"
		:
		: 
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
