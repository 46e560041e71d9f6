// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: stores to the context. cb[0] holds a checked value (x & 7), then an unchecked one; the
 * reload must not return the first. A model that tracks context stores like stack slots but misses
 * the second store would prove the index.
 *
 * Unsafe: the second prandom value is the index.
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

// truth: ctx_skb_cb_overwrite_unsafe unsafe stock=rejected cb[0] is overwritten with an unchecked value before the reload
SEC("tc")
__attribute__((naked)) int ctx_skb_cb_overwrite_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"call %[rnd];"
		"r7 = r0;"
		"r7 &= 7;"
		"*(u32 *)(r6 + %[cb0]) = r7;"
		"call %[rnd];"
		"*(u32 *)(r6 + %[cb0]) = r0;"
		"r9 = *(u32 *)(r6 + %[cb0]);"
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
		  [cb0] "i"(offsetof(struct __sk_buff, cb[0]))
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
