// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a bounded loop the verifier unrolls: i counts up to n = x & 15, then indexes the map.
 * Each unrolled path has a constant i; the ones with i >= 8 must be refuted, not dropped.
 *
 * Unsafe: x = 8.
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

// truth: loop_bounded_counter_unsafe unsafe stock=rejected the loop counter reaches 15
SEC("tc")
__attribute__((naked)) int loop_bounded_counter_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 &= 15;"
		"r9 = 0;"
		"l_loop_%=:"
		"if r9 >= r6 goto l_done_%=;"
		"r9 += 1;"
		"goto l_loop_%=;"
		"l_done_%=:"
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
		  [vals] "i"(&vals)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
