// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: NULL results of bpf_map_lookup_elem. A hash lookup of an absent key returns NULL; the
 * NULL path and the non-NULL path share the dereference. A model that gives map value pointers a
 * non-NULL address (or reads the dropped NULL check as 'never NULL') would drop the NULL path.
 *
 * Unsafe: key 0 is absent from the empty hash map: r7 = NULL is dereferenced.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hmap SEC(".maps");

// truth: helper_null_lookup_join_unsafe unsafe stock=rejected an absent key gives NULL, dereferenced at the shared load
SEC("tc")
__attribute__((naked)) int helper_null_lookup_join_unsafe(void *ctx)
{
	asm volatile(
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[hmap] ll;"
		"call %[lookup];"
		"r7 = r0;"
		"if r7 != 0 goto l_join_%=;"
		"call %[rnd];"
		"l_join_%=:"
		"r1 = *(u64 *)(r7 + 0);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [hmap] "i"(&hmap)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
