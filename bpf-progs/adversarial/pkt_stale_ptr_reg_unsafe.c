// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: packet pointers kept in callee-saved registers across a packet-changing helper. r7 =
 * data (64 bytes checked) is used after bpf_skb_pull_data, which may reallocate the head (use
 * after free).
 *
 * Unsafe: a cloned skb: pull_data unclones it into a new head; r7 points into the freed one.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_stale_ptr_reg_unsafe unsafe stock=rejected r7 still points into the old head after pull_data
SEC("tc")
__attribute__((naked)) int pkt_stale_ptr_reg_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r7 = *(u32 *)(r6 + %[data]);"
		"r3 = *(u32 *)(r6 + %[data_end]);"
		"r4 = r7;"
		"r4 += 64;"
		"if r4 > r3 goto l_out_%=;"
		"r1 = r6;"
		"r2 = 64;"
		"call %[pull];"
		"r0 = *(u32 *)(r7 + 36);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [data] "i"(offsetof(struct __sk_buff, data)),
		  [data_end] "i"(offsetof(struct __sk_buff, data_end)),
		  [pull] "i"(BPF_FUNC_skb_pull_data)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
