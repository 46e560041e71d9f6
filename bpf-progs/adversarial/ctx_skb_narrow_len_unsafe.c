// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: narrow loads of a scalar context field. The low byte of skb->len is checked, the u16 at
 * the same offset is used. A model that aliases the two narrow loads (or takes the u16 as the
 * checked byte) proves the access.
 *
 * Unsafe: len = 256 (low byte 0) indexes with 256.
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

// truth: ctx_skb_narrow_len_unsafe unsafe stock=rejected the checked low byte of len does not bound its low 16 bits
SEC("tc")
__attribute__((naked)) int ctx_skb_narrow_len_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r7 = *(u8 *)(r6 + %[len]);"
		"if r7 > 7 goto l_out_%=;"
		"r9 = *(u16 *)(r6 + %[len]);"
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
		  [len] "i"(offsetof(struct __sk_buff, len))
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
