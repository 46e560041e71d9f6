// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: bpf_skb_store_bytes(skb, 60, buf, 4, 0) makes bytes [0, 64) writable, pulling them into
 * the linear part (skb_ensure_writable), so the linear length can grow from < 64 to >= 64 across
 * the call. A model with one length variable drops the path to the map access.
 *
 * Unsafe: a non-linear skb with a 20-byte linear part reaches the access with index x & 0xff.
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

// truth: pkt_skb_store_bytes_grow_unsafe unsafe stock=rejected store_bytes pulls the first 64 bytes: the gated access runs
SEC("tc")
__attribute__((naked)) int pkt_skb_store_bytes_grow_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r2 = *(u32 *)(r6 + %[data]);"
		"r3 = *(u32 *)(r6 + %[data_end]);"
		"r4 = r2;"
		"r4 += 64;"
		"if r4 <= r3 goto l_out_%=;"
		"r1 = 0;"
		"*(u64 *)(r10 - 16) = r1;"
		"r1 = r6;"
		"r2 = 60;"
		"r3 = r10;"
		"r3 += -16;"
		"r4 = 4;"
		"r5 = 0;"
		"call %[store];"
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
		  [store] "i"(BPF_FUNC_skb_store_bytes)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
