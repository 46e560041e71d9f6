// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: packet pointer with a variable offset x (x & 0xff): data + x + 4 <= data_end is checked,
 * the 4-byte read at data + x + 1 needs x + 5.
 *
 * Unsafe: L = x + 4 reads one byte past data_end.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: ptr_pkt_var_off_edge_unsafe unsafe stock=rejected the read needs x + 5 bytes, x + 4 are checked
SEC("xdp")
__attribute__((naked)) int ptr_pkt_var_off_edge_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"call %[rnd];"
		"r7 = r0;"
		"r7 &= 0xff;"
		"r2 = *(u32 *)(r6 + 0);"
		"r3 = *(u32 *)(r6 + 4);"
		"r2 += r7;"
		"r4 = r2;"
		"r4 += 4;"
		"if r4 > r3 goto l_out_%=;"
		"r0 = *(u32 *)(r2 + 1);"
		"l_out_%=:"
		"r0 = 2;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
