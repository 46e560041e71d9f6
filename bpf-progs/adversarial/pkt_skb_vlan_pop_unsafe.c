// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: bpf_skb_vlan_pop removes a 4-byte 802.1Q tag held in the packet data: the length shrinks
 * by 4.
 *
 * Unsafe: a tagged 64-byte frame has 60 bytes left; data[60..64) is past data_end.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_skb_vlan_pop_unsafe unsafe stock=rejected vlan_pop removes 4 bytes: data + 64 is past the new end
SEC("tc")
__attribute__((naked)) int pkt_skb_vlan_pop_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r2 = *(u32 *)(r6 + %[data]);"
		"r3 = *(u32 *)(r6 + %[data_end]);"
		"r4 = r2;"
		"r4 += 64;"
		"if r4 > r3 goto l_out_%=;"
		"r1 = r6;"
		"call %[pop];"
		"if r0 != 0 goto l_out_%=;"
		"r2 = *(u32 *)(r6 + %[data]);"
		"r0 = *(u32 *)(r2 + 60);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [data] "i"(offsetof(struct __sk_buff, data)),
		  [data_end] "i"(offsetof(struct __sk_buff, data_end)),
		  [pop] "i"(BPF_FUNC_skb_vlan_pop)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
