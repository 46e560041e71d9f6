// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: the packet length across bpf_skb_change_tail(skb, 20, 0), which trims the packet to 20
 * bytes. An old 'L >= 64' must not justify data[40..44) afterwards.
 *
 * Unsafe: any packet of 64+ bytes: after the trim the read is 20+ bytes past data_end.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_skb_change_tail_unsafe unsafe stock=rejected change_tail(20) leaves at most 20 linear bytes: data + 44 is past the end
SEC("tc")
__attribute__((naked)) int pkt_skb_change_tail_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r2 = *(u32 *)(r6 + %[data]);"
		"r3 = *(u32 *)(r6 + %[data_end]);"
		"r4 = r2;"
		"r4 += 64;"
		"if r4 > r3 goto l_out_%=;"
		"r1 = r6;"
		"r2 = 20;"
		"r3 = 0;"
		"call %[change_tail];"
		"if r0 != 0 goto l_out_%=;"
		"r2 = *(u32 *)(r6 + %[data]);"
		"r0 = *(u32 *)(r2 + 40);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [data] "i"(offsetof(struct __sk_buff, data)),
		  [data_end] "i"(offsetof(struct __sk_buff, data_end)),
		  [change_tail] "i"(BPF_FUNC_skb_change_tail)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
