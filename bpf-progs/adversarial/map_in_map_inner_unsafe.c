// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: bpf_map_lookup_elem on an array-of-maps: the verifier types R0 as a map value pointer, then
 * CONST_PTR_TO_MAP after the NULL check; the tracker makes it a map value offset 0 (RET_PTR_TO_MAP_VALUE).
 * The inner lookup returns the inner 8-byte value; the index (x & 15) - (x & 8) + (x & 8) is x & 15.
 *
 * Unsafe: index up to 15 on the 8-byte inner value.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} inner0 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [0] = &inner0 },
};

// truth: map_in_map_inner_unsafe unsafe stock=rejected index x & 15 on the 8-byte inner value
SEC("tc")
__attribute__((naked)) int map_in_map_inner_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r8 = r0;"
		"r8 &= 15;"
		"r1 = r8;"
		"r1 &= 3;"
		"r8 -= r1;"
		"r8 += r1;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[outer] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r1 = r0;"
		"r2 = r10;"
		"r2 += -4;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r0 += r8;"
		"r1 = *(u8 *)(r0 + 0);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [outer] "i"(&outer)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
