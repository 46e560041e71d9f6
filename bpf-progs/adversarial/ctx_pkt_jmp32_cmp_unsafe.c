// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a 32-bit comparison of packet pointers. 'w(data + 64) > w(data_end)' compares the low
 * halves of the addresses, which wrap: it is not 'L >= 64'. The verifier gives no range for JMP32;
 * a model that reads it as the 64-bit compare proves the read of data[60..64).
 *
 * Unsafe: data = 0x...ffffffe0 with L = 20: the low half of data + 64 is 0x20, below the low half
 * of data_end, so a 4-byte read 40 bytes past the end runs.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: ctx_pkt_jmp32_cmp_unsafe unsafe stock=rejected JMP32 on packet pointers compares wrapped low halves
SEC("xdp")
__attribute__((naked)) int ctx_pkt_jmp32_cmp_unsafe(void *ctx)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);"
		"r3 = *(u32 *)(r1 + 4);"
		"r4 = r2;"
		"r4 += 64;"
		"if w4 > w3 goto l_out_%=;"
		"r0 = *(u32 *)(r2 + 60);"
		"l_out_%=:"
		"r0 = 2;"
		"exit;"
		:
		: 
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
