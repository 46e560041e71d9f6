// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a stack slot written through another stack pointer (r2 = r10 - 16). The checked value
 * spilled via r10 is replaced by an 8-byte store through r2; the fill via r10 must see the new
 * value.
 *
 * Unsafe: the random value stored through r2 is the index.
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

// truth: spill_alias_store_unsafe unsafe stock=rejected an 8-byte store through an alias replaces the spilled bound
SEC("tc")
__attribute__((naked)) int spill_alias_store_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 &= 7;"
		"*(u64 *)(r10 - 16) = r6;"
		"call %[rnd];"
		"r7 = r0;"
		"r2 = r10;"
		"r2 += -16;"
		"*(u64 *)(r2 + 0) = r7;"
		"r9 = *(u64 *)(r10 - 16);"
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
