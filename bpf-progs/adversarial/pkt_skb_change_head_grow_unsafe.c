// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: bpf_skb_change_head(skb, 16, 0) prepends 16 bytes: 'L < 64' before and 'L' >= 64' after
 * are both possible, so a model with one length variable wrongly drops the path to the map access.
 *
 * Unsafe: L = 50 becomes 66; the access runs with index x & 0xff.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

// truth: pkt_skb_change_head_grow_unsafe unsafe stock=rejected L = 50 before, 66 after change_head(16): the gated access runs
SEC("tc")
__attribute__((naked)) int pkt_skb_change_head_grow_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r2 = *(u32 *)(r6 + %[data]);"
		"r3 = *(u32 *)(r6 + %[data_end]);"
		"r4 = r2;"
		"r4 += 64;"
		"if r4 <= r3 goto l_out_%=;"
		"r1 = r6;"
		"r2 = 16;"
		"r3 = 0;"
		"call %[head];"
		"if r0 != 0 goto l_out_%=;"
		"r2 = *(u32 *)(r6 + %[data]);"
		"r3 = *(u32 *)(r6 + %[data_end]);"
		"r4 = r2;"
		"r4 += 64;"
		"if r4 > r3 goto l_out_%=;"
		"call %[rnd];"
		"r9 = r0;"
		"r9 &= 0xff;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r0 += r9;"
		"r1 = *(u8 *)(r0 + 0);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [vals] "i"(&vals),
		  [data] "i"(offsetof(struct __sk_buff, data)),
		  [data_end] "i"(offsetof(struct __sk_buff, data_end)),
		  [head] "i"(BPF_FUNC_skb_change_head)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
