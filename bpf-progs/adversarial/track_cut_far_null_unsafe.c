// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a shortened suffix (0011) that does not reach the instruction making the pointer NULL.
 * r5 = NULL on odd x, then 40 instructions that do not touch it, then the dereference. The last
 * 32 instructions say nothing about r5: their condition is refuted, and only a longer suffix
 * shows the path; neither may be certified.
 *
 * Unsafe: odd x dereferences NULL.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[8]);
} vals SEC(".maps");

// truth: track_cut_far_null_unsafe unsafe stock=rejected odd x dereferences r5 = NULL 40 instructions after setting it
SEC("tc")
__attribute__((naked)) int track_cut_far_null_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r5 = r0;"
		"r1 = r6;"
		"r1 &= 1;"
		"if r1 == 0 goto l_keep_%=;"
		"r5 = 0;"
		"l_keep_%=:"
		"r9 = 0;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r0 = *(u8 *)(r5 + 0);"
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
