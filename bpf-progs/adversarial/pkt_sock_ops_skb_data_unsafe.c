// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: packet pointers of sock_ops programs (bpf_sock_ops->skb_data/skb_data_end, NULL for
 * callbacks without an skb): 8 bytes checked, skb_data[x & 15] read. Unsafe: skb_data[15] past
 * skb_data_end when 9 bytes are present.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_sock_ops_skb_data_unsafe unsafe stock=rejected 8 bytes checked, skb_data[x & 15] read
SEC("sockops")
__attribute__((naked)) int pkt_sock_ops_skb_data_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"call %[rnd];"
		"r8 = r0;"
		"r7 = *(u64 *)(r6 + %[data]);"
		"r3 = *(u64 *)(r6 + %[data_end]);"
		"r4 = r7;"
		"r4 += 8;"
		"if r4 > r3 goto l_out_%=;"
		"r8 &= 15;"
		"r1 = r8;"
		"r1 &= 3;"
		"r8 -= r1;"
		"r8 += r1;"
		"r2 = r7;"
		"r2 += r8;"
		"r0 = *(u8 *)(r2 + 0);"
		"l_out_%=:"
		"r0 = 1;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [data] "i"(offsetof(struct bpf_sock_ops, skb_data)),
		  [data_end] "i"(offsetof(struct bpf_sock_ops, skb_data_end))
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
