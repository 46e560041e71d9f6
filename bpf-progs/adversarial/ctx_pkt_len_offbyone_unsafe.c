// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: data_end - data as a scalar (the packet length L). L <= 64, index = L - 56 lies in [-56,
 * 8].
 *
 * Unsafe: L = 64 indexes with 8; L < 56 with a negative index.
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

// truth: ctx_pkt_len_offbyone_unsafe unsafe stock=rejected index L - 56 reaches 8 for L = 64
SEC("tc")
__attribute__((naked)) int ctx_pkt_len_offbyone_unsafe(void *ctx)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + %[data]);"
		"r3 = *(u32 *)(r1 + %[data_end]);"
		"r9 = r3;"
		"r9 -= r2;"
		"if r9 > 64 goto l_out_%=;"
		"r9 += -56;"
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
		  [data_end] "i"(offsetof(struct __sk_buff, data_end))
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
