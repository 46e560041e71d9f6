// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: __sk_buff->data_meta (u32 field, 8-byte pointer after rewriting) tested with JSET on bit
 * 63 (raw JSET: clang 14 cannot assemble it; 'if r7 & r8 goto +1' skips the goto that leaves). A
 * zero-extended u32 model has bit 63 clear.
 *
 * Unsafe: always taken for a kernel address; index x & 0xff.
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

// truth: ctx_skb_meta_jset_unsafe unsafe stock=rejected bit 63 of the data_meta address is set
SEC("tc")
__attribute__((naked)) int ctx_skb_meta_jset_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r7 = *(u32 *)(r6 + %[meta]);"
		"r8 = 1;"
		"r8 <<= 63;"
		".quad 0x000000000001874d;" /* if r7 & r8 goto +1 */
		"goto l_out_%=;"
		"goto l_in_%=;"
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
		  [meta] "i"(offsetof(struct __sk_buff, data_meta))
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
