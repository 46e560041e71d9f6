// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: the difference of two map value pointers (two maps) used as an index into the first: the
 * access lands in the second map's value, or anywhere.
 *
 * Unsafe: the index is the distance between two kernel allocations.
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
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vals2 SEC(".maps");

// truth: ptr_map_sub_unsafe unsafe stock=rejected pointer difference between two maps as an index
SEC("tc")
__attribute__((naked)) int ptr_map_sub_unsafe(void *ctx)
{
	asm volatile(
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r6 = r0;"
		"r1 = %[vals2] ll;"
		"r2 = r10;"
		"r2 += -4;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r9 = r0;"
		"r9 -= r6;"
		"r6 += r9;"
		"r1 = *(u8 *)(r6 + 0);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [vals] "i"(&vals),
		  [vals2] "i"(&vals2)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
