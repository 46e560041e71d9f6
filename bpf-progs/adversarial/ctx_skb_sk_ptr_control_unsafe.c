// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Control for the data_meta programs: __sk_buff->sk is an 8-byte pointer field
 * (PTR_TO_SOCK_COMMON_OR_NULL), so even a model of 'fresh value of the access width' keeps all 64
 * bits: 'sk > 0xffffffff' is feasible and must be refuted.
 *
 * Unsafe: every packet with a socket takes the branch; index x & 0xff.
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

// truth: ctx_skb_sk_ptr_control_unsafe unsafe stock=rejected a non-NULL sk is a kernel address above 0xffffffff
SEC("tc")
__attribute__((naked)) int ctx_skb_sk_ptr_control_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r7 = *(u64 *)(r6 + %[sk]);"
		"r8 = 0xffffffff ll;"
		"if r7 > r8 goto l_in_%=;"
		"goto l_out_%=;"
		"l_in_%=:"
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
		  [sk] "i"(offsetof(struct __sk_buff, sk))
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
