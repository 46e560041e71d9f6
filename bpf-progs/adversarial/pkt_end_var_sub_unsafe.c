// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a packet pointer computed backwards from data_end with a variable: the verifier forbids
 * arithmetic on data_end, so r2 = data + (data_end - data) - (x & 15) is built from the scalar
 * length; the read is at r2 - 1 ... A model that keeps pkt - pkt exact must also keep the length
 * scalar's relation to the new pointer. 4 bytes are read at data + L - (x & 15) with only L >= 8
 * checked. Unsafe: x & 15 = 0 reads 4 bytes past data_end.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_end_var_sub_unsafe unsafe stock=rejected data + L - (x & 15) read 4 bytes: x & 15 < 4 reads past data_end
SEC("xdp")
__attribute__((naked)) int pkt_end_var_sub_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"call %[rnd];"
		"r8 = r0;"
		"r7 = *(u32 *)(r6 + %[data]);"
		"r3 = *(u32 *)(r6 + %[data_end]);"
		"r4 = r7;"
		"r4 += 8;"
		"if r4 > r3 goto l_out_%=;"
		"r5 = r3;"
		"r5 -= r7;"
		"r8 &= 7;"
		"r5 -= r8;"
		"r2 = r7;"
		"r2 += r5;"
		"r0 = *(u32 *)(r2 - 1);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [data] "i"(offsetof(struct xdp_md, data)),
		  [data_end] "i"(offsetof(struct xdp_md, data_end))
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
