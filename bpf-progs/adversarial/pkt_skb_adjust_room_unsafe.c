// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: bpf_skb_adjust_room(skb, -20, BPF_ADJ_ROOM_NET, 0) removes 20 bytes after the MAC
 * header. An old 'L >= 64' must not justify data[60..64) afterwards.
 *
 * Unsafe: an IPv4 packet with L = 64 has 44 bytes left; the read is 20 bytes past data_end.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_skb_adjust_room_unsafe unsafe stock=rejected adjust_room(-20) shrinks the packet: data + 64 is past the new end
SEC("tc")
__attribute__((naked)) int pkt_skb_adjust_room_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r2 = *(u32 *)(r6 + %[data]);"
		"r3 = *(u32 *)(r6 + %[data_end]);"
		"r4 = r2;"
		"r4 += 64;"
		"if r4 > r3 goto l_out_%=;"
		"r1 = r6;"
		"r2 = -20;"
		"r3 = 0;"
		"r4 = 0;"
		"call %[room];"
		"if r0 != 0 goto l_out_%=;"
		"r2 = *(u32 *)(r6 + %[data]);"
		"r0 = *(u32 *)(r2 + 60);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [data] "i"(offsetof(struct __sk_buff, data)),
		  [data_end] "i"(offsetof(struct __sk_buff, data_end)),
		  [room] "i"(BPF_FUNC_skb_adjust_room)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
