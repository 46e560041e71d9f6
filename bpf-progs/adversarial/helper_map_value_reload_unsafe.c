// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: two loads of the same map value word. The value is shared with user space and other
 * CPUs: the checked first load (<= 7) says nothing about the second. A model giving both loads one
 * value proves the index.
 *
 * Unsafe: user space writes 1000 between the two loads.
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

// truth: helper_map_value_reload_unsafe unsafe stock=rejected the map value may change between the check and the use
SEC("tc")
__attribute__((naked)) int helper_map_value_reload_unsafe(void *ctx)
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
		"r7 = *(u64 *)(r6 + 0);"
		"if r7 > 7 goto l_out_%=;"
		"r9 = *(u64 *)(r6 + 0);"
		"r6 += r9;"
		"r1 = *(u8 *)(r6 + 0);"
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
