// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a packet pointer spilled to the stack across a packet-changing helper, then filled and
 * used.
 *
 * Unsafe: as pkt_stale_ptr_reg_unsafe (the old head may be freed).
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_stale_ptr_spill_unsafe unsafe stock=rejected the spilled data pointer is stale after pull_data
SEC("tc")
__attribute__((naked)) int pkt_stale_ptr_spill_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r7 = *(u32 *)(r6 + %[data]);"
		"r3 = *(u32 *)(r6 + %[data_end]);"
		"r4 = r7;"
		"r4 += 64;"
		"if r4 > r3 goto l_out_%=;"
		"*(u64 *)(r10 - 8) = r7;"
		"r1 = r6;"
		"r2 = 64;"
		"call %[pull];"
		"r7 = *(u64 *)(r10 - 8);"
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
