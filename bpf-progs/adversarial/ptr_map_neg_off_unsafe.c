// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a map value pointer moved before the value's start: v - 8 + (x & 15) spans [-8, 7].
 *
 * Unsafe: x = 0 reads 8 bytes before the value.
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

// truth: ptr_map_neg_off_unsafe unsafe stock=rejected v - 8 + (x & 15) can be negative
SEC("tc")
__attribute__((naked)) int ptr_map_neg_off_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r9 = r0;"
		"r9 &= 15;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r0 += -8;"
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
