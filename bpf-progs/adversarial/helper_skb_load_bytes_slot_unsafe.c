// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: bpf_skb_load_bytes(skb, 0, fp-16, 8) writes packet bytes over a spilled bound.
 *
 * Unsafe: the refilled index is the first 8 packet bytes (the destination MAC and more).
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

// truth: helper_skb_load_bytes_slot_unsafe unsafe stock=rejected skb_load_bytes overwrites the spilled bound with packet bytes
SEC("tc")
__attribute__((naked)) int helper_skb_load_bytes_slot_unsafe(void *ctx)
{
	asm volatile(
		"r7 = r1;"
		"call %[rnd];"
		"r6 = r0;"
		"r6 &= 7;"
		"*(u64 *)(r10 - 16) = r6;"
		"r1 = r7;"
		"r2 = 0;"
		"r3 = r10;"
		"r3 += -16;"
		"r4 = 8;"
		"call %[load_bytes];"
		"r9 = *(u64 *)(r10 - 16);"
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
		  [load_bytes] "i"(BPF_FUNC_skb_load_bytes)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
